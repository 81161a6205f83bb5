import { readdir, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, removeTreeDurable } from '../fs/index.js';
import { JOURNAL_FILE_NAME, TX_MARKER_NAME } from './layout.js';
import { errnoCode } from '../util/index.js';

/**
 * Removes a transaction directory in an order recovery can always resume
 * from: first every tree and stray file in it (rollback/, staged/,
 * failed/, temp files), while the journal still says what happened; then
 * the journal (marker rule: removed before the directory it vouches for is
 * gone, after the data it describes); then the `cairn-tx` marker; then the
 * empty directory. Each step is fsynced. A missing directory is fine.
 */
export async function removeTransactionDir(txDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(txDir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  for (const name of names.sort()) {
    if (name === JOURNAL_FILE_NAME || name === TX_MARKER_NAME) continue;
    await removeTreeDurable(path.join(txDir, name));
  }
  for (const name of [JOURNAL_FILE_NAME, TX_MARKER_NAME]) {
    if (!names.includes(name)) continue;
    try {
      await unlink(path.join(txDir, name));
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
    await fsyncDir(txDir);
  }
  try {
    await rmdir(txDir);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  await fsyncDir(path.dirname(txDir));
}
