import path from 'node:path';
import { CairnError } from '../util/errors.js';
import { snapshotId } from '../fs/digest.js';
import { gitDirtyPaths } from '../fs/git-dirty.js';
import { listTransactionsRoot } from '../publish/layout.js';
import type { PublishRecorder } from '../publish/recorder.js';
import { planRecovery, recover, type RecoveryPlan } from '../publish/recovery.js';
import { toPosix } from '../util/paths.js';

/*
 * Where a run starts (spec §2.4 step 1): interrupted transactions are
 * finished first (a crash mid-publish can leave the live directory moved
 * aside), then the live migration must not carry uncommitted edits, and its
 * snapshot id becomes the run's base: publishing later refuses if the live
 * tree changed in between.
 */

/** The reason a publish gives for a dirty live tree (spec §3.2). */
export const DIRTY_LIVE_REASON = 'dirty live migration directory; commit, discard, or inspect with migration doctor';

export interface BaseSnapshotInput {
  repoRoot: string;
  liveRoot: string;
  slug: string;
  recorder?: PublishRecorder | undefined;
}

/** The live migration's uncommitted paths that block a run: none when the tree is what cairn last published. */
export async function blockingDirtyPaths(input: BaseSnapshotInput, liveId: string): Promise<string[]> {
  const liveDir = path.join(input.liveRoot, input.slug);
  const dirty = gitDirtyPaths(input.repoRoot, liveDir);
  if (dirty === null || dirty.length === 0) return [];
  let lastPublished: string | null = null;
  try {
    lastPublished = input.recorder?.lastPublishedSnapshot(input.liveRoot, input.slug) ?? null;
  } catch {
    lastPublished = null;
  }
  return lastPublished === liveId ? [] : dirty;
}

/** The blocked error for a dirty live migration, listing the paths. */
export function dirtyLiveError(repoRoot: string, liveDir: string, slug: string, dirty: readonly string[]): CairnError {
  const where = toPosix(path.relative(repoRoot, liveDir));
  return new CairnError('blocked', [DIRTY_LIVE_REASON, 'dirty paths:', ...dirty.map((entry) => `- ${entry}`)].join('\n'), {
    path: liveDir,
    hint:
      `The live migration ${where} has changes cairn did not publish. Commit them (or discard them) ` +
      `and run the command again; \`cairn doctor ${slug}\` checks the directory.`,
  });
}

/**
 * The base snapshot id of a run: refuses a dirty live migration
 * (`CairnError('blocked')`) unless its tree is exactly what cairn last
 * published, then digests it.
 */
export async function captureBaseSnapshot(input: BaseSnapshotInput): Promise<string> {
  const liveDir = path.join(input.liveRoot, input.slug);
  const liveId = await snapshotId(liveDir);
  const dirty = await blockingDirtyPaths(input, liveId);
  if (dirty.length > 0) throw dirtyLiveError(input.repoRoot, liveDir, input.slug, dirty);
  return liveId;
}

export interface RecoverPendingInput {
  liveRoot: string;
  recorder?: PublishRecorder | undefined;
  lockTimeoutMs?: number | undefined;
}

/**
 * Finishes or undoes interrupted publish transactions under the live root
 * before a run reads the live tree (the publish would recover them too, but
 * only after the run's base snapshot was taken from a half-swapped tree).
 * Transactions recovery must leave alone cause no lock to be taken.
 * Returns the plans executed.
 */
export async function recoverPendingTransactions(input: RecoverPendingInput): Promise<RecoveryPlan[]> {
  const { transactions } = await listTransactionsRoot(input.liveRoot);
  if (transactions.length === 0) return [];
  let actionable = false;
  for (const txDir of transactions) {
    if ((await planRecovery(input.liveRoot, txDir)).action !== 'leave') actionable = true;
  }
  if (!actionable) return [];
  const options: Parameters<typeof recover>[1] = {};
  if (input.recorder !== undefined) options.recorder = input.recorder;
  if (input.lockTimeoutMs !== undefined) options.lockTimeoutMs = input.lockTimeoutMs;
  const report = await recover(input.liveRoot, options);
  const executed = report.plans.filter((plan) => plan.action !== 'leave');
  return executed;
}
