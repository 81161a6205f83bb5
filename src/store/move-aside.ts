import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { compactUtc } from './ids.js';
import { errnoCode } from '../util/index.js';

/** SQLite's side files, which belong to the database next to them. */
export const SIDE_FILE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/** Device and inode of a file, or null when it does not exist. */
export function fileIdentity(file: string): string | null {
  const stat = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
  return stat === undefined ? null : `${stat.dev}:${stat.ino}`;
}

function renameIfPresent(from: string, to: string): boolean {
  try {
    fs.renameSync(from, to);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

function fsyncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Renames a damaged store to `<name>.corrupt-<yyyymmddThhmmss>[-<hex>]`, side
 * files first (as `<moved>-wal` etc., so SQLite can still open the moved
 * copy with them) so a fresh store never picks up the damaged store's WAL.
 * Moves nothing and returns null when the file at `storePath` is no longer
 * the one judged damaged (`identity`), e.g. another process already
 * recovered it.
 */
export function moveStoreAside(storePath: string, identity: string | null, at: Date): string | null {
  if (identity === null || fileIdentity(storePath) !== identity) return null;
  let target = `${storePath}.corrupt-${compactUtc(at)}`;
  if ([target, ...SIDE_FILE_SUFFIXES.map((s) => target + s)].some((p) => fs.existsSync(p))) {
    target = `${target}-${randomBytes(3).toString('hex')}`;
  }
  for (const suffix of SIDE_FILE_SUFFIXES) renameIfPresent(storePath + suffix, target + suffix);
  const moved = renameIfPresent(storePath, target);
  fsyncDirectory(path.dirname(storePath));
  return moved ? target : null;
}
