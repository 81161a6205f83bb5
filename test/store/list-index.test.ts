import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint, openStore, type Fingerprint } from '../../src/store/index.js';
import { tempDir } from '../support/tmp.js';

function dep(p: string, n: number): Fingerprint {
  return { path: p, kind: 'file', size: n, mtimeNs: `${1_700_000_000_000_000_000n + BigInt(n)}`, ctimeNs: '1700000000000000001', ino: `${n}`, dev: '2049', mode: 0o100644 };
}

describe('list index', () => {
  it('stores, looks up, replaces and prunes entries per live root', () => {
    const dir = tempDir();
    const file = path.join(dir, 'cairn.db');
    const store = openStore(file);
    const root = '/repo/migrations';
    expect(store.lookupIndex(root, 'a')).toBeNull();
    store.storeIndex(root, 'a', [dep('/repo/migrations/a/manifest.json', 1)], { slug: 'a', status: 'planning' }, 1_750_000_000_000);
    store.storeIndex('/other/migrations', 'a', [], { slug: 'a', status: 'other' }, 5);
    expect(store.lookupIndex(`${root}/`, 'a')).toEqual({
      liveRoot: root,
      slug: 'a',
      deps: [dep('/repo/migrations/a/manifest.json', 1)],
      row: { slug: 'a', status: 'planning' },
      recordedAtMs: 1_750_000_000_000,
    });
    store.storeIndex(root, 'a', [dep('/repo/migrations/a/state.json', 2)], { slug: 'a', status: 'done' }, 1_750_000_000_500);
    expect(store.lookupIndex(root, 'a')?.row).toEqual({ slug: 'a', status: 'done' });
    expect(store.lookupIndex(root, 'a')?.deps.map((d) => d.path)).toEqual(['/repo/migrations/a/state.json']);

    store.storeIndexMany(root, [
      { slug: 'b', deps: [], row: 1, recordedAtMs: 10 },
      { slug: 'c', deps: [], row: [1, 2], recordedAtMs: 11 },
    ]);
    expect([...store.lookupIndexMany(root).keys()].sort()).toEqual(['a', 'b', 'c']);
    expect([...store.lookupIndexMany(root, ['c', 'zzz']).entries()]).toEqual([['c', { liveRoot: root, slug: 'c', deps: [], row: [1, 2], recordedAtMs: 11 }]]);
    const lazy = store.lookupIndexLazy(root);
    expect([...lazy.slugs()].sort()).toEqual(['a', 'b', 'c']);
    expect(lazy.get('c')).toEqual({ liveRoot: root, slug: 'c', deps: [], row: [1, 2], recordedAtMs: 11 });
    expect(lazy.get('zzz')).toBeNull();
    // A row that no longer decodes is listed (so it can be pruned) but never served.
    store.db.prepare("UPDATE list_index SET deps = 'not json' WHERE live_root = ? AND slug = 'b'").run(root);
    const damaged = store.lookupIndexLazy(root);
    expect([...damaged.slugs()].sort()).toEqual(['a', 'b', 'c']);
    expect(damaged.get('b')).toBeNull();
    expect(store.deleteIndexExcept(root, ['a', 'c'])).toBe(1);
    expect([...store.lookupIndexMany(root).keys()].sort()).toEqual(['a', 'c']);
    expect(store.lookupIndex('/other/migrations', 'a')?.row).toEqual({ slug: 'a', status: 'other' });
    store.close();

    // Deleting the store loses only the cache.
    fs.rmSync(file);
    fs.rmSync(`${file}-wal`, { force: true });
    fs.rmSync(`${file}-shm`, { force: true });
    const fresh = openStore(file);
    expect(fresh.lookupIndexMany(root).size).toBe(0);
    fresh.close();
  });

  it('stores deps compactly (paths inside the live root relative to it) and still reads entries stored one object per dep', () => {
    const store = openStore(path.join(tempDir(), 'cairn.db'));
    const root = '/repo/migrations';
    const deps = [dep('/repo/migrations/a/manifest.json', 1), dep('/repo/elsewhere/out.md', 2)];
    store.storeIndex(root, 'a', deps, { slug: 'a' }, 1_750_000_000_000);
    const stored = store.db.prepare("SELECT deps FROM list_index WHERE slug = 'a'").pluck().get() as string;
    expect(JSON.parse(stored)).toEqual([
      ['a/manifest.json', 'file', 1, deps[0]?.mtimeNs, '1700000000000000001', '1', '2049', 0o100644],
      ['/repo/elsewhere/out.md', 'file', 2, deps[1]?.mtimeNs, '1700000000000000001', '2', '2049', 0o100644],
    ]);
    expect(store.lookupIndex(root, 'a')?.deps).toEqual(deps);

    store.db.prepare("UPDATE list_index SET deps = ? WHERE slug = 'a'").run(JSON.stringify(deps));
    expect(store.lookupIndex(root, 'a')?.deps).toEqual(deps);
    // A relative path in the old form, or a short tuple, is not a dep: the entry is not served.
    store.db.prepare("UPDATE list_index SET deps = ? WHERE slug = 'a'").run(JSON.stringify([{ ...deps[0], path: 'a/manifest.json' }]));
    expect(store.lookupIndex(root, 'a')).toBeNull();
    store.db.prepare("UPDATE list_index SET deps = ? WHERE slug = 'a'").run(JSON.stringify([['a/manifest.json', 'file']]));
    expect(store.lookupIndex(root, 'a')).toBeNull();
    store.close();
  });

  it('refreshes 10,000 entries in one transaction and reads them back in one query', () => {
    const dir = tempDir();
    const store = openStore(path.join(dir, 'cairn.db'));
    const root = path.join(dir, 'migrations');
    const entries = Array.from({ length: 10_000 }, (_, i) => ({
      slug: `m-${String(i).padStart(5, '0')}`,
      deps: [dep(`${root}/m-${i}/manifest.json`, i), dep(`${root}/m-${i}/.planning/state.json`, i + 1)],
      row: { slug: `m-${i}`, n: i },
      recordedAtMs: 1_750_000_000_000,
    }));
    const changesBefore = store.db.prepare('SELECT total_changes()').pluck().get() as number;
    expect(store.storeIndexMany(root, entries)).toBe(10_000);
    expect((store.db.prepare('SELECT total_changes()').pluck().get() as number) - changesBefore).toBe(10_000);
    const all = store.lookupIndexMany(root);
    expect(all.size).toBe(10_000);
    expect(all.get('m-04321')).toEqual({ liveRoot: root, slug: 'm-04321', ...entries[4321] });
    const some = store.lookupIndexMany(root, ['m-00000', 'm-09999']);
    expect([...some.keys()]).toEqual(['m-00000', 'm-09999']);
    expect(store.deleteIndexExcept(root, entries.slice(0, 9_000).map((e) => e.slug))).toBe(1_000);
    expect(store.lookupIndexMany(root).size).toBe(9_000);
    store.close();
  });

  it('rejects bad entries and ignores stored rows that no longer parse', () => {
    const dir = tempDir();
    const store = openStore(path.join(dir, 'cairn.db'));
    const good = fingerprint(dir);
    expect(() => store.storeIndex('/r', 'x', [{ ...good, ino: 'abc' }], {})).toThrow('deps[0] of "x" is not a fingerprint.');
    expect(() => store.storeIndex('/r', 'x', [{ ...good, path: 'relative' }], {})).toThrow('deps[0] of "x" is not a fingerprint.');
    expect(() => store.storeIndex('/r', 'x', [], { n: Infinity })).toThrow('index row of "x".n is Infinity, which JSON cannot hold.');
    expect(() => store.storeIndex('/r', '', [], {})).toThrow('slug must be a non-empty string.');
    store.storeIndexMany('/r', [
      { slug: 'ok', deps: [good], row: 'fine', recordedAtMs: 1 },
      { slug: 'bad', deps: [good], row: 'fine', recordedAtMs: 1 },
    ]);
    store.db.prepare(`UPDATE list_index SET deps = '[{"path":"/x"}]' WHERE slug = 'bad'`).run();
    expect(store.lookupIndex('/r', 'bad')).toBeNull();
    expect([...store.lookupIndexMany('/r').keys()]).toEqual(['ok']);
    expect(store.lookupIndex('/r', 'ok')?.deps).toEqual([good]);
    store.close();
  });
});
