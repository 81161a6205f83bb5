import { chmod, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import {
  fsyncDir,
  fsyncFile,
  mkdirDurable,
  removeTreeDurable,
  renameDurable,
  writeFileDurable,
} from '../../src/fs/durable.js';
import { tempDir } from '../support/tmp.js';

const isRoot = process.getuid?.() === 0;
const onWindows = process.platform === 'win32';
let work: string;

beforeEach(() => {
  work = tempDir('cairn-durable-');
});

async function modeOf(target: string): Promise<number> {
  return (await stat(target)).mode & 0o7777;
}

async function rejection(promise: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: NodeJS.ErrnoException) => error,
  );
}

describe('fsyncDir and fsyncFile', () => {
  it('flush an existing directory and file', async () => {
    const target = path.join(work, 'f');
    await writeFile(target, 'x');
    await expect(fsyncDir(work)).resolves.toBeUndefined();
    await expect(fsyncFile(target)).resolves.toBeUndefined();
  });

  it.skipIf(onWindows)('propagate the open error for a missing path', async () => {
    expect((await rejection(fsyncDir(path.join(work, 'nope')))).code).toBe('ENOENT');
    expect((await rejection(fsyncFile(path.join(work, 'nope')))).code).toBe('ENOENT');
  });
});

describe('writeFileDurable', () => {
  it('writes exact string bytes with an exact mode and leaves no temp file', async () => {
    const target = path.join(work, 'state.json');
    await writeFileDurable(target, '{\n  "ü": "\\u00fc"\n}\n', { mode: 0o640 });
    expect(await readFile(target, 'utf8')).toBe('{\n  "ü": "\\u00fc"\n}\n');
    expect(await modeOf(target)).toBe(0o640);
    expect(await readdir(work)).toEqual(['state.json']);
  });

  it('writes exactly the viewed bytes of a Uint8Array slice', async () => {
    const target = path.join(work, 'bin');
    const backing = Uint8Array.from([9, 9, 0, 1, 2, 255, 9]);
    await writeFileDurable(target, backing.subarray(2, 6), { mode: 0o600 });
    expect([...(await readFile(target))]).toEqual([0, 1, 2, 255]);
    expect(await modeOf(target)).toBe(0o600);
  });

  it('replaces an existing file and keeps its mode when none is given', async () => {
    const target = path.join(work, 'plan.md');
    await writeFile(target, 'old contents that are longer\n');
    await chmod(target, 0o604);
    await writeFileDurable(target, 'new\n');
    expect(await readFile(target, 'utf8')).toBe('new\n');
    expect(await modeOf(target)).toBe(0o604);
    expect(await readdir(work)).toEqual(['plan.md']);
  });

  it('sets an explicit mode on an existing file, ignoring the umask', async () => {
    const target = path.join(work, 'run.sh');
    await writeFile(target, 'x');
    await chmod(target, 0o600);
    await writeFileDurable(target, 'y', { mode: 0o777 });
    expect(await modeOf(target)).toBe(0o777);
  });

  it('replaces the file behind a symlink and keeps the link', async () => {
    const real = path.join(work, 'real.txt');
    const link = path.join(work, 'link.txt');
    await writeFile(real, 'before');
    await symlink('real.txt', link);
    await writeFileDurable(link, 'after');
    expect(await readlink(link)).toBe('real.txt');
    expect(await readFile(real, 'utf8')).toBe('after');
    expect((await readdir(work)).sort()).toEqual(['link.txt', 'real.txt']);
  });

  it('leaves the target untouched and no temp file when the final rename fails', async () => {
    // The target is a non-empty directory: the temp file is written and
    // fsynced, then the rename over the directory fails.
    const target = path.join(work, 'occupied');
    await mkdir(target);
    await writeFile(path.join(target, 'keep.txt'), 'kept');
    const error = await rejection(writeFileDurable(target, 'data', { mode: 0o644 }));
    expect(error.code).toBe('EISDIR');
    expect(await readdir(work)).toEqual(['occupied']);
    expect(await readdir(target)).toEqual(['keep.txt']);
    expect(await readFile(path.join(target, 'keep.txt'), 'utf8')).toBe('kept');
  });

  it('fails without creating anything when the parent is a regular file', async () => {
    const blocker = path.join(work, 'blocker');
    await writeFile(blocker, 'plain file');
    const error = await rejection(writeFileDurable(path.join(blocker, 'child.txt'), 'data'));
    expect(error.code).toBe('ENOTDIR');
    expect(await readdir(work)).toEqual(['blocker']);
    expect(await readFile(blocker, 'utf8')).toBe('plain file');
  });

  it.skipIf(isRoot || onWindows)('fails without a temp file in a read-only directory, keeping the old bytes', async () => {
    const locked = path.join(work, 'locked');
    await mkdir(locked);
    const target = path.join(locked, 'state.json');
    await writeFile(target, 'old');
    await chmod(locked, 0o555);
    try {
      const error = await rejection(writeFileDurable(target, 'new'));
      expect(error.code).toBe('EACCES');
      expect(await readdir(locked)).toEqual(['state.json']);
      expect(await readFile(target, 'utf8')).toBe('old');
    } finally {
      await chmod(locked, 0o755);
    }
  });

  it('serializes concurrent writes to one file so the last call wins', async () => {
    const target = path.join(work, 'race.txt');
    await Promise.all(['one', 'two', 'three'].map((text) => writeFileDurable(target, text, { mode: 0o644 })));
    expect(await readFile(target, 'utf8')).toBe('three');
    expect(await readdir(work)).toEqual(['race.txt']);
  });
});

describe('mkdirDurable', () => {
  it('creates every missing level of a nested path', async () => {
    const deep = path.join(work, 'a', 'b', 'c');
    await mkdirDurable(deep);
    for (const level of [path.join(work, 'a'), path.join(work, 'a', 'b'), deep]) {
      expect((await lstat(level)).isDirectory()).toBe(true);
    }
    expect(await readdir(deep)).toEqual([]);
  });

  it('keeps an existing directory and its contents', async () => {
    const existing = path.join(work, 'existing');
    await mkdir(existing);
    await writeFile(path.join(existing, 'f'), 'x');
    await mkdirDurable(existing);
    await mkdirDurable(path.join(existing, 'child'));
    expect((await readdir(existing)).sort()).toEqual(['child', 'f']);
  });

  it('creates a missing level below an existing one from a relative path', async () => {
    const relative = path.relative(process.cwd(), path.join(work, 'rel', 'x'));
    await mkdirDurable(relative);
    expect(await readdir(path.join(work, 'rel'))).toEqual(['x']);
  });

  it('rejects when a regular file is in the way', async () => {
    const blocker = path.join(work, 'blocker');
    await writeFile(blocker, 'x');
    expect(['EEXIST', 'ENOTDIR']).toContain((await rejection(mkdirDurable(path.join(blocker, 'sub')))).code);
    expect((await rejection(mkdirDurable(blocker))).code).toBe('EEXIST');
  });
});

describe('removeTreeDurable', () => {
  it('removes a nested tree with dot-files', async () => {
    const tree = path.join(work, 'tree');
    await mkdir(path.join(tree, 'x', 'y'), { recursive: true });
    await writeFile(path.join(tree, 'x', 'y', 'f'), 'data');
    await writeFile(path.join(tree, '.dot'), 'data');
    await removeTreeDurable(tree);
    expect(await readdir(work)).toEqual([]);
  });

  it('removes a single file', async () => {
    await writeFile(path.join(work, 'f'), 'x');
    await writeFile(path.join(work, 'g'), 'x');
    await removeTreeDurable(path.join(work, 'f'));
    expect(await readdir(work)).toEqual(['g']);
  });

  it('does nothing for a missing path, even under a missing parent', async () => {
    await removeTreeDurable(path.join(work, 'absent'));
    await removeTreeDurable(path.join(work, 'absent', 'deeper'));
    expect(await readdir(work)).toEqual([]);
  });

  it('unlinks symlinks in the tree (and the tree itself when it is one) without descending into their targets', async () => {
    const outside = path.join(work, 'outside');
    await mkdir(path.join(outside, 'sub'), { recursive: true });
    await writeFile(path.join(outside, 'sub', 'keep.txt'), 'keep');
    const tree = path.join(work, 'tree');
    await mkdir(path.join(tree, 'nested'), { recursive: true });
    await symlink(outside, path.join(tree, 'linked-dir'));
    await symlink(path.join(outside, 'sub'), path.join(tree, 'nested', 'deeper'));
    await symlink(outside, path.join(work, 'tree-link'));
    await removeTreeDurable(tree);
    await removeTreeDurable(path.join(work, 'tree-link'));
    expect((await readdir(work)).sort()).toEqual(['outside']);
    expect(await readFile(path.join(outside, 'sub', 'keep.txt'), 'utf8')).toBe('keep');
  });

  it('refuses a filesystem root', async () => {
    const root = path.parse(work).root;
    const error = await rejection(removeTreeDurable(root));
    expect(error).toBeInstanceOf(CairnError);
    expect([(error as unknown as CairnError).code, error.message]).toEqual([
      'internal',
      `Refusing to remove a filesystem root: ${root}`,
    ]);
  });
});

describe('renameDurable', () => {
  it('moves a directory into another directory', async () => {
    const from = path.join(work, 'staged');
    const toParent = path.join(work, 'live');
    await mkdir(path.join(from, 'sub'), { recursive: true });
    await writeFile(path.join(from, 'sub', 'f.md'), 'content');
    await mkdir(toParent);
    await renameDurable(from, path.join(toParent, 'slug'));
    expect((await readdir(work)).sort()).toEqual(['live']);
    expect(await readFile(path.join(toParent, 'slug', 'sub', 'f.md'), 'utf8')).toBe('content');
  });

  it('renames within one directory, replacing an existing file', async () => {
    await writeFile(path.join(work, 'new'), 'new bytes');
    await writeFile(path.join(work, 'old'), 'old bytes');
    await renameDurable(path.join(work, 'new'), path.join(work, 'old'));
    expect(await readdir(work)).toEqual(['old']);
    expect(await readFile(path.join(work, 'old'), 'utf8')).toBe('new bytes');
  });

  it('rejects and keeps the source when the destination parent is missing', async () => {
    await writeFile(path.join(work, 'src'), 'x');
    expect((await rejection(renameDurable(path.join(work, 'src'), path.join(work, 'no', 'dst')))).code).toBe('ENOENT');
    expect(await readdir(work)).toEqual(['src']);
  });
});
