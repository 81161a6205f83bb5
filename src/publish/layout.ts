import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { compareCodePoints, errnoCode } from '../util/index.js';
import { assertConfined, confinementProblem, type ConfinementProblem } from '../fs/index.js';

/*
 * Names under `<live>/__transactions__/` (docs/format.md §14.1): the lock directory
 * `.lock`, transaction directories named by 32 hex digits, and cairn's own
 * additions: the `.lock.tomb-<random>` directories a lock passes through
 * when it is released or reclaimed, and `.lock.claim`, held while a stale
 * lock is being reclaimed.
 */

/** The live root's directory of publish transactions and the publish lock. */
export const TRANSACTIONS_DIR = '__transactions__';
export const LOCK_DIR_NAME = '.lock';
export const OWNER_FILE_NAME = 'owner.json';
export const LOCK_TOMB_PREFIX = '.lock.tomb-';
/** Held (mkdir) by whoever is reclaiming a stale lock, so that claimers never race each other. */
export const CLAIM_DIR_NAME = '.lock.claim';
/** Written first into every transaction directory cairn creates. */
export const TX_MARKER_NAME = 'cairn-tx';
export const JOURNAL_FILE_NAME = 'journal.json';
export const STAGED_DIR_NAME = 'staged';
export const ROLLBACK_DIR_NAME = 'rollback';
export const FAILED_DIR_NAME = 'failed';

export function transactionsRoot(liveRoot: string): string {
  return path.join(liveRoot, TRANSACTIONS_DIR);
}

/** What `__transactions__` is called in messages. */
const TRANSACTIONS_ROLE = 'the publish transactions directory';

/**
 * Why `<live>/__transactions__` may not be used, or null. A repository can
 * commit it as a symlink out of the live root; cairn would then create its
 * lock and staged copies, and delete directories, wherever it points.
 */
export function transactionsRootProblem(liveRoot: string): ConfinementProblem | null {
  return confinementProblem(liveRoot, transactionsRoot(liveRoot), 'any');
}

/**
 * Throws CairnError('unsafe-path') (exit 2) unless `__transactions__` is
 * absent or a real directory inside the live root. Every path that lists,
 * creates or deletes anything under it calls this first.
 */
export function assertTransactionsRootConfined(liveRoot: string): void {
  assertConfined(liveRoot, transactionsRoot(liveRoot), TRANSACTIONS_ROLE, 'any');
}

export function lockDirPath(liveRoot: string): string {
  return path.join(liveRoot, TRANSACTIONS_DIR, LOCK_DIR_NAME);
}

export function claimDirPath(liveRoot: string): string {
  return path.join(liveRoot, TRANSACTIONS_DIR, CLAIM_DIR_NAME);
}

export interface TransactionPaths {
  dir: string;
  token: string;
  staged: string;
  rollback: string;
  failed: string;
  journal: string;
  marker: string;
}

export function transactionPaths(txDir: string): TransactionPaths {
  return {
    dir: txDir,
    token: path.basename(txDir),
    staged: path.join(txDir, STAGED_DIR_NAME),
    rollback: path.join(txDir, ROLLBACK_DIR_NAME),
    failed: path.join(txDir, FAILED_DIR_NAME),
    journal: path.join(txDir, JOURNAL_FILE_NAME),
    marker: path.join(txDir, TX_MARKER_NAME),
  };
}

interface RootEntries {
  transactions: string[];
  tombstones: string[];
  /** The claim directory, when present. */
  claim: string | null;
}

/**
 * The directories under `__transactions__`, split into transaction
 * directories (everything but `.lock` and lock tombstones) and lock
 * tombstones, each sorted by name. Plain files and symlinks are ignored; a
 * missing root has none. Throws CairnError('unsafe-path') for a root that
 * leads out of the live root.
 */
export async function listTransactionsRoot(liveRoot: string): Promise<RootEntries> {
  assertTransactionsRootConfined(liveRoot);
  const root = transactionsRoot(liveRoot);
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { transactions: [], tombstones: [], claim: null };
    throw error;
  }
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort(compareCodePoints);
  return {
    transactions: names
      .filter((name) => name !== LOCK_DIR_NAME && name !== CLAIM_DIR_NAME && !name.startsWith(LOCK_TOMB_PREFIX))
      .map((name) => path.join(root, name)),
    tombstones: names.filter((name) => name.startsWith(LOCK_TOMB_PREFIX)).map((name) => path.join(root, name)),
    claim: names.includes(CLAIM_DIR_NAME) ? path.join(root, CLAIM_DIR_NAME) : null,
  };
}
