import { randomBytes } from 'node:crypto';

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `yyyymmddThhmmss` in UTC. */
export function compactUtc(at: Date): string {
  return (
    `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}` +
    `T${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`
  );
}

/**
 * A time-ordered id: `<prefix>-<yyyymmddThhmmss>-<12 hex>` (UTC), e.g.
 * `r-20250102T030405-9f3a1c2e7b10`. Sorts by second; the store orders rows
 * by insertion, so ids made within one second need not sort among themselves.
 */
export function newTimeOrderedId(prefix: string, at: Date): string {
  return `${prefix}-${compactUtc(at)}-${randomBytes(6).toString('hex')}`;
}
