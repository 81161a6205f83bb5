/** Default cap on each of a run's stdout and stderr: 4 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Captured output as stored: at most the cap, plus the original size. */
export interface CappedOutput {
  readonly bytes: Buffer;
  /** Size of the output before capping. */
  readonly totalBytes: number;
  readonly truncated: boolean;
}

function isContinuationByte(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/**
 * Keeps the first `maxBytes` bytes of `output` (UTF-8 for strings). The cut
 * backs off to the start of a UTF-8 character so the kept text decodes
 * cleanly.
 */
export function capOutput(output: string | Uint8Array | undefined, maxBytes: number): CappedOutput {
  const all = output === undefined ? Buffer.alloc(0) : typeof output === 'string' ? Buffer.from(output, 'utf8') : Buffer.from(output);
  if (all.length <= maxBytes) return { bytes: all, totalBytes: all.length, truncated: false };
  let end = maxBytes;
  for (let back = 0; back < 3 && end > 0 && isContinuationByte(all[end]); back++) end--;
  return { bytes: Buffer.from(all.subarray(0, end)), totalBytes: all.length, truncated: true };
}
