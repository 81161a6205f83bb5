import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { foreignKeyViolations, quickCheckProblems, readUserVersion, rowCounts } from './checks.js';
import { BUSY_TIMEOUT_MS } from './connection.js';
import { assertStorePathConfined } from './paths.js';
import { describeSqliteError, isCorruptionError, storeError } from './errors.js';
import { pendingMigrations, STORE_MIGRATIONS, validateMigrationList, type MigrationStep, type StoreMigration } from './migrations.js';
import { sqliteDatabase } from './sqlite.js';

/** What `inspectStore` found; plain values, ready to print or serialize. */
export interface StoreInspection {
  /** Absolute path of the database file. */
  path: string;
  exists: boolean;
  /** `PRAGMA user_version`; 0 for a missing or empty file, null when the file cannot be read as a database. */
  schemaVersion: number | null;
  latestVersion: number;
  /** Migrations opening for writing would run (empty when the version is unknown or newer). */
  pending: MigrationStep[];
  /** Rows per table (empty for a missing or unreadable file). */
  rowCounts: Record<string, number>;
  /** 'ok', or every problem found by quick_check and foreign_key_check (or why the file cannot be read). */
  integrity: 'ok' | string[];
}

/**
 * Reports on the store at `storePath` without changing it: opens it
 * read-only, never migrates, never creates a missing file, never moves a
 * damaged one. Damage is reported in `integrity`, not thrown; a file that
 * cannot be opened for another reason (permissions) throws CairnError('store').
 */
export function inspectStore(storePath: string, options: { migrations?: readonly StoreMigration[] } = {}): StoreInspection {
  const absolute = path.resolve(storePath);
  assertStorePathConfined(absolute);
  const migrations = options.migrations ?? STORE_MIGRATIONS;
  validateMigrationList(migrations);
  const latestVersion = migrations.length;
  if (!fs.existsSync(absolute)) {
    return {
      path: absolute,
      exists: false,
      schemaVersion: 0,
      latestVersion,
      pending: pendingMigrations(0, migrations),
      rowCounts: {},
      integrity: 'ok',
    };
  }
  let db: Database.Database | undefined;
  let schemaVersion: number | null = null;
  try {
    const Database = sqliteDatabase();
    db = new Database(absolute, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    schemaVersion = readUserVersion(db);
    const counts = rowCounts(db);
    const problems = [...quickCheckProblems(db), ...foreignKeyViolations(db)];
    return {
      path: absolute,
      exists: true,
      schemaVersion,
      latestVersion,
      pending: pendingMigrations(schemaVersion, migrations),
      rowCounts: counts,
      integrity: problems.length === 0 ? 'ok' : problems,
    };
  } catch (error) {
    if (!isCorruptionError(error)) throw storeError('inspecting it', absolute, error);
    return {
      path: absolute,
      exists: true,
      schemaVersion,
      latestVersion,
      pending: [],
      rowCounts: {},
      integrity: [describeSqliteError(error)],
    };
  } finally {
    db?.close();
  }
}
