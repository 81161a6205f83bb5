import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { snapshotId } from '../../src/fs/digest.js';
import { compareCodePoints, copyTreeDurable, diffTrees, fsyncTree, listTreeFiles } from '../../src/fs/tree.js';
import { buildTree, dir, file, type Node } from '../support/tree.js';
import { tempDir } from '../support/tmp.js';


const onWindows = process.platform === 'win32';
let work: string;

beforeEach(() => {
  work = tempDir('cairn-tree-');
});

async function treeAt(name: string, node: Node): Promise<string> {
  const root = path.join(work, name);
  await buildTree(root, node);
  return root;
}

async function modeOf(target: string): Promise<number> {
  return (await lstat(target)).mode & 0o7777;
}

async function caught(promise: Promise<unknown>): Promise<CairnError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(CairnError);
  return error as CairnError;
}

const SAMPLE = dir({
  'private.txt': file('secret\n', 0o600),
  'public.md': file('# title\n'),
  'run.sh': file('#!/bin/sh\nexit 0\n', 0o755),
  'empty.txt': file('', 0o644),
  '.planning': dir({ 'state.json': file('{}\n') }, 0o700),
  frozen: dir({ 'read-only.txt': file('ro\n', 0o444) }, 0o555),
  nested: dir({ deeper: dir({ 'bytes.bin': file(Uint8Array.from([0, 255, 10, 0])) }), 'empty-dir': dir({}, 0o700) }),
  '𝄞': dir({ 'ｚ.txt': file('z\n') }),
});

describe('compareCodePoints', () => {
  it('orders astral characters after U+E000..U+FFFF, unlike the default sort', () => {
    expect(compareCodePoints('ｚ', '𝄞')).toBeLessThan(0);
    expect(['𝄞', 'ｚ'].sort()).toEqual(['𝄞', 'ｚ']);
    expect(['𝄞', 'ｚ', 'a/b', 'a-c', 'a', ''].sort(compareCodePoints)).toEqual(['', 'a', 'a-c', 'a/b', 'ｚ', '𝄞']);
  });

  it('agrees with UTF-8 byte order, which is code point order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        const expected = Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
        return Math.sign(compareCodePoints(a, b)) === expected;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('copyTreeDurable', () => {
  it('copies bytes and exact modes of files and directories, so the digest is equal', async () => {
    const src = await treeAt('src', SAMPLE);
    const dest = path.join(work, 'tx', 'staged');
    await copyTreeDurable(src, dest);

    expect(await snapshotId(dest)).toBe(await snapshotId(src));
    expect(await readFile(path.join(dest, 'private.txt'), 'utf8')).toBe('secret\n');
    expect([...(await readFile(path.join(dest, 'nested', 'deeper', 'bytes.bin')))]).toEqual([0, 255, 10, 0]);
    expect(await readFile(path.join(dest, 'empty.txt'), 'utf8')).toBe('');
    const expectedModes: [string, number][] = [
      ['private.txt', 0o600],
      ['public.md', 0o644],
      ['run.sh', 0o755],
      ['.planning', 0o700],
      ['frozen', 0o555],
      [path.join('frozen', 'read-only.txt'), 0o444],
      ['nested', 0o755],
      [path.join('nested', 'empty-dir'), 0o700],
    ];
    for (const [rel, mode] of expectedModes) {
      expect([rel, await modeOf(path.join(dest, rel))]).toEqual([rel, mode]);
    }
    expect(await readdir(path.join(dest, 'nested', 'empty-dir'))).toEqual([]);
    expect(await readdir(path.join(work, 'tx'))).toEqual(['staged']);
  });

  it('gives dest the mode of the source root', async () => {
    const src = await treeAt('src', dir({ f: file('x') }, 0o750));
    await copyTreeDurable(src, path.join(work, 'dest'));
    expect(await modeOf(path.join(work, 'dest'))).toBe(0o750);
  });

  it('copies 1,000 files in nested directories', async () => {
    const src = path.join(work, 'many');
    for (let group = 0; group < 10; group += 1) {
      const groupDir = path.join(src, `g${group}`);
      await mkdir(groupDir, { recursive: true });
      await Promise.all(
        Array.from({ length: 100 }, (_, index) => writeFile(path.join(groupDir, `f${index}.md`), `file ${group}/${index}\n`)),
      );
    }
    const dest = path.join(work, 'many-copy');
    await copyTreeDurable(src, dest);
    expect(await snapshotId(dest)).toBe(await snapshotId(src));
    expect((await listTreeFiles(dest)).length).toBe(1000);
    expect(await readFile(path.join(dest, 'g7', 'f42.md'), 'utf8')).toBe('file 7/42\n');
  });

  it('refuses a symlink anywhere before creating dest', async () => {
    const src = await treeAt('src', SAMPLE);
    const link = path.join(src, 'nested', 'deeper', 'link');
    await symlink('bytes.bin', link);
    const error = await caught(copyTreeDurable(src, path.join(work, 'dest')));
    expect(error.code).toBe('snapshot');
    expect(error.message).toBe(`Cannot copy symlink: ${link}`);
    expect((await readdir(work)).sort()).toEqual(['src']);
  });

  it('refuses a source root that is a symlink', async () => {
    const src = await treeAt('src', SAMPLE);
    const link = path.join(work, 'link');
    await symlink(src, link);
    const error = await caught(copyTreeDurable(link, path.join(work, 'dest')));
    expect([error.code, error.message]).toEqual(['snapshot', `Cannot copy symlink: ${link}`]);
  });

  it('refuses a source that is a regular file', async () => {
    const regular = path.join(work, 'regular');
    await writeFile(regular, 'x');
    const error = await caught(copyTreeDurable(regular, path.join(work, 'dest')));
    expect([error.code, error.message]).toEqual(['snapshot', `Copy source must be a directory: ${regular}`]);
    expect(await readdir(work)).toEqual(['regular']);
  });

  it.skipIf(onWindows)('refuses a fifo', async () => {
    const src = await treeAt('src', SAMPLE);
    const fifo = path.join(src, '.planning', 'pipe');
    execFileSync('mkfifo', [fifo]);
    const error = await caught(copyTreeDurable(src, path.join(work, 'dest')));
    expect([error.code, error.message]).toEqual(['snapshot', `Cannot copy unsupported path: ${fifo}`]);
  });

  it('refuses an existing dest and leaves it alone', async () => {
    const src = await treeAt('src', SAMPLE);
    const dest = await treeAt('dest', dir({ 'mine.txt': file('mine') }));
    const error = await caught(copyTreeDurable(src, dest));
    expect([error.code, error.message]).toEqual(['io', `Copy destination already exists: ${dest}`]);
    expect(await readdir(dest)).toEqual(['mine.txt']);
  });

  it('reports a missing source', async () => {
    const src = path.join(work, 'absent');
    const error = await caught(copyTreeDurable(src, path.join(work, 'dest')));
    expect([error.code, error.message]).toEqual([
      'io',
      `Could not stat ${src}: ENOENT: no such file or directory, lstat '${src}'`,
    ]);
  });
});

describe('fsyncTree and listTreeFiles', () => {
  it('fsyncs a whole tree, read-only entries included', async () => {
    const root = await treeAt('src', SAMPLE);
    await expect(fsyncTree(root)).resolves.toBeUndefined();
    expect(await snapshotId(root)).toBe(await snapshotId(await treeAt('again', SAMPLE)));
  });

  it('refuses a symlink in the tree', async () => {
    const root = await treeAt('src', SAMPLE);
    const link = path.join(root, 'link');
    await symlink('public.md', link);
    const syncError = await caught(fsyncTree(root));
    expect([syncError.code, syncError.message]).toEqual(['snapshot', `Tree contains symlink: ${link}`]);
    const listError = await caught(listTreeFiles(root));
    expect([listError.code, listError.message]).toEqual(['snapshot', `Tree contains symlink: ${link}`]);
  });

  it('refuses a root that is not a directory', async () => {
    const regular = path.join(work, 'regular');
    await writeFile(regular, 'x');
    const error = await caught(listTreeFiles(regular));
    expect([error.code, error.message]).toEqual(['snapshot', `Tree root must be a directory: ${regular}`]);
  });

  it('lists files only, in code point order, with size and mode', async () => {
    const root = await treeAt('src', SAMPLE);
    expect(await listTreeFiles(root)).toEqual([
      { rel: '.planning/state.json', size: 3, mode: 0o644 },
      { rel: 'empty.txt', size: 0, mode: 0o644 },
      { rel: 'frozen/read-only.txt', size: 3, mode: 0o444 },
      { rel: 'nested/deeper/bytes.bin', size: 4, mode: 0o644 },
      { rel: 'private.txt', size: 7, mode: 0o600 },
      { rel: 'public.md', size: 8, mode: 0o644 },
      { rel: 'run.sh', size: 17, mode: 0o755 },
      { rel: '𝄞/ｚ.txt', size: 2, mode: 0o644 },
    ]);
  });
});

describe('diffTrees', () => {
  const big = (last: number): Uint8Array => {
    const bytes = new Uint8Array(200_000).fill(7);
    bytes[bytes.length - 1] = last;
    return bytes;
  };

  const OLD = dir({
    'same.md': file('same\n'),
    'same-size.md': file('aaaa\n'),
    'grown.md': file('short\n'),
    'mode.sh': file('#!/bin/sh\n', 0o644),
    'gone.md': file('bye\n'),
    'big-same.bin': file(big(1)),
    'big-tail.bin': file(big(1)),
    a: dir({ b: file('slash\n') }),
    'ｚ.txt': file('z\n'),
  });

  const NEW = dir({
    'same.md': file('same\n'),
    'same-size.md': file('aaab\n'),
    'grown.md': file('much longer\n'),
    'mode.sh': file('#!/bin/sh\n', 0o755),
    'big-same.bin': file(big(1)),
    'big-tail.bin': file(big(2)),
    a: dir({ b: file('slash\n') }),
    'a-c': file('dash\n'),
    'new-empty-dir': dir({}),
    'ｚ.txt': file('z\n'),
    '𝄞.txt': file('clef\n'),
  });

  it('reports exact added, changed and removed files', async () => {
    const oldRoot = await treeAt('old', OLD);
    const newRoot = await treeAt('new', NEW);
    expect(await diffTrees(oldRoot, newRoot)).toEqual({
      added: [
        { path: 'a-c', size: 5 },
        { path: '𝄞.txt', size: 5 },
      ],
      changed: [
        { path: 'big-tail.bin', size: 200_000, oldSize: 200_000 },
        { path: 'grown.md', size: 12, oldSize: 6 },
        { path: 'mode.sh', size: 10, oldSize: 10 },
        { path: 'same-size.md', size: 5, oldSize: 5 },
      ],
      removed: [{ path: 'gone.md', size: 4 }],
    });
  });

  it('reports nothing for identical trees', async () => {
    expect(await diffTrees(await treeAt('old', OLD), await treeAt('copy', OLD))).toEqual({
      added: [],
      changed: [],
      removed: [],
    });
  });

  it('treats a null old tree as empty', async () => {
    const newRoot = await treeAt('new', dir({ 'b.md': file('bb'), 'a.md': file('a'), sub: dir({ 'c.md': file('') }) }));
    expect(await diffTrees(null, newRoot)).toEqual({
      added: [
        { path: 'a.md', size: 1 },
        { path: 'b.md', size: 2 },
        { path: 'sub/c.md', size: 0 },
      ],
      changed: [],
      removed: [],
    });
  });
});
