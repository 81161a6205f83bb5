/**
 * Bytes that are not valid UTF-8, reported as Python's `UnicodeDecodeError`:
 * `'utf-8' codec can't decode byte 0xff in position 0: invalid start byte`, or
 * `... can't decode bytes in position 3-5: unexpected end of data` when the
 * offending sequence spans several bytes. `start`/`end` are byte offsets
 * (end exclusive) of that sequence.
 */
export class Utf8DecodeError extends Error {
  readonly start: number;
  readonly end: number;
  readonly reason: Utf8DecodeReason;

  constructor(bytes: Uint8Array, start: number, end: number, reason: Utf8DecodeReason) {
    super(
      end === start + 1
        ? `'utf-8' codec can't decode byte 0x${(bytes[start] as number).toString(16).padStart(2, '0')} in position ${start}: ${reason}`
        : `'utf-8' codec can't decode bytes in position ${start}-${end - 1}: ${reason}`,
    );
    this.name = 'Utf8DecodeError';
    this.start = start;
    this.end = end;
    this.reason = reason;
  }
}

export type Utf8DecodeReason = 'invalid start byte' | 'invalid continuation byte' | 'unexpected end of data';

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decode UTF-8 strictly, as Python's `bytes.decode("utf-8")`: a leading BOM is
 * kept as U+FEFF; overlong forms, encoded surrogates and values past U+10FFFF
 * are rejected.
 *
 * @throws Utf8DecodeError naming the first bad sequence the way Python does.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    throw findUtf8Error(bytes) ?? new Utf8DecodeError(bytes, 0, Math.min(1, bytes.length), 'invalid start byte');
  }
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x80 && byte <= 0xbf;
}

/**
 * The first error, with CPython's byte range: an invalid start byte is one
 * byte; an invalid continuation covers the lead byte and the valid
 * continuations before the bad one; a truncated sequence at the end of the
 * input covers all remaining bytes.
 */
function findUtf8Error(bytes: Uint8Array): Utf8DecodeError | undefined {
  const length = bytes.length;
  let i = 0;
  const error = (size: number, reason: Utf8DecodeReason) => new Utf8DecodeError(bytes, i, i + size, reason);
  const truncated = () => new Utf8DecodeError(bytes, i, length, 'unexpected end of data');
  while (i < length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    if (lead < 0xc2) return error(1, 'invalid start byte');
    const second = bytes[i + 1];
    if (lead < 0xe0) {
      if (length - i < 2) return truncated();
      if (!isContinuation(second)) return error(1, 'invalid continuation byte');
      i += 2;
      continue;
    }
    if (lead < 0xf0) {
      if (length - i < 2) return truncated();
      const s = second as number;
      if (!isContinuation(s) || (lead === 0xe0 && s < 0xa0) || (lead === 0xed && s >= 0xa0)) {
        return error(1, 'invalid continuation byte');
      }
      if (length - i < 3) return truncated();
      if (!isContinuation(bytes[i + 2])) return error(2, 'invalid continuation byte');
      i += 3;
      continue;
    }
    if (lead < 0xf5) {
      if (length - i < 2) return truncated();
      const s = second as number;
      if (!isContinuation(s) || (lead === 0xf0 && s < 0x90) || (lead === 0xf4 && s >= 0x90)) {
        return error(1, 'invalid continuation byte');
      }
      if (length - i < 3) return truncated();
      if (!isContinuation(bytes[i + 2])) return error(2, 'invalid continuation byte');
      if (length - i < 4) return truncated();
      if (!isContinuation(bytes[i + 3])) return error(3, 'invalid continuation byte');
      i += 4;
      continue;
    }
    return error(1, 'invalid start byte');
  }
  return undefined;
}
