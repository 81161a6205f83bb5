import { randomUUID } from 'node:crypto';
import { lstat, rename, rmdir, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { CairnError, messageOf, localTimestamp, CAIRN_VERSION, errnoCode } from '../util/index.js';
import { fsyncDir, mkdirDurable, removeTreeDurable, writeFileDurable } from '../fs/index.js';
import { crashPoint, faultPoint } from './faults.js';
import { withClaimMutex } from './claim.js';
import { assertTransactionsRootConfined, lockDirPath, OWNER_FILE_NAME, transactionsRoot } from './layout.js';
import { newLockTombPath } from './random-names.js';
import {
  describeHolder,
  encodeOwner,
  judgeStaleness,
  readLockHolder,
  readOwner,
  STALE_LIMIT_MS,
  type LockHolder,
  type LockOwner,
  type Staleness,
} from './lock-owner.js';
import type { PublishRecorder } from './recorder.js';
import { safeRecord } from './record-safely.js';
import { movedRootTarget, relativeRoot } from './moved-roots.js';
import { lockWaitSink } from './lock-wait.js';

/*
 * The publish lock `<live>/__transactions__/.lock` (docs/durability.md §4).
 *
 * proper-lockfile creates the lock directory (mkdir) and refreshes its mtime
 * (the heartbeat). Its own stale takeover is switched off (an effectively
 * infinite `stale`): it removes the old lock with `rmdir` and re-creates it,
 * which both races (two processes can end up holding the lock) and fails
 * once owner.json is inside. cairn judges staleness itself and claims a
 * stale lock by renaming it to a unique tombstone, which only one claimer
 * can do; claimers also serialise on a claim mutex (claim.ts) and judge the
 * lock again inside it, then check that what they moved is what they judged.
 *
 * Writing owner.json changes the lock directory's mtime, which
 * proper-lockfile would take for a lost lock at its next heartbeat, so the
 * mtime it recorded is put back right after the write.
 */

const HEARTBEAT_MS = 2_500;
const NEVER_STALE_MS = Number.MAX_SAFE_INTEGER;
const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 200;

/**
 * Lock ids this process wrote into a lock directory and then gave up (it
 * lost a race while acquiring). A claimer that moved such a directory away
 * may put it back at the lock path; this process then recognises it as its
 * own leftover instead of waiting for its heartbeat to go stale.
 */
const abandonedLockIds = new Set<string>();

function isOwnAbandonedOwner(owner: LockOwner): boolean {
  return owner.pid === process.pid && owner.lock_id !== null && abandonedLockIds.has(owner.lock_id);
}

function isOwnAbandoned(holder: LockHolder): boolean {
  return holder.owner !== null && isOwnAbandonedOwner(holder.owner);
}

/** Staleness, counting this process's own abandoned lock directories as stale. */
function judge(holder: LockHolder, staleLimitMs: number): Staleness {
  if (isOwnAbandoned(holder)) return { stale: true, cause: 'holder-gone', reason: 'left behind by this process after a lost acquisition race' };
  return judgeStaleness(holder, Date.now(), staleLimitMs);
}

/** A proper-lockfile `fs` whose rmdir leaves the directory alone: `unlock` then only stops the heartbeat. */
const KEEP_DIRECTORY_FS = {
  rmdir: (_path: string, callback: (error: null) => void) => callback(null),
};

export interface AcquireLockOptions {
  /** Recorded in owner.json, e.g. `migration.new`. */
  operation: string;
  /** How long to wait for a live holder before failing with `lock-timeout`. */
  timeoutMs: number;
  recorder?: PublishRecorder | undefined;
  /** Overrides the 10 s stale limit (tests). */
  staleLimitMs?: number | undefined;
  /** Told once, with the live holder, when the lock could not be taken within a second. */
  onWait?: ((holder: LockHolder) => void) | undefined;
  /**
   * The repository: once the lock is taken, a migrations root recorded as
   * moved (moved-roots.ts) is refused, and the lock given back.
   */
  repoRoot?: string | undefined;
}

/** How long a publish waits before `onWait` is told. */
const WAIT_NOTICE_MS = 1000;

function tellWaiting(holder: LockHolder, onWait: ((holder: LockHolder) => void) | undefined): void {
  for (const tell of [onWait, lockWaitSink()]) {
    try {
      tell?.(holder);
    } catch {
      // A notice that cannot be shown must not disturb the wait.
    }
  }
}

/** A stale lock this acquisition removed. */
export interface ReclaimedLock {
  owner: LockOwner | null;
  reason: string;
}

/** The publish lock, held by this process. */
export interface HeldLock {
  readonly liveRoot: string;
  readonly path: string;
  readonly lockId: string;
  readonly owner: LockOwner;
  /** Stale locks removed while acquiring this one. */
  readonly reclaimed: readonly ReclaimedLock[];
  /** The error proper-lockfile reported when the heartbeat found the lock gone or replaced; null while held. */
  compromised(): Error | null;
  /**
   * Checks that the lock is still this process's: the heartbeat saw no
   * problem, the lock directory is the one created, and owner.json carries
   * this lock id. Throws CairnError('failed') otherwise.
   */
  assertHeld(): Promise<void>;
  /**
   * Releases the lock: stops the heartbeat, then (if still ours) renames the
   * lock directory to a tombstone and removes it, and removes
   * `__transactions__` when it is left empty. Idempotent.
   */
  release(): Promise<void>;
  /**
   * Stops the heartbeat and lets go without touching the lock directory:
   * for a lock moved away together with its migrations root.
   */
  forget(): Promise<void>;
}

/**
 * A waiter that took the lock of a migrations root moved while it waited
 * (moved-roots.ts): gives the lock back, removes the root its lock
 * acquisition recreated (when empty), and refuses.
 */
async function refuseMovedRoot(repoRoot: string, liveRoot: string, held: HeldLock): Promise<void> {
  const target = await movedRootTarget(repoRoot, liveRoot);
  if (target === null) return;
  await held.release().catch(() => undefined);
  await rmdir(liveRoot).catch(() => undefined);
  throw new CairnError('blocked', `The migrations root moved to ${target}; nothing was done in ${relativeRoot(repoRoot, liveRoot)}.`, {
    path: liveRoot,
    hint: `Run the command again: it reads the new "migrations_dir" from .planning/config.json.`,
  });
}

/**
 * Takes the publish lock of `liveRoot`, waiting up to `timeoutMs` for a live
 * holder and reclaiming stale locks (each reclaim is recorded as a
 * `lock.reclaimed` event). Fails with CairnError('lock-timeout', exit 3)
 * naming the holder, or CairnError('io') when the lock cannot be created.
 */
export async function acquirePublishLock(liveRoot: string, options: AcquireLockOptions): Promise<HeldLock> {
  assertTransactionsRootConfined(liveRoot);
  const root = transactionsRoot(liveRoot);
  const lockDir = lockDirPath(liveRoot);
  const staleLimit = options.staleLimitMs ?? STALE_LIMIT_MS;
  const deadline = Date.now() + Math.max(0, options.timeoutMs);
  const reclaimed: ReclaimedLock[] = [];
  let pollMs = FIRST_POLL_MS;
  const startedAt = Date.now();
  let waitTold = false;

  for (;;) {
    try {
      faultPoint('lock-acquire');
      await mkdirDurable(root);
    } catch (error) {
      // ENOENT: a releasing holder removed `__transactions__` while mkdir -p ran; try again.
      if (errnoCode(error) === 'ENOENT' && Date.now() < deadline) continue;
      throw new CairnError('io', `Could not acquire publish lock ${lockDir}: ${messageOf(error)}`, { path: lockDir, cause: error });
    }
    const held = await tryTakeLock(liveRoot, options.operation, reclaimed);
    if (held !== null) {
      if (options.repoRoot !== undefined) await refuseMovedRoot(options.repoRoot, liveRoot, held);
      return held;
    }

    const holder = await readLockHolder(lockDir).catch(() => null);
    if (holder === null) {
      if (Date.now() >= deadline) throw lockTimeout(lockDir, null, options.timeoutMs, Date.now());
      continue;
    }
    const verdict = judge(holder, staleLimit);
    if (verdict.stale) {
      const claim = await claimStaleLock(liveRoot, holder, staleLimit);
      if (claim === null) {
        if (Date.now() >= deadline) throw lockTimeout(lockDir, holder, options.timeoutMs, Date.now());
        await sleep(FIRST_POLL_MS * (1 + Math.random()));
      } else if (claim.owner === null || !isOwnAbandonedOwner(claim.owner)) {
        reclaimed.push(claim);
        safeRecord(options.recorder, (recorder) =>
          recorder.recordEvent({
            kind: 'lock.reclaimed',
            slug: null,
            details: { lock_path: lockDir, reason: claim.reason, previous_owner: claim.owner, by_operation: options.operation },
          }),
        );
      }
      continue;
    }
    const now = Date.now();
    if (now >= deadline) throw lockTimeout(lockDir, holder, options.timeoutMs, now);
    if (!waitTold && now - startedAt >= WAIT_NOTICE_MS) {
      waitTold = true;
      tellWaiting(holder, options.onWait);
    }
    const jitter = Math.random() * pollMs;
    await sleep(Math.min(pollMs + jitter, Math.max(1, deadline - now)));
    pollMs = Math.min(MAX_POLL_MS, pollMs * 2);
  }
}

/**
 * Runs `fn` under the publish lock and releases it on every path. A
 * release failure after `fn` succeeded is thrown unless `onReleaseError`
 * takes it.
 */
export async function withPublishLock<T>(
  liveRoot: string,
  options: AcquireLockOptions & { onReleaseError?: (error: unknown) => void },
  fn: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const lock = await acquirePublishLock(liveRoot, options);
  let result: T;
  try {
    result = await fn(lock);
  } catch (error) {
    await lock.release().catch(() => undefined);
    throw error;
  }
  try {
    await lock.release();
  } catch (error) {
    if (options.onReleaseError === undefined) throw error;
    options.onReleaseError(error);
  }
  return result;
}

interface LockState {
  compromised: Error | null;
}

/** One attempt: null when someone else holds the lock (or won the race for it). */
async function tryTakeLock(liveRoot: string, operation: string, reclaimed: ReclaimedLock[]): Promise<HeldLock | null> {
  const root = transactionsRoot(liveRoot);
  const lockDir = lockDirPath(liveRoot);
  const state: LockState = { compromised: null };
  try {
    await lockfile.lock(root, {
      lockfilePath: lockDir,
      realpath: false,
      stale: NEVER_STALE_MS,
      update: HEARTBEAT_MS,
      retries: 0,
      onCompromised: (error) => {
        state.compromised = error;
      },
    });
  } catch (error) {
    const code = errnoCode(error);
    // ENOENT: `__transactions__` was removed by a releasing holder; retry.
    if (code === 'ELOCKED' || code === 'EEXIST' || code === 'ENOENT') return null;
    throw new CairnError('io', `Could not acquire publish lock ${lockDir}: ${messageOf(error)}`, { path: lockDir, cause: error });
  }

  let created;
  try {
    created = await lstat(lockDir);
  } catch {
    await stopHeartbeat(root, lockDir);
    return null; // Moved away already by someone else: lost race.
  }
  const owner = {
    created_at: localTimestamp(),
    hostname: os.hostname(),
    lock_id: randomUUID(),
    operation,
    pid: process.pid,
    tool: `cairn ${CAIRN_VERSION}`,
  };
  const ownerPath = path.join(lockDir, OWNER_FILE_NAME);
  try {
    await writeFileDurable(ownerPath, encodeOwner(owner));
    await utimes(lockDir, created.atime, created.mtime);
  } catch (error) {
    await stopHeartbeat(root, lockDir);
    if (!(await isSameDirectory(lockDir, created.ino))) {
      abandonedLockIds.add(owner.lock_id);
      return null; // Moved away mid-write: lost race.
    }
    await removeTreeDurable(lockDir).catch(() => undefined);
    throw new CairnError('io', `Could not write publish lock metadata ${ownerPath}: ${messageOf(error)}`, {
      path: ownerPath,
      cause: error,
    });
  }
  const owns = await ownsLock(lockDir, created.ino, owner.lock_id);
  if (state.compromised !== null || !owns) {
    // A reclaimer moved the directory away between mkdir and now (lost race),
    // or the heartbeat fired before the mtime was restored: start over.
    await stopHeartbeat(root, lockDir);
    abandonedLockIds.add(owner.lock_id);
    if (owns) await discardLockDir(liveRoot).catch(() => undefined);
    return null;
  }
  return new Held(liveRoot, owner, created.ino, state, [...reclaimed]);
}

class Held implements HeldLock {
  readonly path: string;
  readonly lockId: string;
  private released = false;

  constructor(
    readonly liveRoot: string,
    readonly owner: LockOwner,
    private readonly ino: number,
    private readonly state: LockState,
    readonly reclaimed: readonly ReclaimedLock[],
  ) {
    this.path = lockDirPath(liveRoot);
    this.lockId = owner.lock_id as string;
  }

  compromised(): Error | null {
    return this.state.compromised;
  }

  async assertHeld(): Promise<void> {
    if (this.released) throw lockLost(this.path, 'it was already released');
    if (this.state.compromised !== null) throw lockLost(this.path, messageOf(this.state.compromised));
    if (!(await ownsLock(this.path, this.ino, this.lockId))) {
      throw lockLost(this.path, 'the lock directory was removed or replaced by another process');
    }
  }

  async forget(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await stopHeartbeat(transactionsRoot(this.liveRoot), this.path);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const root = transactionsRoot(this.liveRoot);
    await stopHeartbeat(root, this.path);
    faultPoint('lock-release');
    if (!(await ownsLock(this.path, this.ino, this.lockId))) {
      abandonedLockIds.add(this.lockId);
      const there = await readLockHolder(this.path).catch(() => null);
      if (there !== null && isOwnAbandoned(there)) await claimStaleLock(this.liveRoot, there, STALE_LIMIT_MS).catch(() => null);
      throw new CairnError('failed', `Could not release publish lock ${this.path}: it is no longer held by this process`, {
        path: this.path,
      });
    }
    try {
      await discardLockDir(this.liveRoot);
    } catch (error) {
      throw new CairnError('io', `Could not release publish lock ${this.path}: ${messageOf(error)}`, {
        path: this.path,
        cause: error,
      });
    }
    await removeTransactionsRootIfEmpty(this.liveRoot);
  }
}

/**
 * Frees the lock path atomically (rename to a tombstone, so a waiter never
 * sees a half-removed lock), then removes the tombstone. The caller has
 * checked that the lock is its own.
 */
async function discardLockDir(liveRoot: string): Promise<void> {
  const tomb = newLockTombPath(liveRoot);
  await rename(lockDirPath(liveRoot), tomb);
  await fsyncDir(transactionsRoot(liveRoot));
  await removeTreeDurable(tomb);
}

/**
 * Removes `__transactions__` when nothing is left in it, ignoring a race
 * with another process that just created something there.
 */
export async function removeTransactionsRootIfEmpty(liveRoot: string): Promise<void> {
  try {
    await rmdir(transactionsRoot(liveRoot));
    await fsyncDir(liveRoot);
  } catch {
    // Not empty (another lock or transaction, or a foreign leftover) or gone.
  }
}

/**
 * Moves a lock judged stale out of the way by renaming it to a unique
 * tombstone; only one claimer can win that rename. The claimer then checks
 * that it moved the lock it judged (same directory and owner) or another
 * stale one; a live lock moved by mistake is put back. Returns what was
 * reclaimed, or null when the claim was lost.
 */
async function claimStaleLock(liveRoot: string, seen: LockHolder, staleLimitMs: number): Promise<ReclaimedLock | null> {
  const claimed = await withClaimMutex(liveRoot, async () => {
    // Judged again inside the mutex: another claimer may have replaced the lock meanwhile.
    const judged = await readLockHolder(lockDirPath(liveRoot)).catch(() => null);
    if (judged === null || judged.ino !== seen.ino || !sameOwner(judged.owner, seen.owner)) return null;
    if (!judge(judged, staleLimitMs).stale) return null;
    return moveStaleLock(liveRoot, judged, staleLimitMs);
  });
  return claimed ?? null;
}

/** Inside the claim mutex: renames the judged lock to a tombstone, checks what moved, removes it. */
async function moveStaleLock(liveRoot: string, judged: LockHolder, staleLimitMs: number): Promise<ReclaimedLock | null> {
  const lockDir = lockDirPath(liveRoot);
  const tomb = newLockTombPath(liveRoot);
  try {
    await rename(lockDir, tomb);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return null;
    throw new CairnError('io', `Could not reclaim stale publish lock ${lockDir}: ${messageOf(error)}`, { path: lockDir, cause: error });
  }
  const moved = await readLockHolder(tomb).catch(() => null);
  if (moved === null) return null;
  const sameLock =
    moved.ino === judged.ino && sameOwner(moved.owner, judged.owner) && (moved.owner !== null || moved.mtimeMs === judged.mtimeMs);
  const verdict = judge(sameLock ? judged : moved, staleLimitMs);
  if (!verdict.stale) {
    // A fresh lock was moved by mistake. Without owner.json its creator has
    // not verified it yet and will retry, so it is dropped; otherwise it is
    // put back so a holder that already verified it is not robbed.
    if (moved.owner === null) {
      await removeTreeDurable(tomb).catch(() => undefined);
      return null;
    }
    try {
      await rename(tomb, lockDir);
    } catch {
      await removeTreeDurable(tomb).catch(() => undefined);
    }
    return null;
  }
  crashPoint('lock-claimed');
  await fsyncDir(path.dirname(lockDir));
  await removeTreeDurable(tomb).catch(() => undefined);
  return { owner: moved.owner, reason: verdict.reason };
}

function sameOwner(a: LockOwner | null, b: LockOwner | null): boolean {
  if (a === null || b === null) return a === b;
  return a.lock_id === b.lock_id && a.pid === b.pid && a.created_at === b.created_at && a.operation === b.operation;
}

async function ownsLock(lockDir: string, ino: number, lockId: string): Promise<boolean> {
  if (!(await isSameDirectory(lockDir, ino))) return false;
  const owner = await readOwner(lockDir);
  return owner !== null && owner.lock_id === lockId;
}

async function isSameDirectory(dir: string, ino: number): Promise<boolean> {
  try {
    return (await lstat(dir)).ino === ino;
  } catch {
    return false;
  }
}

async function stopHeartbeat(root: string, lockDir: string): Promise<void> {
  try {
    await lockfile.unlock(root, { realpath: false, lockfilePath: lockDir, fs: KEEP_DIRECTORY_FS });
  } catch {
    // ENOTACQUIRED: the heartbeat already stopped (compromised).
  }
}

function lockTimeout(lockDir: string, holder: LockHolder | null, timeoutMs: number, now: number): CairnError {
  const held = holder === null ? 'it kept changing hands' : `it is held by ${describeHolder(holder, now)}`;
  return new CairnError(
    'lock-timeout',
    `Timed out after ${timeoutMs} ms waiting for the publish lock ${lockDir}; ${held}`,
    {
      path: lockDir,
      hint:
        'Wait for that command to finish, or retry with a longer --lock-timeout. If the holder is gone for good, ' +
        'check with `cairn doctor --all`, then release it with `cairn unlock <lock-id>`.',
    },
  );
}

function lockLost(lockDir: string, why: string): CairnError {
  return new CairnError('failed', `The publish lock ${lockDir} was lost: ${why}`, { path: lockDir });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
