import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

/**
 * better-sqlite3, loaded the first time a store is opened rather than with
 * the store module: commands that never open the store (`status`, `info`)
 * skip loading its dozen CommonJS files.
 */
let constructor: typeof Database | undefined;

export function sqliteDatabase(): typeof Database {
  if (constructor === undefined) {
    const loaded = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
    withUriFilenames(() => new loaded(':memory:').close());
    constructor = loaded;
  }
  return constructor;
}

/**
 * Runs `load` (which must load better-sqlite3's addon) with URI filenames
 * turned on: the addon reads SQLITE_USE_URI once per process, when it
 * loads, and a URI (`file:…?immutable=1`) is how a reader opens the store
 * without creating its -wal and -shm files. Store paths are absolute, so no
 * other name is read as a URI. A value the user set is left as it is, and
 * the variable is removed again so no child process inherits it.
 */
function withUriFilenames(load: () => void): void {
  const own = process.env['SQLITE_USE_URI'] === undefined;
  if (own) process.env['SQLITE_USE_URI'] = '1';
  try {
    load();
  } finally {
    if (own) delete process.env['SQLITE_USE_URI'];
  }
}
