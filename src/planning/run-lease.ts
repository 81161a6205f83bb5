import { randomBytes, randomUUID } from 'node:crypto';
import { constants, readFileSync, unlinkSync } from 'node:fs';
import { link, lstat, open, readdir, readFile, rename, rmdir, unlink, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bootId } from '../agent/index.js';
import { assertConfined, fsyncDir, mkdirDurable, procStat } from '../fs/index.js';
import { encodeJson, pickJson, type JsonObject } from '../json/index.js';
import { decodeOwnerRecord, judgeStaleness, type LockHolder, type LockOwner, type Staleness } from '../publish/index.js';
import { CairnError, CAIRN_VERSION, errnoCode, localTimestamp, messageOf, shellWord } from '../util/index.js';
import { WORKSPACES_RELATIVE_DIR } from './workspace.js';

/*
 * One run per migration at a time. Before anything that starts an agent for
 * a migration (plan, refine, review --request-changes, run), cairn takes the
 * migration's run lease, `.planning/work/.leases/<slug>.json`, and a second
 * such command refuses at once instead of paying for an agent run whose
 * publish could only end stale.
 *
 * The lease file is created whole (written to a temporary name, then
 * hard-linked to the lease path, which fails when a lease is there), and
 * holds the owner record of the publish lock (`created_at`, `hostname`,
 * `lock_id`, `operation`, `pid`, `tool`) plus the slug, the step or phase,
 * the boot id and the holder's start time. Its mtime is the holder's
 * heartbeat. Whether a lease left behind may be taken over is judged by the
 * publish lock's rule (`judgeStaleness`): its holder ran on this host and is
 * gone, or its heartbeat stopped. The heartbeat limit is longer than the
 * publish lock's because a lease is held across workspace copies and git
 * calls that can keep the event loop busy.
 *
 * Manual runs (`--agent manual`, MCP `next_prompt`/`next_phase`) hold the
 * lease only while their run is prepared: the step is finished later by
 * another call (`accept`, `phase_result`) from a caller cairn cannot watch,
 * so no lease could be judged stale by its holder's death.
 */

/** `.planning/work/.leases/` under the repository root. */
export const LEASES_RELATIVE_DIR = path.join(WORKSPACES_RELATIVE_DIR, '.leases');
/** A lease whose heartbeat is older than this is stale even when its pid runs (the pid was reused, or another host holds it). */
export const LEASE_STALE_LIMIT_MS = 30_000;
const HEARTBEAT_MS = 5_000;
const MAX_LEASE_BYTES = 64 * 1024;
const ATTEMPTS = 5;

/** What a lease is held for. `review` is `review --request-changes`. */
export type RunLeaseOperation = 'plan' | 'refine' | 'review' | 'run' | 'move';

export interface RunActivity {
  operation: RunLeaseOperation;
  /** The planning step running now, when known. */
  step?: string | null;
  /** The phase being run, when known. */
  phase?: string | null;
}

/** What `.planning/work/.leases/<slug>.json` holds. */
export interface RunLeaseRecord {
  slug: string;
  operation: RunLeaseOperation;
  step: string | null;
  phase: string | null;
  pid: number;
  hostname: string;
  /** Null without /proc. */
  boot_id: string | null;
  /** The holder's start time in clock ticks after boot (/proc/<pid>/stat field 22), null without /proc. */
  start_time: string | null;
  created_at: string;
  /** The lease's id (the key the publish lock's owner record uses for it). */
  lock_id: string;
  tool: string;
}

const RECORD_KEYS = ['boot_id', 'created_at', 'hostname', 'lock_id', 'operation', 'phase', 'pid', 'slug', 'start_time', 'step', 'tool'] as const;

/** A lease as found on disk, someone else's or a leftover. */
export interface RunLeaseHolder {
  path: string;
  /** The owner fields every judge of a lock reads; null when the file is not a readable record. */
  owner: LockOwner | null;
  /** The record's fields as written; null when `owner` is. */
  fields: JsonObject | null;
  staleness: Staleness;
  mtimeMs: number;
  ino: number;
}

/** A lease this process holds. */
export interface RunLease {
  readonly path: string;
  /** Records what the holder does now (e.g. the step that starts); written to the lease file. */
  update(activity: { step?: string | null; phase?: string | null }): Promise<void>;
  /** Removes the lease when it is still this process's. Idempotent. */
  release(): Promise<void>;
}

/** `<repo>/.planning/work/.leases/<slug>.json` */
export function runLeasePath(repoRoot: string, slug: string): string {
  return path.join(repoRoot, LEASES_RELATIVE_DIR, `${slug}.json`);
}

interface HeldState {
  path: string;
  record: RunLeaseRecord;
  ino: number;
  depth: number;
  heartbeat: NodeJS.Timeout;
}

/** Leases held by this process, by path: a nested acquisition (plan --until, then each step) shares the outer one. */
const held = new Map<string, HeldState>();
let exitHookInstalled = false;

/** On a normal exit (including `process.exit` from a signal handler) the leases still held are removed. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const state of held.values()) {
      try {
        if (decodeOwnerRecord(readFileSync(state.path))?.owner.lock_id === state.record.lock_id) unlinkSync(state.path);
      } catch {
        // gone already
      }
    }
    held.clear();
  });
}

/**
 * Takes the run lease of `slug` for `activity`, reclaiming a stale one.
 * Throws CairnError('blocked', exit 1) naming the holder when another live
 * process holds it; nothing else is touched then. Inside a process that
 * already holds the lease, returns a nested handle to the same lease.
 */
export async function acquireRunLease(repoRoot: string, slug: string, activity: RunActivity): Promise<RunLease> {
  const leasePath = runLeasePath(repoRoot, slug);
  const mine = held.get(leasePath);
  if (mine !== undefined) {
    mine.depth += 1;
    const nested = handle(mine);
    await nested.update(activity);
    return nested;
  }
  const dir = path.dirname(leasePath);
  assertConfined(repoRoot, dir, 'the run lease directory', 'directory');
  await mkdirDurable(dir);
  const record: RunLeaseRecord = {
    slug,
    operation: activity.operation,
    step: activity.step ?? null,
    phase: activity.phase ?? null,
    pid: process.pid,
    hostname: os.hostname(),
    boot_id: bootId(),
    start_time: procStat(process.pid)?.startTime ?? null,
    created_at: localTimestamp(),
    lock_id: randomUUID(),
    tool: `cairn ${CAIRN_VERSION}`,
  };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let ino: number | null;
    try {
      ino = await createExclusive(leasePath, encodeRecord(record));
    } catch (error) {
      // The lease directory was removed by a holder releasing the last lease: create it again.
      if (errnoCode(error) !== 'ENOENT') throw error;
      await mkdirDurable(dir);
      continue;
    }
    if (ino !== null) {
      installExitHook();
      const heartbeat = setInterval(() => {
        const now = new Date();
        utimes(leasePath, now, now).catch(() => undefined);
      }, HEARTBEAT_MS);
      heartbeat.unref();
      const state: HeldState = { path: leasePath, record, ino, depth: 1, heartbeat };
      held.set(leasePath, state);
      return handle(state);
    }
    const holder = await readRunLease(repoRoot, slug);
    if (holder === null) continue; // released meanwhile
    if (!holder.staleness.stale) throw leaseBusyError(slug, holder);
    await reclaim(leasePath, holder);
  }
  const holder = await readRunLease(repoRoot, slug);
  throw holder !== null
    ? leaseBusyError(slug, holder)
    : new CairnError('failed', `Could not take the run lease of ${slug} (${leasePath}): it kept changing hands`, { path: leasePath });
}

/** Runs `fn` holding the run lease of `slug`, and releases it on every path. */
export async function withRunLease<T>(repoRoot: string, slug: string, activity: RunActivity, fn: (lease: RunLease) => Promise<T>): Promise<T> {
  const lease = await acquireRunLease(repoRoot, slug, activity);
  try {
    return await fn(lease);
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/** Records `activity` in the lease of `slug` when this process holds it; otherwise does nothing. */
export async function noteRunActivity(repoRoot: string, slug: string, activity: { step?: string | null; phase?: string | null }): Promise<void> {
  const state = held.get(runLeasePath(repoRoot, slug));
  if (state !== undefined) await handle(state).update(activity).catch(() => undefined);
}

/** The lease of `slug` on disk, judged; null when there is none. */
export async function readRunLease(repoRoot: string, slug: string): Promise<RunLeaseHolder | null> {
  const leasePath = runLeasePath(repoRoot, slug);
  let bytes: Buffer;
  let stats;
  try {
    const file = await open(leasePath, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      stats = await file.stat();
      bytes = stats.isFile() && stats.size <= MAX_LEASE_BYTES ? await file.readFile() : Buffer.alloc(0);
    } finally {
      await file.close();
    }
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return null;
    if (code !== 'ELOOP') throw new CairnError('io', `Could not read the run lease ${leasePath}: ${messageOf(error)}`, { path: leasePath, cause: error });
    stats = await lstat(leasePath);
    bytes = Buffer.alloc(0);
  }
  const decoded = decodeOwnerRecord(bytes);
  const lock: LockHolder = { lockDir: leasePath, owner: decoded?.owner ?? null, fields: decoded?.fields ?? null, mtimeMs: stats.mtimeMs, ino: stats.ino, dev: stats.dev };
  return {
    path: leasePath,
    owner: lock.owner,
    fields: lock.fields,
    staleness: judgeStaleness(lock, Date.now(), LEASE_STALE_LIMIT_MS),
    mtimeMs: stats.mtimeMs,
    ino: stats.ino,
  };
}

/** "demo is being planned by pid 4242 since 12:03 (step expand)". */
export function describeRunLease(slug: string, holder: RunLeaseHolder, now: Date = new Date()): string {
  const fields = holder.fields ?? {};
  const text = (key: string): string | null => {
    const value = fields[key];
    return typeof value === 'string' && value !== '' ? value : null;
  };
  const owner = holder.owner;
  const verb = VERBS[text('operation') ?? ''] ?? 'worked on';
  const who = owner?.pid != null ? `pid ${owner.pid}` : 'another process';
  const host = owner?.hostname != null && owner.hostname !== os.hostname() ? ` on host ${owner.hostname}` : '';
  const since = owner?.created_at != null ? ` since ${shortTime(owner.created_at, now)}` : '';
  const step = text('step');
  const phase = text('phase');
  const doing = phase !== null ? ` (phase ${phase})` : step !== null ? ` (step ${step})` : '';
  return `${slug} is being ${verb} by ${who}${host}${since}${doing}`;
}

const VERBS: Record<string, string> = {
  plan: 'planned',
  refine: 'refined',
  review: 'revised after a review',
  run: 'run',
  move: 'moved',
};

/** `12:03` for a timestamp of today (local date), else `2026-12-06 12:03`; the text itself when it is not a timestamp. */
function shortTime(timestamp: string, now: Date): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(timestamp);
  if (match === null) return timestamp;
  return match[1] === localTimestamp(now).slice(0, 10) ? (match[2] as string) : `${match[1]} ${match[2]}`;
}

function leaseBusyError(slug: string, holder: RunLeaseHolder): CairnError {
  return new CairnError('blocked', `${describeRunLease(slug, holder)}; nothing was started.`, {
    path: holder.path,
    hint:
      `Wait for that command to finish, then run yours again (\`cairn status ${shellWord(slug)}\` shows where the migration is). ` +
      'If that process is gone, the lease is reclaimed by the next command on its own, and `cairn recover` cleans up what it left.',
  });
}

function encodeRecord(record: RunLeaseRecord): string {
  return encodeJson(pickJson(record, RECORD_KEYS));
}

/**
 * Creates `leasePath` holding `content`, only if nothing is there: the
 * content is written under a temporary name first and then hard-linked, so
 * a reader never sees a half-written lease. Returns the new file's inode,
 * or null when a lease already exists.
 */
async function createExclusive(leasePath: string, content: string): Promise<number | null> {
  const temp = tempPath(leasePath);
  await writeNewFile(temp, content);
  try {
    await link(temp, leasePath);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') return null;
    if (code === 'ENOENT') throw error;
    throw new CairnError('io', `Could not create the run lease ${leasePath}: ${messageOf(error)}`, { path: leasePath, cause: error });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await fsyncDir(path.dirname(leasePath));
  return (await lstat(leasePath)).ino;
}

async function writeNewFile(file: string, content: string): Promise<void> {
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function tempPath(leasePath: string): string {
  return path.join(path.dirname(leasePath), `.${path.basename(leasePath)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Moves a lease judged stale out of the way. Only one claimer wins the
 * rename; one that moved a newer lease than the one it judged (another
 * claimer was quicker and took the lease meanwhile) links it back.
 */
async function reclaim(leasePath: string, judged: RunLeaseHolder): Promise<void> {
  const tomb = `${tempPath(leasePath)}.stale`;
  try {
    await rename(leasePath, tomb);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw new CairnError('io', `Could not reclaim the stale run lease ${leasePath}: ${messageOf(error)}`, { path: leasePath, cause: error });
  }
  try {
    if ((await lstat(tomb)).ino !== judged.ino) await link(tomb, leasePath).catch(() => undefined);
  } finally {
    await unlink(tomb).catch(() => undefined);
  }
}

/** Whether the file at the lease path is still the one `state` wrote (same file, same lease id). */
async function stillOurs(state: HeldState): Promise<boolean> {
  try {
    if ((await lstat(state.path)).ino !== state.ino) return false;
    return decodeOwnerRecord(await readFile(state.path))?.owner.lock_id === state.record.lock_id;
  } catch {
    return false;
  }
}

function handle(state: HeldState): RunLease {
  let released = false;
  return {
    path: state.path,
    async update(activity) {
      if (released || held.get(state.path) !== state) return;
      const next = { ...state.record };
      if (activity.step !== undefined) next.step = activity.step;
      if (activity.phase !== undefined) next.phase = activity.phase;
      if (next.step === state.record.step && next.phase === state.record.phase) return;
      if (!(await stillOurs(state))) return;
      const temp = tempPath(state.path);
      await writeNewFile(temp, encodeRecord(next));
      try {
        await rename(temp, state.path);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      state.record = next;
      state.ino = (await lstat(state.path)).ino;
    },
    async release() {
      if (released) return;
      released = true;
      state.depth -= 1;
      if (state.depth > 0) return;
      clearInterval(state.heartbeat);
      held.delete(state.path);
      if (await stillOurs(state)) await unlink(state.path).catch(() => undefined);
      // Leave no empty `.leases` behind; another holder's lease keeps it.
      await rmdir(path.dirname(state.path)).catch(() => undefined);
    },
  };
}

/** True when some migration's run lease is held by a live process (another cairn may be setting a run up). */
export async function anyLiveRunLease(repoRoot: string): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(path.join(repoRoot, LEASES_RELATIVE_DIR));
  } catch {
    return false;
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const holder = await readRunLease(repoRoot, name.slice(0, -'.json'.length)).catch(() => null);
    if (holder !== null && !holder.staleness.stale) return true;
  }
  return false;
}
