import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';

/*
 * cairn's own stdio transport: newline-delimited JSON-RPC, as the MCP stdio
 * transport defines it, with two guarantees the SDK's transport lacks.
 *
 * - A message longer than the cap is refused with a protocol error and the
 *   server keeps serving. Its bytes are dropped as they arrive, up to the
 *   newline that ends it, so an endless line costs no memory. (The SDK's
 *   transport closes itself on such a message, and the server exits 0
 *   without a word.)
 * - It knows which requests it has received and not yet answered, so the
 *   server can answer every started call before it exits when the client
 *   closes stdin.
 */

/** The most bytes one message may have: 10 MiB. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** JSON-RPC error codes cairn's transport answers with. */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

/** `10485760 bytes (10 MiB)`; whole mebibytes only are shown as such. */
function sizeText(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${bytes} bytes (${mib} MiB)` : `${bytes} bytes`;
}

function isRequest(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in message && 'id' in message;
}

function isResponse(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } {
  return !('method' in message) && 'id' in message && message.id !== undefined;
}

/** The id of a request the client cancelled (`notifications/cancelled`): the protocol answers it no more. */
function cancelledRequestId(message: JSONRPCMessage): RequestId | undefined {
  if (!('method' in message) || 'id' in message || message.method !== 'notifications/cancelled') return undefined;
  const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/** A request id found in an invalid message, so its error can name it. */
function idOf(value: unknown): RequestId | undefined {
  if (typeof value !== 'object' || value === null || !('id' in value)) return undefined;
  const id = (value as { id: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

export interface LineTransportOptions {
  input?: Readable;
  output?: Writable;
  /** Defaults to {@link MAX_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
  /** Told about refused messages (the server's log: stderr). */
  log?: (line: string) => void;
}

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  private readonly input: Readable;
  private readonly output: Writable;
  private readonly maxMessageBytes: number;
  private readonly log: (line: string) => void;
  /** The start of the current line, split over chunks. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** True while the rest of an oversized line is being dropped. */
  private discarding = false;
  private readonly unanswered = new Set<RequestId>();
  private inputEnded = false;
  private closed = false;
  private readonly settledWaiters: Array<() => void> = [];

  constructor(options: LineTransportOptions = {}) {
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.log = options.log ?? (() => {});
  }

  private readonly onData = (chunk: Buffer | string): void => {
    this.take(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  };

  private readonly onEnd = (): void => {
    if (this.inputEnded) return;
    this.inputEnded = true;
    // A last line without a newline is still a message.
    if (!this.discarding && this.heldBytes > 0) this.line(this.takeHeld());
    this.discarding = false;
    this.checkSettled();
  };

  private readonly onInputError = (error: Error): void => {
    this.onerror?.(error);
    this.onEnd();
  };

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.once('end', this.onEnd);
    this.input.once('close', this.onEnd);
    this.input.on('error', this.onInputError);
  }

  /**
   * Resolves once the client has closed its end and every request received
   * has been answered (or cancelled by the client).
   */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.settledWaiters.push(resolve);
      this.checkSettled();
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (isResponse(message)) this.unanswered.delete(message.id);
    await this.write(`${JSON.stringify(message)}\n`);
    this.checkSettled();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.input.off('error', this.onInputError);
    this.input.pause();
    this.held = [];
    this.heldBytes = 0;
    this.onclose?.();
  }

  private write(text: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(text)) resolve();
      else this.output.once('drain', resolve);
    });
  }

  private checkSettled(): void {
    if (!this.inputEnded || this.unanswered.size > 0) return;
    for (const resolve of this.settledWaiters.splice(0)) resolve();
  }

  /** Splits `chunk` into lines; bytes past the cap are dropped, never held. */
  private take(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      const piece = chunk.subarray(start, end);
      if (!this.discarding) {
        if (this.heldBytes + piece.length > this.maxMessageBytes) {
          this.refuseOversized();
        } else if (piece.length > 0) {
          this.held.push(piece);
          this.heldBytes += piece.length;
        }
      }
      if (newline === -1) return;
      if (this.discarding) this.discarding = false;
      else this.line(this.takeHeld());
      start = newline + 1;
    }
  }

  private takeHeld(): Buffer {
    const line = this.held.length === 1 ? (this.held[0] as Buffer) : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    return line;
  }

  /** Answers a message that went past the cap, and drops it up to its newline. */
  private refuseOversized(): void {
    this.held = [];
    this.heldBytes = 0;
    this.discarding = true;
    const message = `Message refused: it is longer than ${sizeText(this.maxMessageBytes)}, the most cairn mcp reads of one message; it was discarded up to its newline`;
    this.log(`cairn mcp: refused a message longer than the limit of ${sizeText(this.maxMessageBytes)}; it was discarded.\n`);
    this.protocolError(undefined, INVALID_REQUEST, message);
  }

  private line(bytes: Buffer): void {
    const text = bytes.toString('utf8').replace(/\r$/, '');
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.protocolError(undefined, PARSE_ERROR, `Parse error: the message is not JSON (${(error as Error).message})`);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      this.protocolError(idOf(value), INVALID_REQUEST, 'Invalid Request: the message is not a JSON-RPC 2.0 request, notification or response');
      return;
    }
    const message = parsed.data;
    if (isRequest(message)) this.unanswered.add(message.id);
    const cancelled = cancelledRequestId(message);
    this.onmessage?.(message);
    if (cancelled !== undefined) {
      this.unanswered.delete(cancelled);
      this.checkSettled();
    }
  }

  /** A JSON-RPC error response written by the transport itself (without an id when the message had none). */
  private protocolError(id: RequestId | undefined, code: number, message: string): void {
    const response = id === undefined ? { jsonrpc: '2.0', error: { code, message } } : { jsonrpc: '2.0', id, error: { code, message } };
    void this.write(`${JSON.stringify(response)}\n`);
  }
}
