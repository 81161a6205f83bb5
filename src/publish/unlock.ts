import { rename } from 'node:fs/promises';
import path from 'node:path';
import { CairnError, messageOf } from '../util/index.js';
import { fsyncDir, removeTreeDurable } from '../fs/index.js';
import { assertTransactionsRootConfined, lockDirPath } from './layout.js';
import { newLockTombPath } from './random-names.js';
import { removeTransactionsRootIfEmpty } from './lock.js';
import { describeHolder, judgeStaleness, readLockHolder, type LockOwner } from './lock-owner.js';
import type { PublishRecorder } from './recorder.js';
import { safeRecord } from './record-safely.js';

export interface UnlockOptions {
  /** Remove the lock even though its holder looks alive. */
  force?: boolean;
  /** Run every check and report, but remove nothing. */
  dryRun?: boolean;
  recorder?: PublishRecorder;
  staleLimitMs?: number;
}

export interface UnlockResult {
  lockPath: string;
  owner: LockOwner | null;
  /** Whether the holder looked alive (so `force` was needed). */
  holderAlive: boolean;
  /** The holder as it was described before removal. */
  holder: string;
  /** False for a dry run. */
  removed: boolean;
}

/**
 * `cairn unlock <lock-id>`: removes the publish lock deliberately, like
 * `terraform force-unlock`. The id must match owner.json's `lock_id` (for
 * a lock written by continuous-refactoring, which has none, its pid). A
 * holder that still looks alive is refused unless `force`. The lock is
 * renamed to a tombstone first, and removed only if the moved directory is
 * the one that was checked.
 *
 * Throws CairnError('unsafe-path') when `__transactions__` leads out of the
 * live root, CairnError('not-found') when there is no lock, ('invalid-input')
 * when the id does not match, ('blocked') for a live holder without force.
 */
export async function unlockPublishLock(liveRoot: string, lockId: string, options: UnlockOptions = {}): Promise<UnlockResult> {
  assertTransactionsRootConfined(liveRoot);
  const lockDir = lockDirPath(liveRoot);
  const holder = await readLockHolder(lockDir);
  if (holder === null) throw new CairnError('not-found', `No publish lock is present at ${lockDir}.`, { path: lockDir, exitCode: 1 });
  const owner = holder.owner;
  const expected = owner === null ? null : owner.lock_id ?? (owner.pid === null ? null : String(owner.pid));
  if (expected === null || expected !== lockId) {
    const has =
      owner === null
        ? 'its owner.json is missing or unreadable, so it has no lock id; it is reclaimed automatically once its heartbeat is older than 10 s'
        : owner.lock_id !== null
          ? `it has lock id ${owner.lock_id}`
          : `it was written by continuous-refactoring and has no lock id; pass its pid (${owner.pid ?? 'unknown'}) instead`;
    throw new CairnError('invalid-input', `Lock id '${lockId}' does not match the publish lock at ${lockDir}: ${has}.`, { path: lockDir });
  }
  const description = describeHolder(holder);
  const alive = !judgeStaleness(holder, Date.now(), options.staleLimitMs).stale;
  if (alive && options.force !== true) {
    throw new CairnError('blocked', `The publish lock ${lockId} is held by a process that still looks alive: ${description}.`, {
      path: lockDir,
      hint: 'Wait for it to finish. Only if you are sure it is gone, pass --force.',
    });
  }
  if (options.dryRun === true) return { lockPath: lockDir, owner, holderAlive: alive, holder: description, removed: false };
  const tomb = newLockTombPath(liveRoot);
  try {
    await rename(lockDir, tomb);
  } catch (error) {
    throw new CairnError('io', `Could not remove publish lock ${lockDir}: ${messageOf(error)}`, { path: lockDir, cause: error });
  }
  const moved = await readLockHolder(tomb);
  if (moved === null || moved.ino !== holder.ino) {
    // Replaced between the check and the rename: put back what we moved.
    await rename(tomb, lockDir).catch(() => removeTreeDurable(tomb));
    throw new CairnError('failed', `The publish lock at ${lockDir} changed while it was being removed; nothing was removed.`, { path: lockDir });
  }
  await fsyncDir(path.dirname(lockDir));
  await removeTreeDurable(tomb);
  await removeTransactionsRootIfEmpty(liveRoot);
  safeRecord(options.recorder, (recorder) =>
    recorder.recordEvent({ kind: 'unlock', slug: null, details: { lock_path: lockDir, lock_id: lockId, forced: alive, owner } }),
  );
  return { lockPath: lockDir, owner, holderAlive: alive, holder: description, removed: true };
}
