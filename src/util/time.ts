/*
 * Timestamps in the form the v1 format writes: ISO-8601 with millisecond
 * precision and an explicit UTC offset, like Python's
 * `datetime.isoformat(timespec="milliseconds")` on an aware datetime.
 */

/**
 * Local wall-clock time with its UTC offset, e.g.
 * `2026-05-14T00:27:12.066-07:00`. A zero offset is written `+00:00`.
 */
export function localTimestamp(date: Date = new Date()): string {
  const offsetMinutes = -date.getTimezoneOffset();
  const wall = `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}T${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds(), 3)}`;
  return wall + formatOffset(offsetMinutes);
}

/** UTC time, e.g. `2026-05-14T07:27:12.066+00:00`. */
export function utcTimestamp(date: Date = new Date()): string {
  const wall = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.${pad(date.getUTCMilliseconds(), 3)}`;
  return `${wall}+00:00`;
}

function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(absolute / 60), 2)}:${pad(absolute % 60, 2)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
