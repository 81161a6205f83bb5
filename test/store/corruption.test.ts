import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { LATEST_STORE_VERSION, inspectStore, openStore } from '../../src/store/index.js';
import { fileIdentity, moveStoreAside } from '../../src/store/move-aside.js';
import { tempDir } from '../support/tmp.js';

/** A closed store holding `runs` finished runs with 2 KB of output each. */
function storeWithHistory(runs: number): string {
  const file = path.join(tempDir(), '.planning', 'cairn.db');
  const store = openStore(file);
  for (let i = 0; i < runs; i++) {
    const id = store.recordRunStart({ slug: `m-${i}`, step: 'plan', agent: 'manual' });
    store.recordRunEnd(id, { verdict: 'accepted', stdout: `${i}`.padEnd(2048, '.') });
  }
  store.close();
  return file;
}

const MOVED = /^cairn\.db\.corrupt-\d{8}T\d{6}$/;

function expectFreshRecoveredStore(file: string, reason: string): string {
  const store = openStore(file);
  expect(store.recovered).not.toBeNull();
  const movedTo = store.recovered!.movedTo;
  expect(path.dirname(movedTo)).toBe(path.dirname(file));
  expect(path.basename(movedTo)).toMatch(MOVED);
  expect(store.recovered).toEqual({ movedTo, reason });
  expect(store.schemaVersion).toBe(LATEST_STORE_VERSION);
  expect(store.listRuns()).toEqual([]);
  expect(store.listEvents().map((e) => [e.kind, e.slug, e.details])).toEqual([['store.recovered', null, { movedTo, reason }]]);
  store.close();
  // The next open finds a sound store: nothing more is moved.
  const again = openStore(file);
  expect(again.recovered).toBeNull();
  expect(again.listEvents().length).toBe(1);
  again.close();
  return movedTo;
}

describe('a damaged store', () => {
  it('garbage bytes: moved aside, its stale -wal/-shm never reach the fresh store', () => {
    const file = storeWithHistory(3);
    const garbage = Buffer.from(Array.from({ length: 16384 }, (_, i) => (i * 7919 + 13) % 251));
    fs.writeFileSync(file, garbage);
    fs.writeFileSync(`${file}-wal`, 'stale wal bytes');
    fs.writeFileSync(`${file}-shm`, 'stale shm bytes');
    const movedTo = expectFreshRecoveredStore(file, 'file is not a database (SQLITE_NOTADB)');
    expect(fs.readFileSync(movedTo).equals(garbage)).toBe(true);
    // SQLite deletes the damaged store's side files when the checking connection closes;
    // whatever is left is moved with the store (see moveStoreAside below).
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['cairn.db', path.basename(movedTo)].sort());
    expect(inspectStore(file).integrity).toBe('ok');
  });

  it('zero-filled header: detected and rebuilt', () => {
    const file = storeWithHistory(3);
    const bytes = fs.readFileSync(file);
    bytes.fill(0, 0, 100);
    fs.writeFileSync(file, bytes);
    const movedTo = expectFreshRecoveredStore(file, 'file is not a database (SQLITE_NOTADB)');
    expect(fs.readFileSync(movedTo).equals(bytes)).toBe(true);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['cairn.db', path.basename(movedTo)].sort());
  });

  it('truncated file: detected and rebuilt', () => {
    const file = storeWithHistory(200);
    const size = fs.statSync(file).size;
    expect(size).toBeGreaterThan(400_000);
    fs.truncateSync(file, Math.floor(size / 2) + 123);
    const kept = fs.readFileSync(file);
    const movedTo = expectFreshRecoveredStore(file, 'database disk image is malformed (SQLITE_CORRUPT)');
    expect(fs.readFileSync(movedTo).equals(kept)).toBe(true);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['cairn.db', path.basename(movedTo)].sort());
  });

  it('readonly opening reports the damage and moves nothing', () => {
    const file = storeWithHistory(3);
    const bytes = fs.readFileSync(file);
    bytes.fill(0, 0, 100);
    fs.writeFileSync(file, bytes);
    let caught: unknown;
    try {
      openStore(file, { readonly: true });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CairnError);
    expect((caught as CairnError).code).toBe('store');
    expect((caught as CairnError).message).toBe(`The local store ${file} is damaged: file is not a database (SQLITE_NOTADB).`);
    expect((caught as CairnError).hint).toBe(
      'Open the store for writing (for example `cairn info --migrate`): cairn moves a damaged store aside and starts a fresh one. The plan is untouched.',
    );
    expect(fs.readdirSync(path.dirname(file))).toEqual(['cairn.db']);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('moveStoreAside takes the side files along and refuses a replaced file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'cairn.db');
    fs.writeFileSync(file, 'db');
    fs.writeFileSync(`${file}-wal`, 'wal');
    fs.writeFileSync(`${file}-shm`, 'shm');
    const at = new Date(Date.UTC(2025, 2, 4, 5, 6, 7));
    expect(moveStoreAside(file, 'not-its-identity', at)).toBeNull();
    expect(fs.readdirSync(dir).sort()).toEqual(['cairn.db', 'cairn.db-shm', 'cairn.db-wal']);
    const movedTo = moveStoreAside(file, fileIdentity(file), at);
    expect(movedTo).toBe(path.join(dir, 'cairn.db.corrupt-20250304T050607'));
    expect(fs.readdirSync(dir).sort()).toEqual(['cairn.db.corrupt-20250304T050607', 'cairn.db.corrupt-20250304T050607-shm', 'cairn.db.corrupt-20250304T050607-wal']);
    expect(['', '-wal', '-shm'].map((s) => fs.readFileSync(`${movedTo}${s}`, 'utf8'))).toEqual(['db', 'wal', 'shm']);
    // A second damaged store in the same second gets a distinct name.
    fs.writeFileSync(file, 'db2');
    const second = moveStoreAside(file, fileIdentity(file), at);
    expect(path.basename(second!)).toMatch(/^cairn\.db\.corrupt-20250304T050607-[0-9a-f]{6}$/);
    expect(fs.readFileSync(second!, 'utf8')).toBe('db2');
    expect(fs.existsSync(file)).toBe(false);
  });

  it('an empty file is a new store, not damage', () => {
    const file = path.join(tempDir(), 'cairn.db');
    fs.writeFileSync(file, '');
    const store = openStore(file);
    expect(store.recovered).toBeNull();
    expect(store.schemaVersion).toBe(LATEST_STORE_VERSION);
    store.close();
  });
});
