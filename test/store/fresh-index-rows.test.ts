import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint, isIndexEntryFresh, openStore, type Fingerprint, type Store } from '../../src/store/index.js';
import { tempDir } from '../support/tmp.js';
import { sleep } from '../support/wait.js';

/** Small racy window, with waits longer than it (and than the kernel's coarse clock tick). */
const WINDOW = { racyWindowMs: 20 };
const SETTLE_MS = 40;
const OLD_MTIME = 1_700_000_000;

function writeOld(file: string, content: string): void {
  fs.writeFileSync(file, content);
  fs.utimesSync(file, OLD_MTIME, OLD_MTIME);
}

/** What `freshIndexRows` serves for `slug` must be what decoding the entry and `isIndexEntryFresh` say. */
function served(store: Store, root: string, slug: string, options: { racyWindowMs?: number } = WINDOW): boolean {
  const entry = store.lookupIndex(root, slug);
  const expected = entry !== null && isIndexEntryFresh(entry, options);
  const fresh = store.freshIndexRows(root, options);
  expect(fresh.slugs).toContain(slug);
  expect(fresh.rows.has(slug)).toBe(expected);
  if (expected) expect(fresh.rows.get(slug)).toEqual(entry?.row);
  return expected;
}

/** A live root with one migration `m`: a manifest, a state file, a stages directory and a missing file. */
async function settledMigration(store: Store) {
  const root = path.join(tempDir(), 'migrations');
  const dir = path.join(root, 'm');
  fs.mkdirSync(path.join(dir, 'stages'), { recursive: true });
  const manifest = path.join(dir, 'manifest.json');
  const state = path.join(dir, 'state.json');
  const stages = path.join(dir, 'stages');
  const absent = path.join(dir, 'reviews.jsonl');
  writeOld(manifest, '{"status":"planning"}');
  writeOld(state, '{"step":1}');
  fs.utimesSync(stages, OLD_MTIME, OLD_MTIME);
  await sleep(SETTLE_MS);
  const recordedAtMs = Date.now();
  const deps = [manifest, state, stages, absent].map((p) => fingerprint(p));
  store.storeIndex(root, 'm', deps, { slug: 'm', status: 'planning' }, recordedAtMs);
  return { root, dir, manifest, state, stages, absent, deps, recordedAtMs };
}

describe('freshIndexRows', () => {
  it('serves an untouched entry and agrees with isIndexEntryFresh after each kind of change', async () => {
    const store = openStore(path.join(tempDir(), 'cairn.db'));
    const changes: [string, (m: Awaited<ReturnType<typeof settledMigration>>) => void][] = [
      ['size', (m) => writeOld(m.manifest, '{"status":"ready"}   ')],
      ['mtime', (m) => fs.utimesSync(m.state, OLD_MTIME + 1, OLD_MTIME + 1)],
      ['ctime only (same size, mtime restored)', (m) => writeOld(m.state, '{"step":2}')],
      ['inode (replaced by rename)', (m) => {
        writeOld(`${m.state}.tmp`, '{"step":1}');
        fs.renameSync(`${m.state}.tmp`, m.state);
      }],
      ['mode', (m) => fs.chmodSync(m.manifest, 0o600)],
      ['replaced by a symlink', (m) => {
        fs.rmSync(m.state);
        fs.symlinkSync(m.manifest, m.state);
      }],
      ['deleted', (m) => fs.rmSync(m.manifest)],
      ['a missing dep appears', (m) => writeOld(m.absent, '')],
      ['a file appears in a directory dep', (m) => writeOld(path.join(m.stages, 'out.md'), 'x')],
      ['touched', (m) => fs.utimesSync(m.state, new Date(), new Date())],
    ];
    // Stored as if recorded a second from now, so that the racy rule (which a
    // change made now would trip) leaves the field comparison to decide.
    const recordLater = (m: Awaited<ReturnType<typeof settledMigration>>) => store.storeIndex(m.root, 'm', m.deps, { slug: 'm' }, Date.now() + 1000);
    const untouched = await settledMigration(store);
    expect(served(store, untouched.root, 'm')).toBe(true);
    recordLater(untouched);
    expect(served(store, untouched.root, 'm')).toBe(true);
    for (const [name, change] of changes) {
      const m = await settledMigration(store);
      change(m);
      expect({ name, fresh: served(store, m.root, 'm') }).toEqual({ name, fresh: false });
      recordLater(m);
      expect({ name, fresh: served(store, m.root, 'm') }).toEqual({ name, fresh: false });
    }
    store.close();
  });

  it('applies the racy rule to what was recorded just now, and to nothing missing', async () => {
    const store = openStore(path.join(tempDir(), 'cairn.db'));
    const m = await settledMigration(store);
    // Recorded within the default window (2 s) of the files' ctime: never trusted.
    store.storeIndex(m.root, 'm', m.deps, { slug: 'm' }, m.recordedAtMs);
    expect(served(store, m.root, 'm', {})).toBe(false);
    // Recorded well after: trusted.
    store.storeIndex(m.root, 'm', m.deps, { slug: 'm' }, m.recordedAtMs + 5000);
    expect(served(store, m.root, 'm', {})).toBe(true);
    // A missing dep alone (here one whose parent is a file: ENOTDIR) is fresh at once.
    const underFile = fingerprint(path.join(m.manifest, 'x'));
    expect(underFile.kind).toBe('missing');
    store.storeIndex(m.root, 'only-missing', [fingerprint(m.absent), underFile], { slug: 'only-missing' }, Date.now());
    expect(served(store, m.root, 'only-missing', {})).toBe(true);
    store.close();
  });

  it('reads every stored form: one object per dep, absolute paths, and paths that need normalizing', async () => {
    const store = openStore(path.join(tempDir(), 'cairn.db'));
    const m = await settledMigration(store);
    const outside = path.join(path.dirname(m.root), 'outside.md');
    writeOld(outside, 'o');
    await sleep(SETTLE_MS);
    const recordedAtMs = Date.now();
    const setDeps = (slug: string, deps: unknown) => {
      store.storeIndex(m.root, slug, [], { slug }, recordedAtMs);
      store.db.prepare('UPDATE list_index SET deps = ? WHERE live_root = ? AND slug = ?').run(JSON.stringify(deps), m.root, slug);
    };
    const tuple = (dep: Fingerprint, stored: string) => [stored, dep.kind, dep.size, dep.mtimeNs, dep.ctimeNs, dep.ino, dep.dev, dep.mode];
    const manifest = fingerprint(m.manifest);
    setDeps('objects', [manifest, fingerprint(outside)]);
    setDeps('absolute', [tuple(fingerprint(outside), outside), tuple(manifest, 'm/manifest.json')]);
    setDeps('dot-segments', [tuple(manifest, 'm/./manifest.json'), tuple(manifest, 'x/../m/manifest.json')]);
    setDeps('doubled-separator', [tuple(manifest, 'm//manifest.json')]);
    setDeps('trailing-separator', [tuple(fingerprint(m.stages), 'm/stages/')]);
    for (const slug of ['objects', 'absolute', 'dot-segments', 'doubled-separator', 'trailing-separator']) {
      expect({ slug, fresh: served(store, m.root, slug) }).toEqual({ slug, fresh: true });
    }
    fs.appendFileSync(outside, '+');
    expect(served(store, m.root, 'objects')).toBe(false);
    expect(served(store, m.root, 'absolute')).toBe(false);
    store.close();
  });

  it('never serves an entry stored in a form a fingerprint cannot hold, or that no longer parses', async () => {
    const store = openStore(path.join(tempDir(), 'cairn.db'));
    const m = await settledMigration(store);
    const dep = fingerprint(m.manifest);
    const good = ['m/manifest.json', dep.kind, dep.size, dep.mtimeNs, dep.ctimeNs, dep.ino, dep.dev, dep.mode];
    const variants: Record<string, unknown> = {
      'size as a string': good.map((v, i) => (i === 2 ? String(v) : v)),
      'mtime zero-padded': good.map((v, i) => (i === 3 ? `0${v}` : v)),
      'ino as a number': good.map((v, i) => (i === 5 ? Number(v) : v)),
      'unknown kind': good.map((v, i) => (i === 1 ? 'symlink' : v)),
      'one field short': good.slice(0, 7),
      'empty path': good.map((v, i) => (i === 0 ? '' : v)),
      'missing with a non-zero field': ['m/none', 'missing', 0, '0', '0', '0', '0', 1],
      'missing stored as an empty file': ['m/none', 'file', 0, '0', '0', '0', '0', 0],
      // Each field one off from the file's own.
      'another kind': good.map((v, i) => (i === 1 ? 'dir' : v)),
      'another size': good.map((v, i) => (i === 2 ? dep.size + 1 : v)),
      'another mtime': good.map((v, i) => (i === 3 ? String(BigInt(dep.mtimeNs) + 1n) : v)),
      'another ctime': good.map((v, i) => (i === 4 ? String(BigInt(dep.ctimeNs) - 1n) : v)),
      'another inode': good.map((v, i) => (i === 5 ? String(BigInt(dep.ino) + 1n) : v)),
      'another device': good.map((v, i) => (i === 6 ? String(BigInt(dep.dev) + 1n) : v)),
      'another mode': good.map((v, i) => (i === 7 ? dep.mode ^ 0o100 : v)),
    };
    const recordedAtMs = Date.now();
    for (const [slug, stored] of Object.entries(variants)) {
      store.storeIndex(m.root, slug, [], { slug }, recordedAtMs);
      store.db.prepare('UPDATE list_index SET deps = ? WHERE live_root = ? AND slug = ?').run(JSON.stringify([good, stored]), m.root, slug);
      expect({ slug, fresh: served(store, m.root, slug) }).toEqual({ slug, fresh: false });
    }
    store.storeIndex(m.root, 'bad-deps', [], {}, recordedAtMs);
    store.db.prepare(`UPDATE list_index SET deps = 'not json' WHERE slug = 'bad-deps'`).run();
    store.storeIndex(m.root, 'bad-row', [], {}, recordedAtMs);
    store.db.prepare(`UPDATE list_index SET row = '{' WHERE slug = 'bad-row'`).run();
    const fresh = store.freshIndexRows(m.root, WINDOW);
    expect(fresh.rows.has('bad-deps')).toBe(false);
    expect(fresh.rows.has('bad-row')).toBe(false);
    expect([...fresh.rows.keys()]).toEqual(['m']);
    expect(fresh.slugs.sort()).toEqual(['bad-deps', 'bad-row', 'm', ...Object.keys(variants)].sort());
    // Entries of another live root are neither checked nor listed.
    expect(store.freshIndexRows(path.join(m.root, 'elsewhere'), WINDOW)).toEqual({ rows: new Map(), slugs: [] });
    store.close();
  });
});
