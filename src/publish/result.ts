import type { Finding, InvariantResult } from '../migration/index.js';
import type { DiffEntry } from '../fs/index.js';
import type { RecoveryPlan } from './recovery.js';
import type { Transition } from './validator.js';

export type PublishStatus = 'published' | 'blocked' | 'failed';

/** What a publish would change (dry run) : files with sizes, and the plan's transition. */
export interface PublishDiff {
  added: DiffEntry[];
  changed: DiffEntry[];
  removed: DiffEntry[];
  /** `next_step` of the live state → the candidate's (null where there is no readable state). */
  cursor: Transition;
  /** Manifest status of the live tree → the candidate's. */
  status: Transition;
}

export interface PublishResult {
  status: PublishStatus;
  /** `published`, or why not (the messages of docs/format.md §13.2 for blocked and failed). */
  reason: string;
  slug: string;
  operation: string;
  liveDir: string;
  /** Digest of the live migration when the result was produced (the new one once published). */
  snapshotId: string | null;
  /** The validator's findings about the candidate. */
  findings: Finding[];
  /** Every invariant between the live tree and the candidate, passed or not. */
  invariants: InvariantResult[];
  /** True when the publish was refused because the live migration is no longer the snapshot the work started from. */
  staleBase: boolean;
  /** Uncommitted paths that blocked the publish (repo-relative, as git prints them). */
  dirtyPaths: string[];
  /** The lock path when the lock was taken (always set for `failed` after locking). */
  lockPath: string | null;
  /** The transaction directory, when one was created. */
  transactionDir: string | null;
  /** Dry runs only. */
  diff?: PublishDiff;
  /** A cleanup step that failed after the outcome was decided. */
  cleanupError: string | null;
  dryRun: boolean;
  /** Interrupted transactions recovered under the lock before this publish (or, in a dry run, that would be). */
  recovered: RecoveryPlan[];
}

/**
 * The message of a blocked or failed publish (docs/format.md §13.5): the reason, then
 * dirty paths, the lock path, the transaction directory left behind, and
 * any cleanup error, one per line.
 */
export function publishErrorMessage(result: PublishResult): string {
  const lines = [result.reason];
  if (result.dirtyPaths.length > 0) {
    lines.push('dirty paths:');
    for (const dirty of result.dirtyPaths) lines.push(`- ${dirty}`);
  }
  if (result.lockPath !== null) lines.push(`lock=${result.lockPath}`);
  if (result.status === 'failed') {
    lines.push(`live=${result.liveDir}`);
    if (result.transactionDir !== null) lines.push(`transaction=${result.transactionDir}`);
  }
  if (result.cleanupError !== null) lines.push(`cleanup_error=${result.cleanupError}`);
  return lines.join('\n');
}
