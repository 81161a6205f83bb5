import { z } from 'zod';
import type { RecoveryReport } from '../publish/index.js';
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
  },
  'Output of `cairn recover --format json`.',
);

/** A recovery report as JSON, without `schema_version`. */
export function recoverReportJson(report: RecoveryReport): DocumentPayload<typeof RecoverOutputSchema> {
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
  };
}
