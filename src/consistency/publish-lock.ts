import { pyRepr, type JsonObject, type JsonValue } from '../json/index.js';
import { isCairnOwner, judgeStaleness, readLockHolder, STALE_LIMIT_MS, type LockHolder, type LockOwner } from '../publish/index.js';
import { makeFinding } from './rules.js';
import type { Finding } from '../migration/index.js';

/*
 * Doctor's finding for the publish lock `<live>/__transactions__/.lock/`,
 * judged exactly as a publish judges it (publish's owner.json codec and
 * staleness judge). continuous-refactoring writes `{created_at, operation,
 * pid}`; cairn adds `hostname` and `lock_id` and refreshes the lock
 * directory's mtime while it holds the lock (the heartbeat).
 */

export interface LockCheckOptions {
  /** Current time in ms since the epoch (default `Date.now()`). */
  now?: number;
}

/** Python's `datetime.fromtimestamp(t).astimezone().isoformat(timespec="seconds")`. */
export function localIsoSeconds(epochMs: number): string {
  const date = new Date(Math.floor(epochMs / 1000) * 1000);
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(date.getFullYear(), 4)}-${p(date.getMonth() + 1)}-${p(date.getDate())}T` +
    `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}` +
    `${sign}${p(Math.floor(abs / 60))}:${p(abs % 60)}`
  );
}

/** Python's `str()` of a JSON value in an f-string: text as is, everything else as its repr. */
function pyStr(value: JsonValue): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** The original's lock detail: `pid=…, operation=…, created_at=…` for the keys present. */
function v1Detail(fields: JsonObject | null): string {
  if (fields === null) return '';
  return ['pid', 'operation', 'created_at']
    .filter((key) => Object.prototype.hasOwnProperty.call(fields, key))
    .map((key) => `${key}=${pyStr(fields[key] as JsonValue)}`)
    .join(', ');
}

function holderText(owner: LockOwner & { hostname: string }): string {
  const pid = owner.pid === null ? 'an unknown pid' : `pid ${owner.pid}`;
  const operation = owner.operation === null ? '' : ` (operation ${owner.operation})`;
  const since = owner.created_at === null ? '' : ` since ${owner.created_at}`;
  return `${pid} on ${owner.hostname}${operation}${since}`;
}

/**
 * The finding for an existing lock directory, or null when it vanished.
 * A lock without cairn's owner fields cannot be proven dead:
 * `publish-lock-present` (error) with the original's message. A cairn lock
 * is `publish-lock-stale` (error) when its holder is gone or its heartbeat
 * is older than the stale limit, else `publish-lock-present` (warning).
 */
export async function publishLockFinding(lockDir: string, options: LockCheckOptions = {}): Promise<Finding | null> {
  let holder: LockHolder | null;
  try {
    holder = await readLockHolder(lockDir);
  } catch {
    holder = null;
  }
  if (holder === null) return null;
  const owner = holder.owner;
  const base = { mode: 'doctor' as const, slug: '__transactions__', path: lockDir };
  const mtime = localIsoSeconds(holder.mtimeMs);
  if (!isCairnOwner(owner)) {
    const detail = v1Detail(holder.fields);
    return makeFinding('publish-lock-present', {
      ...base,
      message: `Planning publish lock is present; mtime=${mtime}${detail === '' ? '' : `; ${detail}`}.`,
    });
  }
  const now = options.now ?? Date.now();
  const verdict = judgeStaleness(holder, now);
  if (verdict.stale) {
    const why =
      verdict.cause === 'holder-gone'
        ? `process ${owner.pid} is no longer running`
        : `no heartbeat since ${mtime} (${Math.floor((now - holder.mtimeMs) / 1000)} s ago; stale after ${STALE_LIMIT_MS / 1000} s)`;
    return makeFinding('publish-lock-stale', {
      ...base,
      message: `Planning publish lock ${owner.lock_id} is stale: held by ${holderText(owner)}; ${why}.`,
      hint: `The holder is gone: the next publish reclaims the lock on its own, or release it now with \`cairn unlock\` and lock id ${owner.lock_id}.`,
    });
  }
  return makeFinding('publish-lock-present', {
    ...base,
    severity: 'warning',
    message: `Planning publish lock ${owner.lock_id} is held by ${holderText(owner)}; last heartbeat ${mtime}.`,
    hint: 'A publish is running; wait for it to finish. cairn reclaims the lock on its own if its holder dies.',
  });
}
