import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

/**
 * better-sqlite3, loaded the first time a store is opened rather than with
 * the store module: commands that never open the store (`status`, `info`)
 * skip loading its dozen CommonJS files.
 */
let constructor: typeof Database | undefined;

export function sqliteDatabase(): typeof Database {
  constructor ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  return constructor;
}
