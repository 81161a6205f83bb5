import { isSafeSegment } from '../util/index.js';
import { renameDurable, removeTreeDurable, pathExists } from '../fs/index.js';
import { crashPoint } from './faults.js';
import { readJournal } from './journal.js';
import { assertTransactionsRootConfined, listTransactionsRoot, lockDirPath, transactionsRoot } from './layout.js';
import { removeStaleClaim } from './claim.js';
import { acquirePublishLock, type ReclaimedLock } from './lock.js';
import { describeHolder, judgeStaleness, readLockHolder } from './lock-owner.js';
import type { PublishRecorder } from './recorder.js';
import { safeRecord } from './record-safely.js';
import { writePublishedRecordSafely } from './published-record.js';
import { removeTransactionDir } from './tx-cleanup.js';
import { planRecovery, type RecoveryPlan } from './recovery-plan.js';

/* Executing recovery plans under the publish lock; the plans themselves are made read-only in recovery-plan.ts. */

export { planRecovery, type RecoveryAction, type RecoveryOperation, type RecoveryPlan } from './recovery-plan.js';

export interface RecoveryOptions {
  /** Plan only: no lock, nothing changed. */
  dryRun?: boolean;
  lockTimeoutMs?: number;
  recorder?: PublishRecorder;
  staleLimitMs?: number;
  /** The repository root: where a rolled-forward transaction's published-snapshot record is written. */
  repoRoot?: string;
}

export interface LockStatus {
  path: string;
  lockId: string | null;
  stale: boolean;
  reason: string;
  holder: string;
}

export interface RecoveryReport {
  liveRoot: string;
  dryRun: boolean;
  /** One plan per transaction directory, in name order (executed unless dryRun). */
  plans: RecoveryPlan[];
  /** Leftover lock tombstones (removed unless dryRun). */
  tombstones: string[];
  /** Stale locks reclaimed to run recovery. */
  reclaimedLocks: ReclaimedLock[];
  /** In a dry run: the lock as found (null when free). */
  lock: LockStatus | null;
}

/**
 * Executes a plan from {@link planRecovery}. Must run under the publish
 * lock. A `leave` plan does nothing.
 */
export async function executeRecovery(recoveryPlan: RecoveryPlan): Promise<void> {
  for (const operation of recoveryPlan.operations) {
    switch (operation.kind) {
      case 'move-aside':
        await renameDurable(operation.from, operation.to);
        crashPoint('recovery-live-moved-aside');
        break;
      case 'restore':
        await renameDurable(operation.from, operation.to);
        crashPoint('recovery-rollback-restored');
        break;
      case 'remove-transaction':
        await removeTransactionDir(operation.dir);
        crashPoint('recovery-tx-cleaned');
        break;
    }
  }
}

/**
 * Recovers every interrupted transaction under `liveRoot` (the caller holds
 * the lock): removes leftover lock tombstones, then plans and executes each
 * transaction directory in name order, recording a `recovery` event for
 * each one acted on.
 */
export async function recoverUnderLock(
  liveRoot: string,
  recorder?: PublishRecorder,
  repoRoot?: string,
): Promise<{ plans: RecoveryPlan[]; tombstones: string[] }> {
  const { transactions, tombstones } = await listTransactionsRoot(liveRoot);
  for (const tomb of tombstones) await removeTreeDurable(tomb);
  await removeStaleClaim(liveRoot);
  const plans: RecoveryPlan[] = [];
  for (const txDir of transactions) {
    const recoveryPlan = await planRecovery(liveRoot, txDir);
    plans.push(recoveryPlan);
    if (recoveryPlan.action === 'leave') continue;
    // A transaction rolled forward was published by cairn: its snapshot is
    // recorded before its directory (and with it the journal) goes.
    const published = recoveryPlan.action === 'roll-forward' ? await committedSnapshot(txDir) : null;
    if (published !== null && repoRoot !== undefined) await writePublishedRecordSafely(repoRoot, liveRoot, published.slug, published.snapshotId);
    await executeRecovery(recoveryPlan);
    safeRecord(recorder, (r) =>
      r.recordEvent({
        kind: 'recovery',
        slug: recoveryPlan.slug,
        details: { transaction_dir: txDir, action: recoveryPlan.action, reason: recoveryPlan.reason, steps: recoveryPlan.steps },
      }),
    );
    if (published !== null) safeRecord(recorder, (r) => r.recordPublished(liveRoot, published.slug, published.snapshotId));
  }
  return { plans, tombstones };
}

/** The migration and new snapshot a committed journal names, or null. */
async function committedSnapshot(txDir: string): Promise<{ slug: string; snapshotId: string } | null> {
  const journal = await readJournal(txDir);
  if (journal.status !== 'valid' || journal.body.phase !== 'committed' || !isSafeSegment(journal.body.slug)) return null;
  const slug = journal.body.moved_to ?? journal.body.slug;
  if (!isSafeSegment(slug)) return null;
  return { slug, snapshotId: journal.body.new_snapshot_id };
}

/**
 * `cairn recover`: under the publish lock (reclaiming a stale one), finishes
 * or undoes every interrupted transaction and removes cairn's debris;
 * leaves the original tool's leftovers alone. With `dryRun`, only plans:
 * no lock, nothing changed. A live root without `__transactions__` has
 * nothing to recover and is not touched.
 */
export async function recover(liveRoot: string, options: RecoveryOptions = {}): Promise<RecoveryReport> {
  const report: RecoveryReport = { liveRoot, dryRun: options.dryRun === true, plans: [], tombstones: [], reclaimedLocks: [], lock: null };
  assertTransactionsRootConfined(liveRoot);
  if (!(await pathExists(transactionsRoot(liveRoot)))) return report;
  if (options.dryRun === true) {
    const { transactions, tombstones } = await listTransactionsRoot(liveRoot);
    report.tombstones = tombstones;
    for (const txDir of transactions) report.plans.push(await planRecovery(liveRoot, txDir));
    const holder = await readLockHolder(lockDirPath(liveRoot));
    if (holder !== null) {
      const verdict = judgeStaleness(holder, Date.now(), options.staleLimitMs);
      report.lock = {
        path: holder.lockDir,
        lockId: holder.owner?.lock_id ?? null,
        stale: verdict.stale,
        reason: verdict.reason,
        holder: describeHolder(holder),
      };
    }
    return report;
  }
  const lock = await acquirePublishLock(liveRoot, {
    operation: 'recover',
    timeoutMs: options.lockTimeoutMs ?? 30_000,
    recorder: options.recorder,
    repoRoot: options.repoRoot,
    staleLimitMs: options.staleLimitMs,
  });
  report.reclaimedLocks = [...lock.reclaimed];
  try {
    const done = await recoverUnderLock(liveRoot, options.recorder, options.repoRoot);
    report.plans = done.plans;
    report.tombstones = done.tombstones;
  } finally {
    await lock.release();
  }
  return report;
}
