import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, open, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { snapshotId } from '../../src/fs/digest.js';
import { copyTreeDurable } from '../../src/fs/tree.js';
import { buildTree, dir, file, type Node } from '../support/tree.js';
import { tempDir } from '../support/tmp.js';


const FLAT = dir({
  'a.txt': file('hello\n'),
  'b.sh': file('#!/bin/sh\necho hi\n', 0o755),
  secret: file('', 0o600),
  '.hidden': file('dot\n'),
});

// Exercises the global code point order: `a-c` sorts between `a` and `a/b`,
// and U+FF5A (ｚ) sorts before U+1D11E (𝄞), the reverse of UTF-16 unit order.
const NESTED = dir({
  '.planning': dir({ 'state.json': file('{\n  "next_step": "approaches"\n}\n') }),
  docs: dir({ empty: dir({}), deep: dir({ er: dir({ 'leaf.md': file('# leaf\n', 0o600) }, 0o700) }) }, 0o700),
  'a-c': file('dash\n'),
  a: dir({ b: file('slash\n') }),
  'é.md': file('accent\n'),
  'ｚ.txt': file('fullwidth z\n'),
  '𝄞.txt': file('clef\n', 0o755),
  '日本.txt': file('japan\n'),
  'bytes.bin': file(Uint8Array.from({ length: 256 }, (_, index) => index), 0o600),
});

// Digests computed by an independent implementation of docs/format.md §11.
const EMPTY_ID = 'ed70a23040600d859c0b161602ca87bb2b5f596973a6b86fd483de20447baa86';
const FLAT_ID = 'b5635db0ec1406bd9dc441fdc838d26886b6673f42d1b2a25024affb8f45a010';
const NESTED_ID = 'e097ff124a731df95df5ac9e840969e6f002f65b0ee923545e56dad25dd68033';
const MISSING_ID = 'ffa3512ecda2d4f5d99901737470967b58f0cac32ee1361f8c90a31e792688d5';
/** One 50 MiB file `big.bin` (mode 644) whose byte i is i % 251. */
const BIG_ID = '9775398fe694a968b0eb0ef9d51b2803f9356f11863364183962871d24e8f1ab';

const isRoot = process.getuid?.() === 0;
let work: string;

beforeEach(() => {
  work = tempDir('cairn-digest-');
});

async function treeAt(name: string, node: Node): Promise<string> {
  const root = path.join(work, name);
  await buildTree(root, node);
  return root;
}

async function expectSnapshotError(dir: string, message: string): Promise<void> {
  const error = await snapshotId(dir).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CairnError);
  expect((error as CairnError).code).toBe('snapshot');
  expect((error as CairnError).message).toBe(message);
}

describe('snapshotId vectors', () => {
  it('hashes an empty directory as the header alone', async () => {
    const expected = createHash('sha256').update('continuous-refactoring-tree-v1\n').digest('hex');
    expect(expected).toBe(EMPTY_ID);
    expect(await snapshotId(await treeAt('empty', dir({}, 0o700)))).toBe(EMPTY_ID);
  });

  it('hashes a missing directory as the header plus "missing"', async () => {
    const expected = createHash('sha256').update('continuous-refactoring-tree-v1\nmissing\n').digest('hex');
    expect(expected).toBe(MISSING_ID);
    expect(await snapshotId(path.join(work, 'absent'))).toBe(MISSING_ID);
    expect(await snapshotId(path.join(work, 'absent', 'deeper'))).toBe(MISSING_ID);
  });

  it('matches the reference digest of a flat tree with a dot-file, an empty file and modes 600/644/755', async () => {
    expect(await snapshotId(await treeAt('flat', FLAT))).toBe(FLAT_ID);
  });

  it('matches the reference digest of a nested tree with unicode names, an empty dir and binary bytes', async () => {
    expect(await snapshotId(await treeAt('nested', NESTED))).toBe(NESTED_ID);
  });

  it('ignores the root directory mode and name', async () => {
    const root = await treeAt('other-name', FLAT);
    await chmod(root, 0o711);
    expect(await snapshotId(root)).toBe(FLAT_ID);
  });

  it('accepts a relative path', async () => {
    const root = await treeAt('flat', FLAT);
    expect(await snapshotId(path.relative(process.cwd(), root))).toBe(FLAT_ID);
  });

  it('streams a 50 MiB file without holding it in memory', async () => {
    const root = path.join(work, 'big');
    await mkdir(root);
    const target = path.join(root, 'big.bin');
    const chunk = Buffer.alloc(251 * 4096, 0);
    for (let index = 0; index < chunk.length; index += 1) chunk[index] = index % 251;
    const handle = await open(target, 'w');
    for (let left = 50 * 1024 * 1024; left > 0; left -= chunk.length) {
      await handle.write(chunk, 0, Math.min(left, chunk.length));
    }
    await handle.close();
    await chmod(target, 0o644);

    const rssBefore = process.memoryUsage().rss;
    expect(await snapshotId(root)).toBe(BIG_ID);
    const growth = process.memoryUsage().rss - rssBefore;
    expect(growth).toBeLessThan(40 * 1024 * 1024);
  });
});

describe('snapshotId sensitivity', () => {
  it('is stable across calls and across a copy', async () => {
    const root = await treeAt('nested', NESTED);
    expect(await snapshotId(root)).toBe(NESTED_ID);
    expect(await snapshotId(root)).toBe(NESTED_ID);
    const copy = path.join(work, 'copy');
    await copyTreeDurable(root, copy);
    expect(await snapshotId(copy)).toBe(NESTED_ID);
  });

  it('changes for one byte, one mode bit, a rename, an empty dir and a dot-file, each differently', async () => {
    const variants: Record<string, (root: string) => Promise<void>> = {
      byte: (root) => writeFile(path.join(root, 'a.txt'), 'hellO\n'),
      mode: (root) => chmod(path.join(root, 'a.txt'), 0o645),
      rename: (root) => rename(path.join(root, 'a.txt'), path.join(root, 'a2.txt')),
      emptyDir: (root) => mkdir(path.join(root, 'new-dir'), { mode: 0o755 }).then(() => chmod(path.join(root, 'new-dir'), 0o755)),
      dotFile: (root) => writeFile(path.join(root, '.env'), '').then(() => chmod(path.join(root, '.env'), 0o644)),
    };
    const ids = new Map<string, string>([['original', FLAT_ID]]);
    for (const [name, change] of Object.entries(variants)) {
      const root = await treeAt(name, FLAT);
      await change(root);
      ids.set(name, await snapshotId(root));
    }
    expect(new Set(ids.values()).size).toBe(ids.size);
  });

  it('does not depend on the order entries were created in', async () => {
    const names = fc.stringMatching(/^[a-zA-Z0-9._é日𝄞ｚ-]{1,6}$/u).filter((name) => name !== '.' && name !== '..');
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(names, { minLength: 1, maxLength: 8 }), async (list) => {
        const forward = path.join(work, 'forward');
        const backward = path.join(work, 'backward');
        await buildTree(forward, dir(Object.fromEntries(list.map((name) => [name, file(name)]))));
        await buildTree(backward, dir(Object.fromEntries([...list].reverse().map((name) => [name, file(name)]))));
        const same = (await snapshotId(forward)) === (await snapshotId(backward));
        await rm(forward, { recursive: true });
        await rm(backward, { recursive: true });
        return same;
      }),
      { numRuns: 30 },
    );
  });
});

describe('snapshotId refusals', () => {
  it('refuses a symlink anywhere in the tree, naming its absolute path', async () => {
    const root = await treeAt('nested', NESTED);
    const link = path.join(root, 'docs', 'deep', 'link');
    await chmod(path.join(root, 'docs', 'deep'), 0o755);
    await symlink('../../a-c', link);
    await expectSnapshotError(root, `Snapshot contains symlink: ${link}`);
  });

  it('refuses a dangling symlink', async () => {
    const root = await treeAt('flat', FLAT);
    await symlink('nowhere', path.join(root, 'z-dangling'));
    await expectSnapshotError(root, `Snapshot contains symlink: ${path.join(root, 'z-dangling')}`);
  });

  it('refuses a root that is a symlink to a directory', async () => {
    const target = await treeAt('flat', FLAT);
    const link = path.join(work, 'link');
    await symlink(target, link);
    await expectSnapshotError(link, `Snapshot root must be a directory: ${link}`);
  });

  it('refuses a root that is a regular file', async () => {
    const regular = path.join(work, 'regular');
    await writeFile(regular, 'x');
    await expectSnapshotError(regular, `Snapshot root must be a directory: ${regular}`);
  });

  it.skipIf(process.platform === 'win32')('refuses a fifo as an unsupported path', async () => {
    const root = await treeAt('flat', FLAT);
    const fifo = path.join(root, 'pipe');
    execFileSync('mkfifo', [fifo]);
    await expectSnapshotError(root, `Snapshot contains unsupported path: ${fifo}`);
  });

  it.skipIf(isRoot || process.platform === 'win32')('reports an unreadable file', async () => {
    const root = await treeAt('flat', FLAT);
    const secret = path.join(root, 'secret');
    await chmod(secret, 0o000);
    await expectSnapshotError(
      root,
      `Could not read snapshot path ${secret}: EACCES: permission denied, open '${secret}'`,
    );
  });

  it.skipIf(isRoot || process.platform === 'win32')('reports an unlistable directory', async () => {
    const root = await treeAt('nested', NESTED);
    const docs = path.join(root, 'docs');
    await chmod(docs, 0o000);
    try {
      await expectSnapshotError(root, `Could not read snapshot path ${docs}: EACCES: permission denied, scandir '${docs}'`);
    } finally {
      await chmod(docs, 0o700);
    }
  });
});
