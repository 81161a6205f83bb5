import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import {
  LATEST_STORE_VERSION,
  STORE_MIGRATIONS,
  StoreMigrationError,
  migrateStore,
  openStore,
  type StoreMigration,
} from '../../src/store/index.js';
import { tempDir } from '../support/tmp.js';

const V1_ONLY = STORE_MIGRATIONS.slice(0, 1);
/** The history up to version 2, which the tests of the migration machinery extend with a version 3 of their own. */
const UP_TO_V2 = STORE_MIGRATIONS.slice(0, 2);

function schemaObjects(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT type || ' ' || name AS o FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY 1`).pluck().all() as string[]);
  } finally {
    db.close();
  }
}

/** A v1 store with two finished runs, one event and one published snapshot. */
function makeV1Store(file: string): { runIds: string[] } {
  const store = openStore(file, { migrations: V1_ONLY });
  expect(store.schemaVersion).toBe(1);
  const runIds = ['plan', 'refine'].map((step, i) => {
    const id = store.recordRunStart({ slug: 'mig-a', step, agent: 'manual', startedAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 5 + i)) });
    store.recordRunEnd(id, {
      verdict: 'accepted',
      exitCode: 0,
      stdout: `out ${step}`,
      stderr: '',
      endedAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 6 + i)),
    });
    return id;
  });
  store.recordEvent({ slug: 'mig-a', kind: 'publish.published', details: { snapshot: 'abc' }, at: new Date(Date.UTC(2025, 0, 2, 4)) });
  store.setPublishedSnapshot('/repo/migrations', 'mig-a', 'abc', new Date(Date.UTC(2025, 0, 2, 4)));
  store.close();
  return { runIds };
}

describe('store schema migrations', () => {
  it('creates a new store at the latest version', () => {
    const file = path.join(tempDir(), 'nested', 'dir', 'cairn.db');
    const store = openStore(file);
    expect(store.schemaVersion).toBe(LATEST_STORE_VERSION);
    expect(LATEST_STORE_VERSION).toBe(3);
    expect(store.migration).toEqual({
      dryRun: false,
      fromVersion: 0,
      toVersion: 3,
      latestVersion: 3,
      pending: [
        { version: 1, name: 'run log, events and published snapshots' },
        { version: 2, name: 'list index and per-migration log lookups' },
        { version: 3, name: 'verified digests of stage outputs' },
      ],
      applied: [
        { version: 1, name: 'run log, events and published snapshots', rowCountsBefore: {}, rowCountsAfter: { events: 0, published_snapshots: 0, run_outputs: 0, runs: 0 } },
        {
          version: 2,
          name: 'list index and per-migration log lookups',
          rowCountsBefore: { events: 0, published_snapshots: 0, run_outputs: 0, runs: 0 },
          rowCountsAfter: { events: 0, list_index: 0, published_snapshots: 0, run_outputs: 0, runs: 0 },
        },
        {
          version: 3,
          name: 'verified digests of stage outputs',
          rowCountsBefore: { events: 0, list_index: 0, published_snapshots: 0, run_outputs: 0, runs: 0 },
          rowCountsAfter: { events: 0, list_index: 0, output_digests: 0, published_snapshots: 0, run_outputs: 0, runs: 0 },
        },
      ],
    });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
    store.close();
    // Reopening finds nothing to do.
    const again = openStore(file);
    expect(again.migration).toEqual({ dryRun: false, fromVersion: 3, toVersion: 3, latestVersion: 3, pending: [], applied: [] });
    again.close();
  });

  it('upgrades a store created at version 1, keeping every row', () => {
    const file = path.join(tempDir(), 'cairn.db');
    const { runIds } = makeV1Store(file);
    expect(schemaObjects(file)).toEqual(['table events', 'table published_snapshots', 'table run_outputs', 'table runs']);

    const store = openStore(file);
    expect(store.migration?.fromVersion).toBe(1);
    expect(store.migration?.toVersion).toBe(3);
    expect(store.migration?.applied).toEqual([
      {
        version: 2,
        name: 'list index and per-migration log lookups',
        rowCountsBefore: { events: 1, published_snapshots: 1, run_outputs: 2, runs: 2 },
        rowCountsAfter: { events: 1, list_index: 0, published_snapshots: 1, run_outputs: 2, runs: 2 },
      },
      {
        version: 3,
        name: 'verified digests of stage outputs',
        rowCountsBefore: { events: 1, list_index: 0, published_snapshots: 1, run_outputs: 2, runs: 2 },
        rowCountsAfter: { events: 1, list_index: 0, output_digests: 0, published_snapshots: 1, run_outputs: 2, runs: 2 },
      },
    ]);
    expect(store.listRuns().map((r) => r.id)).toEqual([...runIds].reverse());
    expect(store.getRun(runIds[0]!)?.stdout).toBe('out plan');
    expect(store.listEvents()).toEqual([
      { id: expect.stringMatching(/^e-20250102T040000-[0-9a-f]{12}$/), at: '2025-01-02T04:00:00.000Z', slug: 'mig-a', kind: 'publish.published', details: { snapshot: 'abc' } },
    ]);
    expect(store.getPublishedSnapshot('/repo/migrations', 'mig-a')).toEqual({
      liveRoot: '/repo/migrations',
      slug: 'mig-a',
      snapshotId: 'abc',
      at: '2025-01-02T04:00:00.000Z',
    });
    expect(schemaObjects(file)).toEqual([
      'index events_by_slug',
      'index runs_by_slug',
      'table events',
      'table list_index',
      'table output_digests',
      'table published_snapshots',
      'table run_outputs',
      'table runs',
    ]);
    store.close();
  });

  it('dry run lists pending migrations and changes nothing', () => {
    const file = path.join(tempDir(), 'cairn.db');
    makeV1Store(file);
    const before = fs.readFileSync(file);
    const store = openStore(file, { migrate: false });
    expect(store.migration).toBeNull();
    const pending = [
      { version: 2, name: 'list index and per-migration log lookups' },
      { version: 3, name: 'verified digests of stage outputs' },
    ];
    expect(store.pendingMigrations).toEqual(pending);
    expect(store.migrate({ dryRun: true })).toEqual({
      dryRun: true,
      fromVersion: 1,
      toVersion: 1,
      latestVersion: 3,
      pending,
      applied: [],
    });
    expect(store.schemaVersion).toBe(1);
    store.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('rolls back a migration that loses rows and names every failed invariant', () => {
    const file = path.join(tempDir(), 'cairn.db');
    const { runIds } = makeV1Store(file);
    const broken: StoreMigration[] = [
      ...UP_TO_V2,
      {
        version: 3,
        name: 'prune old runs',
        up: (db) => {
          db.exec('CREATE TABLE scratch (x INTEGER)');
          db.exec('ALTER TABLE events ADD COLUMN extra TEXT');
          db.exec(`DELETE FROM runs WHERE step = 'plan'`);
        },
      },
    ];
    let caught: unknown;
    try {
      openStore(file, { migrations: broken });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StoreMigrationError);
    const error = caught as StoreMigrationError;
    expect(error).toBeInstanceOf(CairnError);
    expect(error.code).toBe('store');
    expect(error.migration).toEqual({ version: 3, name: 'prune old runs' });
    expect(error.storeVersion).toBe(2);
    expect(error.failures).toEqual([
      {
        invariant: 'row-counts',
        message: 'table "run_outputs" had 2 rows before and 1 after, and the migration does not declare that it changes "run_outputs"',
      },
      {
        invariant: 'row-counts',
        message: 'table "runs" had 2 rows before and 1 after, and the migration does not declare that it changes "runs"',
      },
    ]);
    expect(error.message).toBe(
      'Store migration 3 "prune old runs" was rolled back (the store stays at version 2): ' +
        'row-counts: table "run_outputs" had 2 rows before and 1 after, and the migration does not declare that it changes "run_outputs"; ' +
        'row-counts: table "runs" had 2 rows before and 1 after, and the migration does not declare that it changes "runs"',
    );
    // Version 2 (which succeeded) stays; everything version 3 did is gone.
    const store = openStore(file, { migrate: false });
    expect(store.schemaVersion).toBe(2);
    expect(store.listRuns().map((r) => r.id).sort()).toEqual([...runIds].sort());
    expect(schemaObjects(file)).not.toContain('table scratch');
    expect(store.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('events')).toEqual(['seq', 'id', 'at', 'slug', 'kind', 'details']);
    store.close();
  });

  it('accepts the same change when the migration declares it', () => {
    const file = path.join(tempDir(), 'cairn.db');
    makeV1Store(file);
    const declared: StoreMigration[] = [
      ...UP_TO_V2,
      {
        version: 3,
        name: 'prune old runs',
        expect: { rowCountChanges: ['runs', 'run_outputs'] },
        up: (db) => {
          db.exec(`DELETE FROM runs WHERE step = 'plan'`);
        },
      },
    ];
    const store = openStore(file, { migrations: declared });
    expect(store.migration?.applied.map((m) => [m.version, m.rowCountsBefore.runs, m.rowCountsAfter.runs])).toEqual([
      [2, 2, 2],
      [3, 2, 1],
    ]);
    expect(store.schemaVersion).toBe(3);
    expect(store.listRuns().map((r) => r.step)).toEqual(['refine']);
    store.close();
  });

  it('rolls back on a foreign key violation', () => {
    const file = path.join(tempDir(), 'cairn.db');
    makeV1Store(file);
    const orphaning: StoreMigration[] = [
      ...UP_TO_V2,
      {
        version: 3,
        name: 'orphan an output',
        expect: { rowCountChanges: ['run_outputs'] },
        up: (db) => {
          db.pragma('defer_foreign_keys = ON');
          db.exec(`INSERT INTO run_outputs VALUES (999, 0, 0, 0, 0, x'', x'')`);
        },
      },
    ];
    expect(() => openStore(file, { migrations: orphaning })).toThrow(
      'Store migration 3 "orphan an output" was rolled back (the store stays at version 2): ' +
        'foreign-key-check: table "run_outputs" row 999 references a missing row of "runs"',
    );
    const store = openStore(file, { migrate: false });
    expect(store.schemaVersion).toBe(2);
    expect(store.db.prepare('SELECT count(*) FROM run_outputs').pluck().get()).toBe(2);
    store.close();
  });

  it('rolls back a migration that throws, including DDL it already ran', () => {
    const file = path.join(tempDir(), 'cairn.db');
    makeV1Store(file);
    const throwing: StoreMigration[] = [
      STORE_MIGRATIONS[0]!,
      {
        version: 2,
        name: 'half done',
        up: (db) => {
          db.exec('CREATE TABLE half (x INTEGER)');
          throw new Error('boom');
        },
      },
    ];
    let caught: StoreMigrationError | undefined;
    try {
      openStore(file, { migrations: throwing });
    } catch (error) {
      caught = error as StoreMigrationError;
    }
    expect(caught?.failures).toEqual([{ invariant: 'exception', message: 'boom' }]);
    expect(caught?.storeVersion).toBe(1);
    expect(schemaObjects(file)).not.toContain('table half');
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses a store written by a newer cairn and a malformed migration list', () => {
    const file = path.join(tempDir(), 'cairn.db');
    openStore(file).close();
    const raw = new Database(file);
    raw.pragma('user_version = 7');
    raw.close();
    expect(() => openStore(file)).toThrow(`The local store ${file} has schema version 7, newer than this cairn understands (3).`);

    const db = new Database(':memory:');
    expect(() => migrateStore(db, { migrations: [STORE_MIGRATIONS[1]!] })).toThrow(
      new CairnError('internal', 'Store migration list is out of order: entry 1 ("list index and per-migration log lookups") has version 2.'),
    );
    db.close();
  });
});
