import { compareCodePoints, CairnError, messageOf, errnoCode } from '../util/index.js';
import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, fsyncFile, mkdirDurable } from './durable.js';

/** One descendant of a walked tree. `mode` holds the lower 12 bits of st_mode. */
export interface TreeEntry {
  /** POSIX path relative to the walked root, built from directory entry names. */
  rel: string;
  abs: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  size: number;
}

/** A walk failure: which system call failed, on which path. */
export interface WalkFailure {
  op: 'stat' | 'read';
  path: string;
  error: unknown;
}

/** A file in a tree listing; `mode` holds the lower 12 bits of st_mode. */
export interface TreeFile {
  rel: string;
  size: number;
  mode: number;
}

/** One line of a tree diff: `size` is the new size (the old one for removals). */
export interface DiffEntry {
  path: string;
  size: number;
  oldSize?: number;
}

export interface TreeDiff {
  added: DiffEntry[];
  changed: DiffEntry[];
  removed: DiffEntry[];
}

const PARALLEL_FILES = 16;
const CHUNK_BYTES = 1 << 18;
const isWindows = process.platform === 'win32';


/**
 * Lists every descendant of `root` (never following symlinks; the root itself
 * excluded), sorted by relative path in code point order. Symlinks and special
 * files are reported as entries, not errors, so that each caller can refuse
 * the first one in sorted order with its own message. I/O failures are passed
 * to `fail`, whose returned error is thrown.
 */
export async function walkTree(root: string, fail: (failure: WalkFailure) => Error): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const pending: { abs: string; rel: string }[] = [{ abs: root, rel: '' }];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let names: string[];
    try {
      names = await readdir(dir.abs);
    } catch (error) {
      throw fail({ op: 'read', path: dir.abs, error });
    }
    const children = await mapLimit(names, PARALLEL_FILES, async (name) => {
      const abs = path.join(dir.abs, name);
      let stats: Stats;
      try {
        stats = await lstat(abs);
      } catch (error) {
        throw fail({ op: 'stat', path: abs, error });
      }
      const entry: TreeEntry = {
        rel: dir.rel === '' ? name : `${dir.rel}/${name}`,
        abs,
        kind: kindOf(stats),
        mode: stats.mode & 0o7777,
        size: stats.size,
      };
      return entry;
    });
    for (const child of children) {
      entries.push(child);
      if (child.kind === 'dir') pending.push({ abs: child.abs, rel: child.rel });
    }
  }
  return entries.sort((a, b) => compareCodePoints(a.rel, b.rel));
}

/**
 * Copies the directory tree `src` into `dest`, which must not exist yet
 * (missing parents of `dest` are created durably). Copies regular files and
 * directories only, preserving their permission bits exactly, so that the
 * snapshot digest of `dest` equals that of `src`. Every file and directory is
 * fsynced once its contents are written, then `dest`'s parent is fsynced.
 *
 * A symlink or special file anywhere in `src` is refused before anything is
 * created: CairnError('snapshot', "Cannot copy symlink: <path>" or "Cannot
 * copy unsupported path: <path>"; a `src` that is a regular file: "Copy
 * source must be a directory: <path>"). An existing `dest` is
 * CairnError('io', "Copy destination already exists: <path>"). Other I/O
 * failures are CairnError('io') naming the path; a copy that fails midway
 * leaves the partial `dest` for the caller to inspect or remove.
 */
export async function copyTreeDurable(src: string, dest: string): Promise<void> {
  const srcRoot = path.resolve(src);
  const destRoot = path.resolve(dest);
  const rootStats = await statOrFail(srcRoot);
  if (rootStats.isSymbolicLink()) {
    throw new CairnError('snapshot', `Cannot copy symlink: ${srcRoot}`, { path: srcRoot });
  }
  if (!rootStats.isDirectory()) {
    throw new CairnError('snapshot', `Copy source must be a directory: ${srcRoot}`, { path: srcRoot });
  }
  const entries = await walkTree(srcRoot, ioFailure);
  for (const entry of entries) {
    if (entry.kind === 'symlink') {
      throw new CairnError('snapshot', `Cannot copy symlink: ${entry.abs}`, { path: entry.abs });
    }
    if (entry.kind === 'other') {
      throw new CairnError('snapshot', `Cannot copy unsupported path: ${entry.abs}`, { path: entry.abs });
    }
  }

  await ioStep('create', path.dirname(destRoot), () => mkdirDurable(path.dirname(destRoot)));
  try {
    await mkdir(destRoot, { mode: 0o700 });
  } catch (error) {
    const message =
      errnoCode(error) === 'EEXIST'
        ? `Copy destination already exists: ${destRoot}`
        : `Could not create ${destRoot}: ${messageOf(error)}`;
    throw new CairnError('io', message, { path: destRoot, cause: error });
  }

  // Directories stay owner-writable until their entries are in place; their
  // real modes are applied deepest first, just before each one is fsynced.
  const dirs = entries.filter((entry) => entry.kind === 'dir');
  for (const dir of dirs) {
    const target = path.join(destRoot, dir.rel);
    await ioStep('create', target, () => mkdir(target, { mode: 0o700 }));
  }
  const files = entries.filter((entry) => entry.kind === 'file');
  await mapLimit(files, PARALLEL_FILES, (file) =>
    copyFileDurable(file.abs, path.join(destRoot, file.rel), file.mode, file.size),
  );
  for (const dir of [...dirs].reverse()) {
    await finishDirectory(path.join(destRoot, dir.rel), dir.mode);
  }
  await finishDirectory(destRoot, rootStats.mode & 0o7777);
  await ioStep('fsync', path.dirname(destRoot), () => fsyncDir(path.dirname(destRoot)));
}

/**
 * Fsyncs every file and directory under `dir` (and `dir` itself), directories
 * after their contents. Refuses symlinks and special files
 * (CairnError('snapshot'), "Tree contains symlink: <path>" / "Tree contains
 * unsupported path: <path>"); I/O failures are CairnError('io').
 */
export async function fsyncTree(dir: string): Promise<void> {
  const root = path.resolve(dir);
  const entries = await supportedEntries(root);
  const files = entries.filter((entry) => entry.kind === 'file');
  await mapLimit(files, PARALLEL_FILES, (file) => ioStep('fsync', file.abs, () => fsyncFile(file.abs)));
  const dirs = entries.filter((entry) => entry.kind === 'dir').reverse();
  for (const entry of dirs) {
    await ioStep('fsync', entry.abs, () => fsyncDir(entry.abs));
  }
  await ioStep('fsync', root, () => fsyncDir(root));
}

/**
 * The regular files under `dir`, sorted by relative path in code point order.
 * Refuses symlinks and special files like {@link fsyncTree}.
 */
export async function listTreeFiles(dir: string): Promise<TreeFile[]> {
  const entries = await supportedEntries(path.resolve(dir));
  return entries
    .filter((entry) => entry.kind === 'file')
    .map((entry) => ({ rel: entry.rel, size: entry.size, mode: entry.mode }));
}

/**
 * Compares the files of two trees (`oldDir` null: no old tree, everything is
 * added). A file is changed when its size, bytes or permission bits differ;
 * bytes are compared streaming, only when sizes are equal. Directories are
 * not listed, so an added or removed empty directory does not appear. Each
 * list is sorted by path in code point order.
 */
export async function diffTrees(oldDir: string | null, newDir: string): Promise<TreeDiff> {
  const oldRoot = oldDir === null ? null : path.resolve(oldDir);
  const newRoot = path.resolve(newDir);
  const oldFiles = oldRoot === null ? [] : await listTreeFiles(oldRoot);
  const newFiles = await listTreeFiles(newRoot);
  const oldByPath = new Map(oldFiles.map((file) => [file.rel, file]));
  const newPaths = new Set(newFiles.map((file) => file.rel));

  const added: DiffEntry[] = [];
  const candidates: { file: TreeFile; old: TreeFile }[] = [];
  for (const file of newFiles) {
    const old = oldByPath.get(file.rel);
    if (old === undefined) added.push({ path: file.rel, size: file.size });
    else candidates.push({ file, old });
  }
  const differs = await mapLimit(candidates, PARALLEL_FILES, async ({ file, old }) => {
    if (file.size !== old.size || file.mode !== old.mode) return true;
    return !(await sameBytes(path.join(oldRoot!, old.rel), path.join(newRoot, file.rel)));
  });
  const changed = candidates
    .filter((_, index) => differs[index])
    .map(({ file, old }) => ({ path: file.rel, size: file.size, oldSize: old.size }));
  const removed = oldFiles
    .filter((file) => !newPaths.has(file.rel))
    .map((file) => ({ path: file.rel, size: file.size }));
  return { added, changed, removed };
}

async function supportedEntries(root: string): Promise<TreeEntry[]> {
  const rootStats = await statOrFail(root);
  if (!rootStats.isDirectory()) {
    throw new CairnError('snapshot', `Tree root must be a directory: ${root}`, { path: root });
  }
  const entries = await walkTree(root, ioFailure);
  for (const entry of entries) {
    if (entry.kind === 'symlink') {
      throw new CairnError('snapshot', `Tree contains symlink: ${entry.abs}`, { path: entry.abs });
    }
    if (entry.kind === 'other') {
      throw new CairnError('snapshot', `Tree contains unsupported path: ${entry.abs}`, { path: entry.abs });
    }
  }
  return entries;
}

async function copyFileDurable(from: string, to: string, mode: number, sizeHint: number): Promise<void> {
  let input: FileHandle | undefined;
  let output: FileHandle | undefined;
  try {
    input = await ioStep('read', from, () => open(from, 'r'));
    output = await ioStep('create', to, () => open(to, 'wx', 0o600));
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(sizeHint, 1)));
    for (;;) {
      const { bytesRead } = await ioStep('read', from, () => input!.read(buffer, 0, buffer.length, null));
      if (bytesRead === 0) break;
      let written = 0;
      while (written < bytesRead) {
        const result = await ioStep('write', to, () => output!.write(buffer, written, bytesRead - written));
        written += result.bytesWritten;
      }
    }
    await ioStep('chmod', to, () => output!.chmod(mode));
    await ioStep('fsync', to, () => output!.sync());
  } finally {
    await input?.close().catch(() => undefined);
    if (output !== undefined) await ioStep('close', to, () => output!.close());
  }
}

async function finishDirectory(dir: string, mode: number): Promise<void> {
  if (isWindows) {
    await ioStep('chmod', dir, () => chmod(dir, mode));
    return;
  }
  // One handle, opened while the directory is still 0o700, so that a final
  // mode without read permission cannot stop the fsync.
  const handle = await ioStep('open', dir, () => open(dir, 'r'));
  try {
    await ioStep('chmod', dir, () => handle.chmod(mode));
    await ioStep('fsync', dir, () => handle.sync());
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** True when both files hold exactly the same bytes (compared in chunks). */
async function sameBytes(a: string, b: string): Promise<boolean> {
  const handleA = await ioStep('read', a, () => open(a, 'r'));
  try {
    const handleB = await ioStep('read', b, () => open(b, 'r'));
    try {
      const bufferA = Buffer.allocUnsafe(1 << 16);
      const bufferB = Buffer.allocUnsafe(1 << 16);
      for (;;) {
        const readA = await ioStep('read', a, () => readFull(handleA, bufferA));
        const readB = await ioStep('read', b, () => readFull(handleB, bufferB));
        if (readA !== readB) return false;
        if (readA === 0) return true;
        if (!bufferA.subarray(0, readA).equals(bufferB.subarray(0, readB))) return false;
      }
    } finally {
      await handleB.close().catch(() => undefined);
    }
  } finally {
    await handleA.close().catch(() => undefined);
  }
}

/** Reads until `buffer` is full or the file ends; returns the bytes read. */
async function readFull(handle: FileHandle, buffer: Buffer): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

function kindOf(stats: Stats): TreeEntry['kind'] {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'dir';
  if (stats.isFile()) return 'file';
  return 'other';
}

async function statOrFail(target: string): Promise<Stats> {
  return ioStep('stat', target, () => lstat(target));
}

/** A walk failure as CairnError('io') naming the operation and the path. */
export function ioFailure(failure: WalkFailure): Error {
  return new CairnError('io', `Could not ${failure.op} ${failure.path}: ${messageOf(failure.error)}`, {
    path: failure.path,
    cause: failure.error,
  });
}

/** Runs one filesystem step, turning a failure into CairnError('io') naming the path. */
async function ioStep<T>(op: string, target: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof CairnError) throw error;
    throw new CairnError('io', `Could not ${op} ${target}: ${messageOf(error)}`, { path: target, cause: error });
  }
}

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export { compareCodePoints };
