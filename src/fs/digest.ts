import { createHash, type Hash } from 'node:crypto';
import { lstat, open } from 'node:fs/promises';
import path from 'node:path';
import { CairnError, messageOf, errnoCode } from '../util/index.js';
import { walkTree, type WalkFailure } from './tree.js';

const TREE_HEADER = 'continuous-refactoring-tree-v1\n';
const MISSING_MARKER = 'missing\n';
const CHUNK_BYTES = 1 << 20;

/**
 * The v1 snapshot id (`base_snapshot_id`) of a migration directory: SHA-256
 * hex over `continuous-refactoring-tree-v1\n`, then `missing\n` if `dir` does
 * not exist, else every descendant (dot-files included) in code point order
 * of its POSIX relative path: `D <rel> <mode>\0` for a directory,
 * `F <rel> <mode> <size>\0<bytes>\0` for a file, mode being the lower 12 bits
 * of st_mode in octal. The root's own mode is not hashed.
 *
 * Never follows symlinks and streams file contents. Rejects with
 * CairnError('snapshot') when the root is a symlink or not a directory, when
 * the tree holds a symlink or a special file, or on a stat or read failure.
 */
export async function snapshotId(dir: string): Promise<string> {
  const root = path.resolve(dir);
  const hash = createHash('sha256');
  hash.update(TREE_HEADER, 'utf8');

  let isDirectory: boolean;
  try {
    isDirectory = (await lstat(root)).isDirectory();
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      hash.update(MISSING_MARKER, 'utf8');
      return hash.digest('hex');
    }
    throw snapshotFailure({ op: 'stat', path: root, error });
  }
  if (!isDirectory) {
    throw new CairnError('snapshot', `Snapshot root must be a directory: ${root}`, { path: root });
  }

  const entries = await walkTree(root, snapshotFailure);
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  for (const entry of entries) {
    const mode = entry.mode.toString(8);
    switch (entry.kind) {
      case 'symlink':
        throw new CairnError('snapshot', `Snapshot contains symlink: ${entry.abs}`, { path: entry.abs });
      case 'other':
        throw new CairnError('snapshot', `Snapshot contains unsupported path: ${entry.abs}`, {
          path: entry.abs,
          hint: 'A migration holds only regular files and directories, and this is a FIFO, device or socket. Remove it (restore the file from version control if one belongs there), then run the command again.',
        });
      case 'dir':
        hash.update(`D ${entry.rel} ${mode}\0`, 'utf8');
        break;
      case 'file':
        hash.update(`F ${entry.rel} ${mode} ${entry.size}\0`, 'utf8');
        await hashFileContents(hash, entry.abs, buffer);
        hash.update('\0', 'utf8');
        break;
    }
  }
  return hash.digest('hex');
}

async function hashFileContents(hash: Hash, file: string, buffer: Buffer): Promise<void> {
  try {
    const handle = await open(file, 'r');
    try {
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) return;
        hash.update(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw snapshotFailure({ op: 'read', path: file, error });
  }
}

function snapshotFailure(failure: WalkFailure): Error {
  const message = `Could not ${failure.op} snapshot path ${failure.path}: ${messageOf(failure.error)}`;
  return new CairnError('snapshot', message, { path: failure.path, cause: failure.error });
}
