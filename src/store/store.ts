import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { CairnError, messageOf } from '../util/index.js';
import { readUserVersion, tableNames } from './checks.js';
import { connect } from './connection.js';
import { CORRUPTION_HINT, storeError } from './errors.js';
import { recordEvent, listEvents, type EventFilter, type EventInput, type EventRecord } from './events.js';
import type { Fingerprint } from './fingerprint.js';
import type { FreshnessOptions } from './freshness.js';
import type { StoreJson } from './json-values.js';
import {
  deleteIndexExcept,
  freshIndexRows,
  lookupIndex,
  lookupIndexLazy,
  lookupIndexMany,
  storeIndex,
  storeIndexMany,
  type FreshIndexRows,
  type IndexEntry,
  type IndexEntryInput,
  type LazyIndex,
} from './list-index.js';
import {
  deleteOutputDigestsExcept,
  lookupOutputDigestsLazy,
  storeOutputDigests,
  type LazyDigests,
  type OutputDigest,
} from './output-digests.js';
import { migrateStore, pendingMigrations, STORE_MIGRATIONS, type MigrationResult, type MigrationStep, type StoreMigration } from './migrations.js';
import { fileIdentity, moveStoreAside } from './move-aside.js';
import { assertStorePathConfined } from './paths.js';
import { DEFAULT_MAX_OUTPUT_BYTES } from './output-cap.js';
import { getPublishedSnapshot, setPublishedSnapshot, type PublishedSnapshot } from './published.js';
import {
  getRun,
  listRuns,
  recordRunEnd,
  recordRunStart,
  type RunEndInput,
  type RunFilter,
  type RunRecord,
  type RunStartInput,
  type RunSummary,
} from './runs.js';

export interface OpenStoreOptions {
  /** Open without writing anything: no migration, no recovery, fails if the file is missing. */
  readonly?: boolean;
  /** Bring the schema up to date on open (default true; ignored when readonly). */
  migrate?: boolean;
  /** Schema history to migrate along (default: the real one). For tests of the migration machinery. */
  migrations?: readonly StoreMigration[];
  /** Cap on each of a run's stdout and stderr (default 4 MiB). */
  maxOutputBytes?: number;
  /** Run `PRAGMA quick_check` on open to detect damage (default true). */
  quickCheck?: boolean;
  /**
   * How long each statement waits for another process's lock before failing
   * (default 5 s). Read commands that can do without the store use a short one.
   */
  busyTimeoutMs?: number;
}

/** A damaged store that was moved aside and replaced by a fresh one. */
export interface StoreRecovery {
  /** Where the damaged file now is. */
  movedTo: string;
  /** What was wrong with it. */
  reason: string;
}

/**
 * An open local store. Every method returns plain values and throws
 * CairnError (never a raw SQLite error).
 */
export class Store {
  /** Absolute path of the database file. */
  readonly path: string;
  readonly readonly: boolean;
  /** Set when the store on disk was damaged, moved aside and replaced: its local history is gone. */
  readonly recovered: StoreRecovery | null;
  /** What opening migrated (null when readonly or opened with `migrate: false`). */
  readonly migration: MigrationResult | null;
  readonly maxOutputBytes: number;
  readonly #db: Database.Database;
  readonly #migrations: readonly StoreMigration[];

  /** @internal Use `openStore`. */
  constructor(init: {
    db: Database.Database;
    path: string;
    readonly: boolean;
    recovered: StoreRecovery | null;
    migration: MigrationResult | null;
    maxOutputBytes: number;
    migrations: readonly StoreMigration[];
  }) {
    this.#db = init.db;
    this.path = init.path;
    this.readonly = init.readonly;
    this.recovered = init.recovered;
    this.migration = init.migration;
    this.maxOutputBytes = init.maxOutputBytes;
    this.#migrations = init.migrations;
  }

  /** The underlying better-sqlite3 connection (for `migrateStore` and diagnostics). */
  get db(): Database.Database {
    return this.#db;
  }

  /** Current `PRAGMA user_version`. */
  get schemaVersion(): number {
    return this.#guard('reading the schema version', () => readUserVersion(this.#db));
  }

  /** Migrations this store still lacks. */
  get pendingMigrations(): MigrationStep[] {
    return pendingMigrations(this.schemaVersion, this.#migrations);
  }

  /** Runs (or with `dryRun`, plans) the pending schema migrations. */
  migrate(options: { dryRun?: boolean } = {}): MigrationResult {
    return this.#guard('migrating its schema', () => migrateStore(this.#db, { ...options, migrations: this.#migrations }));
  }

  /** Closes the connection; safe to call twice. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #guard<T>(action: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storeError(action, this.path, error);
    }
  }

  /** Records the start of an agent run; returns its id. */
  recordRunStart(input: RunStartInput): string {
    return this.#guard('recording a run', () => recordRunStart(this.#db, input));
  }

  /** Records how a run ended (output capped at `maxOutputBytes` each). */
  recordRunEnd(id: string, input: RunEndInput): RunSummary {
    return this.#guard('recording the end of a run', () => recordRunEnd(this.#db, id, input, this.maxOutputBytes));
  }

  /** One run with its output, or null. */
  getRun(id: string): RunRecord | null {
    return this.#guard('reading a run', () => getRun(this.#db, id));
  }

  /** Runs, newest first, without their output. */
  listRuns(filter: RunFilter = {}): RunSummary[] {
    return this.#guard('listing runs', () => listRuns(this.#db, filter));
  }

  /** Records an event; returns its id. */
  recordEvent(input: EventInput): string {
    return this.#guard('recording an event', () => recordEvent(this.#db, input));
  }

  /** Events, newest first. */
  listEvents(filter: EventFilter = {}): EventRecord[] {
    return this.#guard('listing events', () => listEvents(this.#db, filter));
  }

  /** Records the snapshot cairn just published for `slug` under `liveRoot`. */
  setPublishedSnapshot(liveRoot: string, slug: string, snapshotId: string, at?: Date): PublishedSnapshot {
    return this.#guard('recording a published snapshot', () => setPublishedSnapshot(this.#db, liveRoot, slug, snapshotId, at));
  }

  /** The snapshot cairn last published for `slug` under `liveRoot`, or null. */
  getPublishedSnapshot(liveRoot: string, slug: string): PublishedSnapshot | null {
    return this.#guard('reading a published snapshot', () => getPublishedSnapshot(this.#db, liveRoot, slug));
  }

  /** The cached list entry for `slug`, or null (check it with `isIndexEntryFresh`). */
  lookupIndex(liveRoot: string, slug: string): IndexEntry | null {
    return this.#guard('reading the list index', () => lookupIndex(this.#db, liveRoot, slug));
  }

  /** Cached list entries under `liveRoot` (all, or those in `slugs`), in one query. */
  lookupIndexMany(liveRoot: string, slugs?: Iterable<string>): Map<string, IndexEntry> {
    return this.#guard('reading the list index', () => lookupIndexMany(this.#db, liveRoot, slugs));
  }

  /** Every cached list entry under `liveRoot`, read in one query and decoded one by one on demand. */
  lookupIndexLazy(liveRoot: string): LazyIndex {
    return this.#guard('reading the list index', () => {
      const lazy = lookupIndexLazy(this.#db, liveRoot);
      return { slugs: () => lazy.slugs(), get: (slug: string) => lazy.get(slug) };
    });
  }

  /** The stored rows under `liveRoot` whose entries are fresh, and every slug with an entry. */
  freshIndexRows(liveRoot: string, options?: FreshnessOptions): FreshIndexRows {
    return this.#guard('reading the list index', () => freshIndexRows(this.#db, liveRoot, options));
  }

  /** Caches one list entry. `recordedAtMs`: `Date.now()` taken before fingerprinting `deps`. */
  storeIndex(liveRoot: string, slug: string, deps: readonly Fingerprint[], row: StoreJson, recordedAtMs?: number): void {
    this.#guard('writing the list index', () => storeIndex(this.#db, liveRoot, slug, deps, row, recordedAtMs));
  }

  /** Caches many list entries in one transaction; returns how many. */
  storeIndexMany(liveRoot: string, entries: Iterable<IndexEntryInput>): number {
    return this.#guard('writing the list index', () => storeIndexMany(this.#db, liveRoot, entries));
  }

  /** Drops cached entries under `liveRoot` whose slug is not in `keep`; returns how many. */
  deleteIndexExcept(liveRoot: string, keep: Iterable<string>): number {
    return this.#guard('pruning the list index', () => deleteIndexExcept(this.#db, liveRoot, keep));
  }

  /** Every verified stage-output digest under `liveRoot`, read in one query and decoded on demand. */
  lookupOutputDigestsLazy(liveRoot: string): LazyDigests {
    return this.#guard('reading the verified digests', () => {
      const lazy = lookupOutputDigestsLazy(this.#db, liveRoot);
      return { files: () => lazy.files(), get: (file: string) => lazy.get(file) };
    });
  }

  /** Records (replacing) verified stage-output digests under `liveRoot` in one transaction; returns how many. */
  storeOutputDigests(liveRoot: string, digests: Iterable<OutputDigest>): number {
    return this.#guard('writing the verified digests', () => storeOutputDigests(this.#db, liveRoot, digests));
  }

  /** Drops the digests under `liveRoot` of files not in `keep` (absolute paths); returns how many. */
  deleteOutputDigestsExcept(liveRoot: string, keep: Iterable<string>): number {
    return this.#guard('pruning the verified digests', () => deleteOutputDigestsExcept(this.#db, liveRoot, keep));
  }

  /**
   * Copies what the write-ahead log holds into the database file as far as
   * no reader needs it (a passive checkpoint), so readers that see the file
   * alone (`openOutputDigestReader`) see it too.
   */
  checkpoint(): void {
    this.#guard('checkpointing', () => void this.#db.pragma('wal_checkpoint(PASSIVE)'));
  }
}

function ensureParentDirectory(storePath: string): void {
  try {
    fs.mkdirSync(path.dirname(storePath), { recursive: true });
  } catch (error) {
    throw new CairnError('io', `Cannot create the directory of the local store ${storePath}: ${messageOf(error)}`, {
      path: storePath,
      cause: error,
    });
  }
}

function openReadonly(storePath: string, options: OpenStoreOptions, migrations: readonly StoreMigration[]): Store {
  if (!fs.existsSync(storePath)) {
    throw new CairnError('not-found', `There is no local store at ${storePath}.`, {
      path: storePath,
      hint: 'It is created by the first cairn command that records history.',
    });
  }
  const outcome = connect(storePath, { readonly: true, quickCheck: options.quickCheck ?? true, busyTimeoutMs: options.busyTimeoutMs });
  if (!outcome.ok) {
    throw new CairnError('store', `The local store ${storePath} is damaged: ${outcome.reason}.`, {
      path: storePath,
      hint: CORRUPTION_HINT,
    });
  }
  return new Store({
    db: outcome.db,
    path: storePath,
    readonly: true,
    recovered: null,
    migration: null,
    maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    migrations,
  });
}

/**
 * Opens (creating it and its directory if needed) the local store at `path`.
 * Safe with many cairn processes at once. Unless `migrate` is false, brings
 * the schema up to date (see `migrateStore`). A damaged file (not a
 * database, damaged pages, truncated) is moved aside with its -wal/-shm to
 * `<name>.corrupt-<timestamp>` and a fresh store is created; `recovered`
 * then says where it went and why, and a `store.recovered` event is
 * recorded. Readonly opening changes nothing on disk and throws
 * CairnError('store') for a damaged file, ('not-found') for a missing one.
 */
export function openStore(storePath: string, options: OpenStoreOptions = {}): Store {
  const absolute = path.resolve(storePath);
  const migrations = options.migrations ?? STORE_MIGRATIONS;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    throw new CairnError('invalid-input', `maxOutputBytes must be a non-negative integer, got ${maxOutputBytes}.`);
  }
  assertStorePathConfined(absolute);
  if (options.readonly === true) return openReadonly(absolute, options, migrations);

  ensureParentDirectory(absolute);
  let recovered: StoreRecovery | null = null;
  let db: Database.Database | undefined;
  for (let attempt = 0; db === undefined; attempt++) {
    const identity = fileIdentity(absolute);
    const outcome = connect(absolute, { readonly: false, quickCheck: options.quickCheck ?? true, busyTimeoutMs: options.busyTimeoutMs });
    if (outcome.ok) {
      db = outcome.db;
      break;
    }
    if (attempt >= 2) {
      throw new CairnError('store', `The local store ${absolute} is still damaged after moving it aside: ${outcome.reason}.`, {
        path: absolute,
      });
    }
    let movedTo: string | null;
    try {
      movedTo = moveStoreAside(absolute, identity, new Date());
    } catch (error) {
      throw new CairnError('store', `The local store ${absolute} is damaged (${outcome.reason}) and could not be moved aside: ${messageOf(error)}`, {
        path: absolute,
        cause: error,
      });
    }
    if (movedTo !== null) recovered = { movedTo, reason: outcome.reason };
  }

  let migration: MigrationResult | null = null;
  try {
    if (options.migrate !== false) {
      migration = migrateStore(db, { migrations });
      if (recovered !== null && tableNames(db).includes('events')) {
        recordEvent(db, { kind: 'store.recovered', details: { movedTo: recovered.movedTo, reason: recovered.reason } });
      }
    }
  } catch (error) {
    db.close();
    throw storeError('migrating its schema', absolute, error);
  }
  return new Store({ db, path: absolute, readonly: false, recovered, migration, maxOutputBytes, migrations });
}
