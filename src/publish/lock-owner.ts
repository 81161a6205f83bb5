import { lstat, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encodeJson, isJsonObject, parseJson, pickJson, type JsonObject, type JsonValue } from '../json/index.js';
import { OWNER_FILE_NAME } from './layout.js';
import { errnoCode } from '../util/index.js';
import { procStat } from '../fs/index.js';

/** A lock whose heartbeat (the lock directory's mtime) is older than this is stale. */
export const STALE_LIMIT_MS = 10_000;
const FUTURE_TOLERANCE_MS = 2_000;

/**
 * `owner.json` of the publish lock. The original tool writes only
 * `created_at`, `operation` and `pid`; cairn adds `hostname`, `lock_id` and
 * `tool`. Fields that are absent or of the wrong type read as null.
 */
export interface LockOwner {
  created_at: string | null;
  operation: string | null;
  pid: number | null;
  hostname: string | null;
  lock_id: string | null;
  tool: string | null;
}

/** What is at the lock path right now. */
export interface LockHolder {
  lockDir: string;
  /** Null when owner.json is missing or unreadable. */
  owner: LockOwner | null;
  /** owner.json's fields as written (for messages that quote them), null when `owner` is. */
  fields: JsonObject | null;
  /** The lock directory's mtime: the holder's last heartbeat. */
  mtimeMs: number;
  ino: number;
  dev: number;
}

export interface Staleness {
  stale: boolean;
  /** What made the lock stale: its holder is gone, or its heartbeat stopped; null while it is not stale. */
  cause: 'holder-gone' | 'heartbeat' | null;
  reason: string;
}

/** The bytes of a cairn owner record: sorted keys, 2-space indent, trailing newline. */
export function encodeOwner(owner: {
  created_at: string;
  operation: string;
  pid: number;
  hostname: string;
  lock_id: string;
  tool: string;
}): string {
  return encodeJson(pickJson(owner, ['created_at', 'hostname', 'lock_id', 'operation', 'pid', 'tool']));
}

/** owner.json as read: the decoded owner and the record's fields as written. */
export interface OwnerRecord {
  owner: LockOwner;
  fields: JsonObject;
}

/**
 * Decodes owner.json leniently: null when it is not UTF-8 text holding a
 * JSON object; fields that are absent or of the wrong type read as null.
 */
export function decodeOwnerRecord(bytes: Uint8Array): OwnerRecord | null {
  let value: JsonValue;
  try {
    value = parseJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  if (!isJsonObject(value)) return null;
  const fields = value;
  const text = (key: string): string | null => {
    const field = fields[key];
    return typeof field === 'string' ? field : null;
  };
  const pid = fields['pid'];
  const owner: LockOwner = {
    created_at: text('created_at'),
    operation: text('operation'),
    pid: typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0 ? pid : null,
    hostname: text('hostname'),
    lock_id: text('lock_id'),
    tool: text('tool'),
  };
  return { owner, fields };
}

/** Reads `<lockDir>/owner.json`; null when missing, unreadable or not an object. */
async function readOwnerRecord(lockDir: string): Promise<OwnerRecord | null> {
  try {
    return decodeOwnerRecord(await readFile(path.join(lockDir, OWNER_FILE_NAME)));
  } catch {
    return null;
  }
}

/** Reads `<lockDir>/owner.json`; null when missing, unreadable or not an object. */
export async function readOwner(lockDir: string): Promise<LockOwner | null> {
  return (await readOwnerRecord(lockDir))?.owner ?? null;
}

/**
 * True for a record cairn wrote: it names its host and its lock id (the
 * original tool's records have neither).
 */
export function isCairnOwner(owner: LockOwner | null): owner is LockOwner & { hostname: string; lock_id: string } {
  return owner !== null && owner.hostname !== null && owner.hostname !== '' && owner.lock_id !== null && owner.lock_id !== '';
}

/** What holds the lock at `lockDir`, or null when there is no lock there. */
export async function readLockHolder(lockDir: string): Promise<LockHolder | null> {
  let stats;
  try {
    stats = await lstat(lockDir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
  const record = await readOwnerRecord(lockDir);
  return { lockDir, owner: record?.owner ?? null, fields: record?.fields ?? null, mtimeMs: stats.mtimeMs, ino: stats.ino, dev: stats.dev };
}

/**
 * True while process `pid` exists on this host and is not a zombie (a
 * killed child its parent has not reaped yet is dead for our purpose).
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  const stat = procStat(pid);
  return stat === null || !stat.zombie;
}

/**
 * Whether a lock may be reclaimed (docs/durability.md §4): its holder ran on
 * this host and is gone, or its heartbeat is older than the stale limit.
 * Only cairn's own records (with `hostname` and `lock_id`) are judged by
 * pid; the original tool's locks are stale by heartbeat age alone. A
 * heartbeat in the future (clock skew) never makes a lock stale.
 */
export function judgeStaleness(holder: LockHolder, nowMs: number = Date.now(), staleLimitMs = STALE_LIMIT_MS): Staleness {
  const owner = holder.owner;
  if (isCairnOwner(owner) && owner.hostname === os.hostname() && owner.pid !== null && !isProcessAlive(owner.pid)) {
    return { stale: true, cause: 'holder-gone', reason: `holder pid ${owner.pid} is no longer running on this host` };
  }
  const age = nowMs - holder.mtimeMs;
  if (age > staleLimitMs) {
    return { stale: true, cause: 'heartbeat', reason: `heartbeat is ${formatSeconds(age)} old (stale after ${formatSeconds(staleLimitMs)})` };
  }
  return {
    stale: false,
    cause: null,
    reason: age < -FUTURE_TOLERANCE_MS ? `heartbeat is ${formatSeconds(-age)} in the future` : 'heartbeat is fresh',
  };
}

/** "pid 12 on host h (operation migration.new, since …, lock id …, last heartbeat 1.2 s ago)". */
export function describeHolder(holder: LockHolder, nowMs: number = Date.now()): string {
  const owner = holder.owner;
  // proper-lockfile's first heartbeat may be set up to a second ahead (its mtime precision probe).
  const rawAge = nowMs - holder.mtimeMs;
  const age = rawAge < 0 && rawAge > -FUTURE_TOLERANCE_MS ? 0 : rawAge;
  const heartbeat = age >= 0 ? `last heartbeat ${formatSeconds(age)} ago` : `heartbeat ${formatSeconds(-age)} in the future`;
  if (owner === null) return `an unknown process (owner.json is missing or unreadable; ${heartbeat})`;
  const who = `pid ${owner.pid ?? 'unknown'}${owner.hostname !== null ? ` on host ${owner.hostname}` : ''}`;
  const details = [
    `operation ${owner.operation ?? 'unknown'}`,
    `since ${owner.created_at ?? 'unknown'}`,
    owner.lock_id !== null ? `lock id ${owner.lock_id}` : 'no lock id: written by continuous-refactoring',
    heartbeat,
  ];
  return `${who} (${details.join(', ')})`;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
