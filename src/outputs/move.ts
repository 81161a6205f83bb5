import * as z from 'zod';
import type { MoveMigrationResult, MoveOutcome, MoveRootResult } from '../planning/index.js';
import { jsonDocument, type DocumentPayload } from './document.js';
import { recoveryPlanJson, RecoveryPlanJsonSchema } from './publish-result.js';

export const MoveOutputSchema = jsonDocument(
  {
    kind: z.enum(['migration', 'root']).describe('`migration` for `cairn mv <slug> <new-slug>`, `root` for `cairn mv --root <new-dir>`.'),
    status: z.enum(['moved', 'would-move', 'failed']),
    reason: z.string(),
    dry_run: z.boolean(),
    from: z.string().describe('The old slug (kind root: the old migrations root, repo-relative).'),
    to: z.string().describe('The new slug (kind root: the new migrations root, repo-relative).'),
    from_dir: z.string(),
    to_dir: z.string(),
    changes: z
      .array(z.strictObject({ file: z.string(), field: z.string(), from: z.string(), to: z.string() }))
      .describe(
        'Every value rewritten: file relative to the migration directory (kind root: relative to the repository, the config included), field, old and new value.',
      ),
    snapshot_id: z.string().nullable().describe('The snapshot of the moved migration (null in a dry run, on failure and for kind root).'),
    transaction_dir: z.string().nullable().describe('A transaction (kind root: the root move journal) left for `cairn recover` (null when none).'),
    cleanup_error: z.string().nullable(),
    recovered: z.array(RecoveryPlanJsonSchema).describe('Interrupted transactions finished or undone before the move.'),
    commit: z.string().nullable().describe('The commit made by --commit, or null.'),
  },
  'Output of `cairn mv --format json`.',
);

/** The fields every move's JSON shares. */
function moveOutcomeJson(result: MoveOutcome, commit: string | null) {
  return {
    status: result.status,
    reason: result.reason,
    dry_run: result.dryRun,
    from: result.from,
    to: result.to,
    from_dir: result.fromDir,
    to_dir: result.toDir,
    changes: result.changes.map((change) => ({ file: change.file, field: change.field, from: change.from, to: change.to })),
    cleanup_error: result.cleanupError,
    recovered: result.recovered.map(recoveryPlanJson),
    commit,
  };
}

/** A move as JSON, without `schema_version`. */
export function moveResultJson(result: MoveMigrationResult, commit: string | null): DocumentPayload<typeof MoveOutputSchema> {
  return { kind: 'migration', ...moveOutcomeJson(result, commit), snapshot_id: result.snapshotId, transaction_dir: result.transactionDir };
}

/** A root move as JSON, without `schema_version`. */
export function moveRootResultJson(result: MoveRootResult, commit: string | null): DocumentPayload<typeof MoveOutputSchema> {
  return { kind: 'root', ...moveOutcomeJson(result, commit), snapshot_id: null, transaction_dir: result.journal };
}
