import path from 'node:path';
import { assertConfined } from '../fs/index.js';
import { SIDE_FILE_SUFFIXES } from './move-aside.js';

/** File name of the local store inside `<repo>/.planning/`. */
export const STORE_FILE_NAME = 'cairn.db';

/** Where the local store of the repository rooted at `repoRoot` lives: `<repoRoot>/.planning/cairn.db`. */
export function storePathFor(repoRoot: string): string {
  return path.join(path.resolve(repoRoot), '.planning', STORE_FILE_NAME);
}

/**
 * Throws CairnError('unsafe-path') (exit 2) unless the store's directory
 * and the database with its `-wal`, `-shm` and `-journal` files lead
 * nowhere outside the directory holding `.planning` (the repository): a
 * committed `.planning/cairn.db` symlink would make SQLite create or read
 * a database wherever it points. Missing files are fine.
 */
export function assertStorePathConfined(storePath: string): void {
  const absolute = path.resolve(storePath);
  const home = path.dirname(path.dirname(absolute));
  assertConfined(home, path.dirname(absolute), 'the local store directory', 'directory');
  for (const file of [absolute, ...SIDE_FILE_SUFFIXES.map((suffix) => absolute + suffix)]) {
    assertConfined(home, file, 'the local store', 'file');
  }
}
