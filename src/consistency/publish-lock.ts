import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isJsonInteger, isJsonObject, parseJson, pyRepr, type JsonObject, type JsonValue } from '../json/index.js';
import { makeFinding } from './rules.js';
import type { Finding } from '../migration/finding.js';
import { errnoCode } from '../util/errno.js';

/*
 * The publish lock `<live>/__transactions__/.lock/` and its `owner.json`.
 * continuous-refactoring writes `{created_at, operation, pid}`; cairn adds
 * `hostname` and `lock_id` and refreshes the lock directory's mtime while it
 * holds the lock (the heartbeat).
 */

/** A cairn lock whose heartbeat (the lock dir's mtime) is older than this is stale. */
export const PUBLISH_LOCK_STALE_MS = 10_000;

export interface LockCheckOptions {
  /** Current time in ms since the epoch (default `Date.now()`). */
  now?: number;
  staleMs?: number;
  /** This machine's host name (default `os.hostname()`). */
  hostname?: string;
  /** Whether a pid runs on this host (default: `process.kill(pid, 0)`). */
  isPidAlive?: (pid: number) => boolean;
}

/** True when a process with this pid runs on this host: signal 0 reaches it, or it exists but is not ours (EPERM). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
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

async function readOwner(lockDir: string): Promise<JsonObject | null> {
  try {
    const value = parseJson(new TextDecoder('utf-8', { fatal: true }).decode(await readFile(path.join(lockDir, 'owner.json'))));
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

function has(owner: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(owner, key);
}

/** The original's lock detail: `pid=…, operation=…, created_at=…` for the keys present. */
function v1Detail(owner: JsonObject | null): string {
  if (owner === null) return '';
  return ['pid', 'operation', 'created_at']
    .filter((key) => has(owner, key))
    .map((key) => `${key}=${pyStr(owner[key] as JsonValue)}`)
    .join(', ');
}

interface CairnOwner {
  lockId: string;
  hostname: string;
  pid: number | null;
  operation: string | null;
  createdAt: string | null;
}

function cairnOwner(owner: JsonObject | null): CairnOwner | null {
  if (owner === null) return null;
  const lockId = owner['lock_id'];
  const hostname = owner['hostname'];
  if (typeof lockId !== 'string' || lockId === '' || typeof hostname !== 'string' || hostname === '') return null;
  const pid = owner['pid'];
  const operation = owner['operation'];
  const createdAt = owner['created_at'];
  return {
    lockId,
    hostname,
    pid: isJsonInteger(pid) && Number(pid) > 0 ? Number(pid) : null,
    operation: typeof operation === 'string' ? operation : null,
    createdAt: typeof createdAt === 'string' ? createdAt : null,
  };
}

function holderText(owner: CairnOwner): string {
  const pid = owner.pid === null ? 'an unknown pid' : `pid ${owner.pid}`;
  const operation = owner.operation === null ? '' : ` (operation ${owner.operation})`;
  const since = owner.createdAt === null ? '' : ` since ${owner.createdAt}`;
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
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(lockDir)).mtimeMs;
  } catch {
    return null;
  }
  const raw = await readOwner(lockDir);
  const owner = cairnOwner(raw);
  const base = { mode: 'doctor' as const, slug: '__transactions__', path: lockDir };
  const mtime = localIsoSeconds(mtimeMs);
  if (owner === null) {
    const detail = v1Detail(raw);
    return makeFinding('publish-lock-present', {
      ...base,
      message: `Planning publish lock is present; mtime=${mtime}${detail === '' ? '' : `; ${detail}`}.`,
    });
  }
  const now = options.now ?? Date.now();
  const staleMs = options.staleMs ?? PUBLISH_LOCK_STALE_MS;
  const sameHost = owner.hostname === (options.hostname ?? os.hostname());
  const alive = options.isPidAlive ?? isPidAlive;
  const holderGone = sameHost && owner.pid !== null && !alive(owner.pid);
  const heartbeatAge = now - mtimeMs;
  if (holderGone || heartbeatAge > staleMs) {
    const why = holderGone
      ? `process ${owner.pid} is no longer running`
      : `no heartbeat since ${mtime} (${Math.floor(heartbeatAge / 1000)} s ago; stale after ${staleMs / 1000} s)`;
    return makeFinding('publish-lock-stale', {
      ...base,
      message: `Planning publish lock ${owner.lockId} is stale: held by ${holderText(owner)}; ${why}.`,
      hint: `The holder is gone: the next publish reclaims the lock on its own, or release it now with \`cairn unlock\` and lock id ${owner.lockId}.`,
    });
  }
  return makeFinding('publish-lock-present', {
    ...base,
    severity: 'warning',
    message: `Planning publish lock ${owner.lockId} is held by ${holderText(owner)}; last heartbeat ${mtime}.`,
    hint: 'A publish is running; wait for it to finish. cairn reclaims the lock on its own if its holder dies.',
  });
}
