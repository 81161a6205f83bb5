import type Database from 'better-sqlite3';
import { CairnError, messageOf } from '../util/index.js';
import { foreignKeyViolations, quickCheckProblems, readUserVersion, rowCounts } from './checks.js';
import { isBusyError, StoreMigrationError, type InvariantFailure } from './errors.js';

/** One schema migration of the store. `version` n takes the store from n-1 to n. */
export interface StoreMigration {
  readonly version: number;
  readonly name: string;
  /** Applies the change; runs inside the migration's transaction. */
  up(db: Database.Database): void;
  /**
   * What the migration declares about existing data. Every table that existed
   * before must keep its exact row count unless it is named in
   * `rowCountChanges` (which also allows dropping it).
   */
  readonly expect?: { readonly rowCountChanges?: readonly string[] };
}

/** A migration named in a plan or result. */
export interface MigrationStep {
  readonly version: number;
  readonly name: string;
}

/** A migration that ran and committed, with the row counts it was checked against. */
export interface AppliedMigration extends MigrationStep {
  readonly rowCountsBefore: Record<string, number>;
  readonly rowCountsAfter: Record<string, number>;
}

/** What `migrateStore` found and did. */
export interface MigrationResult {
  readonly dryRun: boolean;
  /** Schema version before. */
  readonly fromVersion: number;
  /** Schema version after (equal to `fromVersion` on a dry run). */
  readonly toVersion: number;
  readonly latestVersion: number;
  /** Migrations that were pending when the call began. */
  readonly pending: MigrationStep[];
  /** Migrations this call applied (another process may have applied some of `pending`). */
  readonly applied: AppliedMigration[];
}

const V1_BASE_TABLES = `
CREATE TABLE runs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  slug TEXT NOT NULL,
  step TEXT NOT NULL,
  agent TEXT NOT NULL,
  model TEXT,
  effort TEXT,
  prompt_sha256 TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  exit_code INTEGER,
  signal TEXT,
  verdict TEXT CHECK (verdict IS NULL OR verdict IN ('accepted', 'rejected', 'failed', 'timeout', 'killed')),
  reason TEXT,
  duration_ms INTEGER
);
CREATE TABLE run_outputs (
  run_seq INTEGER PRIMARY KEY REFERENCES runs(seq) ON DELETE CASCADE,
  stdout_bytes INTEGER NOT NULL,
  stdout_truncated INTEGER NOT NULL,
  stderr_bytes INTEGER NOT NULL,
  stderr_truncated INTEGER NOT NULL,
  stdout BLOB NOT NULL,
  stderr BLOB NOT NULL
);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  at TEXT NOT NULL,
  slug TEXT,
  kind TEXT NOT NULL CHECK (length(kind) > 0),
  details TEXT NOT NULL
);
CREATE TABLE published_snapshots (
  live_root TEXT NOT NULL,
  slug TEXT NOT NULL,
  snapshot_id TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (live_root, slug)
);
`;

const V2_LIST_INDEX = `
CREATE TABLE list_index (
  live_root TEXT NOT NULL,
  slug TEXT NOT NULL,
  recorded_at_ms INTEGER NOT NULL,
  deps TEXT NOT NULL,
  row TEXT NOT NULL,
  PRIMARY KEY (live_root, slug)
);
CREATE INDEX runs_by_slug ON runs (slug, seq);
CREATE INDEX events_by_slug ON events (slug, seq);
`;

const V3_OUTPUT_DIGESTS = `
CREATE TABLE output_digests (
  live_root TEXT NOT NULL,
  path TEXT NOT NULL,
  recorded_at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns TEXT NOT NULL,
  ctime_ns TEXT NOT NULL,
  ino TEXT NOT NULL,
  dev TEXT NOT NULL,
  mode INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (live_root, path)
) WITHOUT ROWID;
`;

/** The store's schema history, oldest first. Never edit a released entry; append. */
export const STORE_MIGRATIONS: readonly StoreMigration[] = Object.freeze([
  {
    version: 1,
    name: 'run log, events and published snapshots',
    up: (db: Database.Database) => {
      db.exec(V1_BASE_TABLES);
    },
  },
  {
    version: 2,
    name: 'list index and per-migration log lookups',
    up: (db: Database.Database) => {
      db.exec(V2_LIST_INDEX);
    },
  },
  {
    version: 3,
    name: 'verified digests of stage outputs',
    up: (db: Database.Database) => {
      db.exec(V3_OUTPUT_DIGESTS);
    },
  },
]);

/** The schema version this cairn writes. */
export const LATEST_STORE_VERSION = STORE_MIGRATIONS.length;

/** Throws CairnError('internal') unless versions run 1, 2, 3, … without gaps. */
export function validateMigrationList(migrations: readonly StoreMigration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new CairnError(
        'internal',
        `Store migration list is out of order: entry ${i + 1} ("${m.name}") has version ${m.version}.`,
      );
    }
  });
}

/** The migrations a store at `version` still needs, in order. */
export function pendingMigrations(version: number, migrations: readonly StoreMigration[] = STORE_MIGRATIONS): MigrationStep[] {
  return migrations.filter((m) => m.version > version).map((m) => ({ version: m.version, name: m.name }));
}

/** Throws when the store was written by a newer cairn than this one. */
export function assertVersionKnown(version: number, latest: number, storePath: string): void {
  if (version > latest) {
    throw new CairnError(
      'store',
      `The local store ${storePath} has schema version ${version}, newer than this cairn understands (${latest}).`,
      { path: storePath, hint: 'Upgrade cairn to use this store; the plan is untouched.' },
    );
  }
}

function rowCountFailures(
  before: Record<string, number>,
  after: Record<string, number>,
  allowed: ReadonlySet<string>,
): InvariantFailure[] {
  const failures: InvariantFailure[] = [];
  for (const [table, count] of Object.entries(before)) {
    if (allowed.has(table)) continue;
    const now = after[table];
    if (now === undefined) {
      failures.push({
        invariant: 'row-counts',
        message: `table "${table}" (${count} rows) was dropped, and the migration does not declare that it changes "${table}"`,
      });
    } else if (now !== count) {
      failures.push({
        invariant: 'row-counts',
        message: `table "${table}" had ${count} rows before and ${now} after, and the migration does not declare that it changes "${table}"`,
      });
    }
  }
  return failures;
}

/**
 * Runs `migration` in one IMMEDIATE transaction with its invariants; returns
 * null when another process already applied it. Throws StoreMigrationError
 * (after rolling back) when any invariant fails.
 */
function applyOne(db: Database.Database, migration: StoreMigration, storePath: string): AppliedMigration | null {
  let startVersion = 0;
  const run = db.transaction((): AppliedMigration | null => {
    startVersion = readUserVersion(db);
    if (startVersion >= migration.version) return null;
    if (startVersion !== migration.version - 1) {
      throw new CairnError(
        'internal',
        `Store migration ${migration.version} cannot run on a store at version ${startVersion}.`,
        { path: storePath },
      );
    }
    const before = rowCounts(db);
    const brokenBefore = foreignKeyViolations(db);
    if (brokenBefore.length > 0) {
      throw new StoreMigrationError(
        migration,
        brokenBefore.map((message) => ({ invariant: 'foreign-key-check-before', message })),
        startVersion,
        storePath,
      );
    }
    try {
      migration.up(db);
    } catch (error) {
      throw new StoreMigrationError(migration, [{ invariant: 'exception', message: messageOf(error) }], startVersion, storePath, error);
    }
    const after = rowCounts(db);
    const failures: InvariantFailure[] = [
      ...rowCountFailures(before, after, new Set(migration.expect?.rowCountChanges ?? [])),
      ...foreignKeyViolations(db).map((message): InvariantFailure => ({ invariant: 'foreign-key-check', message })),
      ...quickCheckProblems(db).map((message): InvariantFailure => ({ invariant: 'integrity-check', message })),
    ];
    if (failures.length > 0) throw new StoreMigrationError(migration, failures, startVersion, storePath);
    db.pragma(`user_version = ${migration.version}`);
    return { version: migration.version, name: migration.name, rowCountsBefore: before, rowCountsAfter: after };
  });
  try {
    return run.immediate();
  } catch (error) {
    if (error instanceof CairnError || isBusyError(error)) throw error;
    // The invariant checks themselves failed (for example the file is damaged).
    throw new StoreMigrationError(migration, [{ invariant: 'exception', message: messageOf(error) }], startVersion, storePath, error);
  }
}

/**
 * Brings the store's schema up to the last entry of `migrations` (default: the
 * real history), one migration per transaction, each checked before it
 * commits: row counts of pre-existing tables kept (unless declared),
 * `foreign_key_check` clean before and after, `quick_check` clean after. A
 * failing migration is rolled back completely and a StoreMigrationError names
 * every failed invariant; migrations committed before it stay. With
 * `dryRun`, reports what would run and changes nothing. Safe to call from
 * several processes at once: each migration re-reads the version under the
 * write lock.
 */
export function migrateStore(
  db: Database.Database,
  options: { dryRun?: boolean; migrations?: readonly StoreMigration[] } = {},
): MigrationResult {
  const migrations = options.migrations ?? STORE_MIGRATIONS;
  validateMigrationList(migrations);
  const latestVersion = migrations.length;
  const storePath = db.name;
  const fromVersion = readUserVersion(db);
  assertVersionKnown(fromVersion, latestVersion, storePath);
  const pending = pendingMigrations(fromVersion, migrations);
  if (options.dryRun === true) {
    return { dryRun: true, fromVersion, toVersion: fromVersion, latestVersion, pending, applied: [] };
  }
  const applied: AppliedMigration[] = [];
  for (const migration of migrations) {
    if (migration.version <= fromVersion) continue;
    const done = applyOne(db, migration, storePath);
    if (done !== null) applied.push(done);
  }
  return { dryRun: false, fromVersion, toVersion: readUserVersion(db), latestVersion, pending, applied };
}
