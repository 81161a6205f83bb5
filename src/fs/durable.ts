import { lstat, mkdir, open, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type writeFileAtomic from 'write-file-atomic';
import { CairnError } from '../util/index.js';

/*
 * Filesystem operations that are durable once they resolve: every changed
 * file is fsynced and so is every directory whose entries changed
 * (docs/durability.md §1–2).
 *
 * These helpers reject with the underlying Node error (errno `code` intact,
 * paths in the message) so that the publish transaction decides the outcome
 * and wording. A failed fsync is fatal and never retried: after a failed
 * fsync the kernel may already have dropped the dirty pages.
 */

const isWindows = process.platform === 'win32';

/**
 * Flushes a directory's entries (creations, renames, removals) to stable
 * storage by opening it read-only and calling fsync. A no-op on Windows,
 * where a directory cannot be opened this way.
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (isWindows) return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Flushes a regular file's data and metadata to stable storage. Opens the file
 * read-only on POSIX (so read-only files can be flushed too) and read-write on
 * Windows, where flushing needs write access.
 */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, isWindows ? 'r+' : 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` with `data` atomically and durably: write-file-atomic writes
 * a temp sibling, fsyncs it and renames it over the target; then the parent
 * directory is fsynced so the rename itself survives a power loss.
 *
 * The parent directory must exist. `mode` sets the permission bits exactly
 * (umask does not apply); without it an existing file keeps its mode and a new
 * file gets 0o666 minus the umask. If the target is a symlink, the file it
 * points to is replaced and the link is kept. On failure the target is
 * untouched and the temp file is removed.
 */
export async function writeFileDurable(
  file: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  const payload = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // write-file-atomic mutates its options object, so give it a fresh one.
  const atomicOptions: writeFileAtomic.Options = { fsync: true };
  if (options.mode !== undefined) atomicOptions.mode = options.mode;
  // Loaded on the first write: read-only commands never pay for it.
  const { default: writeAtomic } = await import('write-file-atomic');
  await writeAtomic(file, payload, atomicOptions);
  const written = await realpath(file).catch(() => path.resolve(file));
  await fsyncDir(path.dirname(written));
}

/**
 * Creates `dir` and any missing ancestors (like `mkdir -p`), then fsyncs the
 * parent of every directory it actually created, deepest first. Resolves
 * without doing anything if `dir` already exists as a directory.
 */
export async function mkdirDurable(dir: string): Promise<void> {
  const target = path.resolve(dir);
  const firstCreated = await mkdir(target, { recursive: true });
  if (firstCreated === undefined) return;
  const created: string[] = [];
  for (let current = target; ; current = path.dirname(current)) {
    created.push(current);
    if (current === firstCreated || path.dirname(current) === current) break;
  }
  for (const createdDir of created) {
    await fsyncDir(path.dirname(createdDir));
  }
}

/**
 * Removes `target` recursively (like `rm -rf`), then fsyncs its parent so the
 * removal is durable. Resolves without doing anything if `target` does not
 * exist. Refuses a filesystem root.
 */
export async function removeTreeDurable(target: string): Promise<void> {
  const resolved = path.resolve(target);
  if (path.dirname(resolved) === resolved) {
    throw new CairnError('internal', `Refusing to remove a filesystem root: ${resolved}`, { path: resolved });
  }
  try {
    await lstat(resolved);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  await rm(resolved, { recursive: true, force: true });
  await fsyncDir(path.dirname(resolved));
}

/**
 * Renames `from` to `to` (atomic on one filesystem), then fsyncs the parent
 * directory of both paths (once when they share it).
 */
export async function renameDurable(from: string, to: string): Promise<void> {
  await rename(from, to);
  const fromParent = path.dirname(path.resolve(from));
  const toParent = path.dirname(path.resolve(to));
  await fsyncDir(toParent);
  if (fromParent !== toParent) await fsyncDir(fromParent);
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}
