import type Database from 'better-sqlite3';
import { quickCheckProblems, readUserVersion } from './checks.js';
import { describeSqliteError, isBusyError, isCorruptionError, storeError } from './errors.js';
import { sqliteDatabase } from './sqlite.js';

/** How long a connection waits for another process's lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Connection settings every cairn process uses: wait on locks, WAL (readers
 * never block the writer), NORMAL sync (durable at checkpoints, consistent
 * always, which is enough for local history), and enforced foreign keys.
 */
export function configureConnection(db: Database.Database, readonly: boolean, busyTimeoutMs: number = BUSY_TIMEOUT_MS): void {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
}

export interface ConnectOptions {
  readonly: boolean;
  quickCheck: boolean;
  /** How long to wait for another process's lock (default BUSY_TIMEOUT_MS). */
  busyTimeoutMs?: number;
}

export type ConnectOutcome = { ok: true; db: Database.Database } | { ok: false; reason: string };

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Opens and configures a connection, then proves the file is a sound
 * database: reads its header and schema and (unless `quickCheck` is false)
 * runs `PRAGMA quick_check`. Damage is returned as `{ ok: false, reason }`;
 * any other failure throws CairnError('store').
 *
 * SQLite can answer SQLITE_BUSY without calling the busy handler in a few
 * moments (a connection that would have to upgrade a read lock, or one that
 * opens while another runs WAL recovery), which a 16-process stress of
 * creating one store did hit; so the whole sequence is retried until the
 * busy timeout has passed.
 */
export function connect(storePath: string, options: ConnectOptions): ConnectOutcome {
  const deadline = Date.now() + (options.busyTimeoutMs ?? BUSY_TIMEOUT_MS);
  for (let attempt = 1; ; attempt++) {
    try {
      return connectOnce(storePath, options);
    } catch (error) {
      if (!isBusyError(error) || Date.now() >= deadline) throw storeError('opening it', storePath, error);
      sleepSync(Math.min(100, 5 * attempt) + Math.random() * 10);
    }
  }
}

function connectOnce(storePath: string, options: ConnectOptions): ConnectOutcome {
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  let db: Database.Database | undefined;
  try {
    const Database = sqliteDatabase();
    db = new Database(storePath, { readonly: options.readonly, fileMustExist: options.readonly, timeout: busyTimeoutMs });
    configureConnection(db, options.readonly, busyTimeoutMs);
    readUserVersion(db);
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    if (options.quickCheck) {
      const problems = quickCheckProblems(db);
      if (problems.length > 0) {
        db.close();
        return { ok: false, reason: `quick_check: ${problems.slice(0, 3).join('; ')}` };
      }
    }
    return { ok: true, db };
  } catch (error) {
    db?.close();
    if (isCorruptionError(error)) return { ok: false, reason: describeSqliteError(error) };
    throw error;
  }
}
