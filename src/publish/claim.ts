import { lstat, mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { removeTreeDurable } from '../fs/index.js';
import { claimDirPath, OWNER_FILE_NAME } from './layout.js';
import { newLockTombPath } from './random-names.js';
import { encodeOwner, judgeStaleness, readLockHolder, STALE_LIMIT_MS } from './lock-owner.js';
import { localTimestamp, CAIRN_VERSION, errnoCode } from '../util/index.js';

/*
 * The claim mutex `__transactions__/.lock.claim`. Judging a lock stale and
 * renaming it away are two steps; a claimer that judged the old lock and
 * renames only after another claimer has already replaced it would move a
 * fresh, live lock. Claimers therefore take this mutex (mkdir) first and
 * judge the lock again inside it, so they never overlap. Acquiring a free
 * lock never needs it. A claimer that died inside leaves the mutex behind;
 * it is stale by the same rules as the lock (dead pid on this host, or
 * older than the stale limit) and is removed by the next claimer or by
 * recovery.
 */

/**
 * Runs `fn` holding the claim mutex. Resolves to null without running it
 * when another claimer holds the mutex (a stale mutex is removed first, so
 * the caller's next attempt can take it).
 */
export async function withClaimMutex<T>(liveRoot: string, fn: () => Promise<T>): Promise<T | null> {
  const claimDir = claimDirPath(liveRoot);
  try {
    await mkdir(claimDir);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') {
      await removeStaleClaim(liveRoot);
      return null;
    }
    if (code === 'ENOENT') return null;
    throw error;
  }
  const ino = (await lstat(claimDir)).ino;
  try {
    const owner = encodeOwner({
      created_at: localTimestamp(),
      hostname: os.hostname(),
      lock_id: `claim-${process.pid}`,
      operation: 'lock.claim',
      pid: process.pid,
      tool: `cairn ${CAIRN_VERSION}`,
    });
    await writeFile(path.join(claimDir, OWNER_FILE_NAME), owner);
    return await fn();
  } finally {
    await releaseClaim(liveRoot, ino);
  }
}

/** Removes the claim mutex when its holder is dead or it is older than the stale limit. Returns whether it did. */
export async function removeStaleClaim(liveRoot: string, staleLimitMs: number = STALE_LIMIT_MS): Promise<boolean> {
  const holder = await readLockHolder(claimDirPath(liveRoot)).catch(() => null);
  if (holder === null || !judgeStaleness(holder, Date.now(), staleLimitMs).stale) return false;
  return moveAwayAndRemove(liveRoot, holder.ino);
}

async function releaseClaim(liveRoot: string, ino: number): Promise<void> {
  await moveAwayAndRemove(liveRoot, ino).catch(() => false);
}

/** Renames the claim directory to a tombstone and removes it, if it still is the directory `ino`. */
async function moveAwayAndRemove(liveRoot: string, ino: number): Promise<boolean> {
  const claimDir = claimDirPath(liveRoot);
  const tomb = newLockTombPath(liveRoot);
  try {
    if ((await lstat(claimDir)).ino !== ino) return false;
    await rename(claimDir, tomb);
  } catch {
    return false;
  }
  await removeTreeDurable(tomb).catch(() => undefined);
  return true;
}
