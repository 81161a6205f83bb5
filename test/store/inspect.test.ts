import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { STORE_MIGRATIONS, inspectStore, openStore } from '../../src/store/index.js';
import { tempDir } from '../support/tmp.js';

describe('inspectStore', () => {
  it('reports a missing store without creating it or its directory', () => {
    const dir = tempDir();
    const file = path.join(dir, '.planning', 'cairn.db');
    expect(inspectStore(file)).toEqual({
      path: file,
      exists: false,
      schemaVersion: 0,
      latestVersion: 3,
      pending: [
        { version: 1, name: 'run log, events and published snapshots' },
        { version: 2, name: 'list index and per-migration log lookups' },
        { version: 3, name: 'verified digests of stage outputs' },
      ],
      rowCounts: {},
      integrity: 'ok',
    });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('reports an old store without migrating it: version and bytes unchanged', () => {
    const file = path.join(tempDir(), 'cairn.db');
    const old = openStore(file, { migrations: STORE_MIGRATIONS.slice(0, 1) });
    const id = old.recordRunStart({ slug: 'a', step: 'plan', agent: 'manual' });
    old.recordRunEnd(id, { verdict: 'failed', exitCode: 1, stdout: 'x' });
    old.recordEvent({ kind: 'review', slug: 'a' });
    old.close();
    const before = fs.readFileSync(file);

    expect(inspectStore(file)).toEqual({
      path: file,
      exists: true,
      schemaVersion: 1,
      latestVersion: 3,
      pending: [
        { version: 2, name: 'list index and per-migration log lookups' },
        { version: 3, name: 'verified digests of stage outputs' },
      ],
      rowCounts: { events: 1, published_snapshots: 0, run_outputs: 1, runs: 1 },
      integrity: 'ok',
    });
    expect(fs.readFileSync(file).equals(before)).toBe(true);

    // Opening read-only does not migrate either.
    const readonly = openStore(file, { readonly: true });
    expect(readonly.schemaVersion).toBe(1);
    expect(readonly.migration).toBeNull();
    expect(readonly.listRuns().map((r) => r.verdict)).toEqual(['failed']);
    expect(() => readonly.recordEvent({ kind: 'review' })).toThrow(`The local store ${file} is open read-only; cannot write while recording an event.`);
    readonly.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    raw.close();
  });

  it('reports foreign key violations and unreadable files as integrity problems', () => {
    const dir = tempDir();
    const file = path.join(dir, 'cairn.db');
    openStore(file).close();
    const raw = new Database(file);
    raw.pragma('foreign_keys = OFF'); // better-sqlite3 turns them on by default
    raw.exec(`INSERT INTO run_outputs VALUES (42, 0, 0, 0, 0, x'', x'')`);
    raw.close();
    expect(inspectStore(file).integrity).toEqual(['table "run_outputs" row 42 references a missing row of "runs"']);

    const garbage = path.join(dir, 'garbage.db');
    fs.writeFileSync(garbage, 'this is not a database, just text that is long enough to fill a header\n'.repeat(20));
    const bytes = fs.readFileSync(garbage);
    expect(inspectStore(garbage)).toEqual({
      path: garbage,
      exists: true,
      schemaVersion: null,
      latestVersion: 3,
      pending: [],
      rowCounts: {},
      integrity: ['file is not a database (SQLITE_NOTADB)'],
    });
    expect(fs.readFileSync(garbage).equals(bytes)).toBe(true);
  });

  it('readonly open of a missing store fails without creating it', () => {
    const dir = tempDir();
    const file = path.join(dir, 'cairn.db');
    expect(() => openStore(file, { readonly: true })).toThrow(`There is no local store at ${file}.`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
