import * as z from 'zod';
import type { RecoveryReport } from '../publish/index.js';
import type { ExecutionRecoveryReport } from '../execution/index.js';
import { recoveryPlanJson, RecoveryPlanJsonSchema } from './publish-result.js';
import { jsonDocument, type DocumentPayload } from './document.js';
import { LockOwnerJsonSchema } from './unlock.js';

export const RecoverOutputSchema = jsonDocument(
  {
    live_root: z.string(),
    dry_run: z.boolean(),
    transactions: z.array(RecoveryPlanJsonSchema),
    lock_tombstones: z.array(z.string()),
    reclaimed_locks: z.array(z.strictObject({ owner: LockOwnerJsonSchema.nullable(), reason: z.string() })),
    lock: z
      .strictObject({
        path: z.string(),
        lock_id: z.string().nullable(),
        stale: z.boolean(),
        reason: z.string(),
        holder: z.string(),
      })
      .nullable()
      .describe('Dry runs: the publish lock as found (null when free).'),
    integrations: z
      .array(z.strictObject({ run_id: z.string(), slug: z.string(), branch: z.string(), action: z.enum(['finished', 'left']), message: z.string() }))
      .describe('Fast-forwards of `cairn run` interrupted by a killed cairn, finished (or left, when the branch moved on).'),
    runs: z
      .array(z.strictObject({ run_id: z.string(), slug: z.string().nullable(), phase: z.string().nullable(), branch_left: z.string().nullable(), message: z.string() }))
      .describe('Runs of `cairn run` whose cairn was killed: worktree removed, and the phase branch they left, if it holds a commit.'),
  },
  'Output of `cairn recover --format json`.',
);

/** A recovery report as JSON, without `schema_version`. */
export function recoverReportJson(report: RecoveryReport, runs: ExecutionRecoveryReport = { integrations: [], runs: [] }): DocumentPayload<typeof RecoverOutputSchema> {
  return {
    live_root: report.liveRoot,
    dry_run: report.dryRun,
    transactions: report.plans.map(recoveryPlanJson),
    lock_tombstones: report.tombstones,
    reclaimed_locks: report.reclaimedLocks.map((lock) => ({ owner: lock.owner, reason: lock.reason })),
    lock:
      report.lock === null
        ? null
        : { path: report.lock.path, lock_id: report.lock.lockId, stale: report.lock.stale, reason: report.lock.reason, holder: report.lock.holder },
    integrations: runs.integrations.map((done) => ({ run_id: done.runId, slug: done.slug, branch: done.branch, action: done.action, message: done.message })),
    runs: runs.runs.map((run) => ({ run_id: run.runId, slug: run.slug, phase: run.phase, branch_left: run.branchLeft, message: run.message })),
  };
}
