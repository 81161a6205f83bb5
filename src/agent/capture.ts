/*
 * Bounded capture of one output stream. The first `maxBytes` are kept; past
 * that, only the last `tailBytes` are held (claude's final result event is
 * the last line of its output), and everything else is counted and
 * dropped, so an agent printing gigabytes costs at most
 * `maxBytes + tailBytes` plus one chunk of memory.
 */

/**
 * The most bytes of one step's output cairn accepts: 16 MiB. An agent's
 * stdout is kept up to this cap, and output handed over by `cairn accept`
 * or the MCP accept tool is refused past it.
 */
export const MAX_STEP_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Default cap on each of stdout and stderr: the step output cap. */
export const DEFAULT_MAX_OUTPUT_BYTES = MAX_STEP_OUTPUT_BYTES;
/** Default size of the tail kept past the cap: 256 KiB. */
export const DEFAULT_TAIL_BYTES = 256 * 1024;

export interface CapturedOutput {
  /** The kept head, decoded as UTF-8 (an incomplete character at the cut is dropped). */
  text: string;
  truncated: boolean;
  /** Every byte the stream produced, kept or not. */
  totalBytes: number;
  /** When truncated: the last bytes of the stream (at most `tailBytes`), decoded as UTF-8; else null. */
  tail: string | null;
}

function isContinuationByte(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/** Length of a UTF-8 sequence from its lead byte (1 for anything that is not a multi-byte lead). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf7) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

/** `bytes` without an incomplete UTF-8 sequence at its end. */
function dropIncompleteEnd(bytes: Buffer): Buffer {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const byte = bytes[bytes.length - back] as number;
    if (isContinuationByte(byte)) continue;
    return sequenceLength(byte) > back ? bytes.subarray(0, bytes.length - back) : bytes;
  }
  return bytes;
}

/** `bytes` without continuation bytes at its start (the rest of a character cut off before it). */
function dropPartialStart(bytes: Buffer): Buffer {
  let start = 0;
  while (start < 3 && isContinuationByte(bytes[start])) start++;
  return bytes.subarray(start);
}

export class OutputCapture {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private readonly tail: Buffer[] = [];
  private tailHeld = 0;
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly tailBytes: number,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.maxBytes - this.headBytes;
    if (chunk.length <= room) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      return;
    }
    if (room > 0) {
      this.head.push(Buffer.from(chunk.subarray(0, room)));
      this.headBytes += room;
    }
    if (this.tailBytes > 0) this.pushTail(Buffer.from(chunk.subarray(Math.max(room, 0))));
  }

  private pushTail(bytes: Buffer): void {
    this.tail.push(bytes);
    this.tailHeld += bytes.length;
    while (this.tail.length > 1 && this.tailHeld - (this.tail[0] as Buffer).length >= this.tailBytes) {
      this.tailHeld -= (this.tail.shift() as Buffer).length;
    }
  }

  get truncated(): boolean {
    return this.total > this.headBytes;
  }

  result(): CapturedOutput {
    const truncated = this.truncated;
    const headBuffer = Buffer.concat(this.head, this.headBytes);
    const text = (truncated ? dropIncompleteEnd(headBuffer) : headBuffer).toString('utf8');
    let tail: string | null = null;
    if (truncated) {
      const held = Buffer.concat(this.tail, this.tailHeld);
      tail = dropPartialStart(held.subarray(Math.max(0, held.length - this.tailBytes))).toString('utf8');
    }
    return { text, truncated, totalBytes: this.total, tail };
  }
}
