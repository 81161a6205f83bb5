import path from 'node:path';
import { messageOf, compareCodePoints } from '../util/index.js';
import { lstatSync } from 'node:fs';
import { TRANSACTIONS_DIR, transactionsRootProblem } from '../publish/index.js';
import { listDir, pathKind } from '../fs/index.js';
import { publishLockFinding, type LockCheckOptions } from './publish-lock.js';
import { makeFinding } from './rules.js';
import type { Finding } from '../migration/index.js';

/** The slug column of live-root findings. */
export const TRANSACTIONS_SLUG = TRANSACTIONS_DIR;

const LOCK_NAME = '.lock';

/**
 * What to say about the transaction directories left under
 * `__transactions__` (absolute paths, sorted). This is the extension point
 * for the publish journal: a hook that reads each directory's journal can
 * report `transaction-incomplete` (naming the roll-forward or roll-back that
 * recovery would do) and fall back to {@link leftoverTransactionFindings} for
 * the rest.
 */
export type TransactionDirInspector = (transactionDirs: readonly string[]) => Promise<Finding[]>;

/** The v1 behaviour: every transaction directory is `transaction-leftover`. */
export async function leftoverTransactionFindings(transactionDirs: readonly string[]): Promise<Finding[]> {
  return transactionDirs.map((dir) =>
    makeFinding('transaction-leftover', {
      mode: 'doctor',
      slug: TRANSACTIONS_SLUG,
      path: dir,
      message: 'Planning transaction directory is still present.',
    }),
  );
}

export interface TransactionCheckOptions extends LockCheckOptions {
  inspectTransactionDirs?: TransactionDirInspector;
}

/**
 * The live root's transaction findings (doctor `--all`, slug
 * `__transactions__`), in order: `transaction-root-invalid` when
 * `__transactions__` exists but is not a directory, or leads out of the live
 * root (a symlink, reported and not followed); the lock finding when
 * `.lock` exists; then the inspector's findings for every other
 * subdirectory (plain files are ignored).
 */
export async function transactionFindings(liveRoot: string, options: TransactionCheckOptions = {}): Promise<Finding[]> {
  const root = path.join(liveRoot, TRANSACTIONS_DIR);
  const finding = (code: string, at: string, message: string, hint?: string) =>
    makeFinding(code, { mode: 'doctor', slug: TRANSACTIONS_SLUG, path: at, message, ...(hint === undefined ? {} : { hint }) });
  // Reported, never followed: a committed link out of the live root would make doctor read (and recovery write) elsewhere.
  const unsafe = transactionsRootProblem(liveRoot);
  if (unsafe !== null) {
    return [
      finding(
        'transaction-root-invalid',
        unsafe.path,
        `Planning transaction root cannot be used: ${unsafe.message}; cairn does not follow it.`,
        `Remove ${unsafe.path} (it may have come from a commit): __transactions__ is cairn's own directory and must be a real directory inside the migrations root.`,
      ),
    ];
  }
  const kind = pathKind(root);
  if (kind === 'missing') return [];
  if (kind !== 'directory') return [finding('transaction-root-invalid', root, 'Planning transaction root is not a directory.')];

  const findings: Finding[] = [];
  const lockDir = path.join(root, LOCK_NAME);
  if (pathKind(lockDir) !== 'missing') {
    const lock = await publishLockFinding(lockDir, options);
    if (lock !== null) findings.push(lock);
  }
  const listed = listDir(root);
  if ('error' in listed) {
    findings.push(finding('path-unreadable', root, `Could not list ${root}: ${messageOf(listed.error)}`));
    return findings;
  }
  const dirs = listed.entries
    .map((entry) => entry.name)
    .filter((name) => name !== LOCK_NAME)
    .sort(compareCodePoints)
    .map((name) => path.join(root, name))
    .filter((dir) => lstatSync(dir, { throwIfNoEntry: false })?.isDirectory() === true);
  const inspect = options.inspectTransactionDirs ?? leftoverTransactionFindings;
  for (const finding of await inspect(dirs)) findings.push(finding);
  return findings;
}
