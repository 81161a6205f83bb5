import * as z from 'zod';
import { INVARIANT_NAMES, type Severity, type ValidationMode } from '../migration/index.js';
import type { PublishResult, RecoveryPlan } from '../publish/index.js';

/*
 * The JSON shapes of publish results and recovery plans, as every
 * `--format json` document and MCP tool result embeds them. The builders below
 * are typed by these schemas; the published JSON Schemas are
 * generated from them.
 */

/** One recovery plan (`cairn recover`, and the `recovered` lists of mutating commands). */
export const RecoveryPlanJsonSchema = z
  .strictObject({
    transaction_dir: z.string().describe('Absolute path of the transaction directory.'),
    action: z.enum(['roll-back', 'roll-forward', 'discard', 'leave']),
    slug: z.string().nullable().describe('The migration the transaction was publishing, when known.'),
    reason: z.string(),
    steps: z.array(z.string()).describe('What executing the plan does, in words, in order.'),
    journal_phase: z.enum(['prepared', 'committed']).nullable(),
  })
  .describe('What recovery does (or would do) with one interrupted transaction.')
  .meta({ id: 'RecoveryPlan' });

export type RecoveryPlanJson = z.infer<typeof RecoveryPlanJsonSchema>;

const PublishFindingJsonSchema = z.strictObject({
  severity: z.enum(['error', 'warning', 'info'] satisfies Severity[]),
  mode: z.enum(['planning-snapshot', 'ready-publish', 'execution-gate', 'doctor'] satisfies ValidationMode[]),
  code: z.string(),
  path: z.string(),
  message: z.string(),
});

const DiffEntryJsonSchema = z.strictObject({ path: z.string(), size: z.int().min(0) });

const TransitionJsonSchema = z.strictObject({ from: z.string().nullable(), to: z.string().nullable() });

/** The result of one publish (or dry run), snake_case. */
export const PublishResultJsonSchema = z
  .strictObject({
    status: z
      .enum(['published', 'blocked', 'failed', 'would-publish', 'would-block'])
      .describe("A dry run changes nothing and says what the publish would do: 'would-publish' or 'would-block', never 'published'."),
    reason: z.string().describe("'published', or why not; for a dry run, what would happen."),
    slug: z.string(),
    operation: z.string().describe('e.g. planning.expand, migration.new, migration.phase-done.'),
    live_dir: z.string(),
    snapshot_id: z.string().nullable().describe('Digest of the live migration after the publish (or as found).'),
    dry_run: z.boolean(),
    findings: z.array(PublishFindingJsonSchema).describe("Consistency findings of the candidate in the publish's mode."),
    invariants: z.array(
      z.strictObject({
        name: z.enum(INVARIANT_NAMES),
        passed: z.boolean(),
        violations: z.array(z.strictObject({ path: z.string(), message: z.string() })),
      }),
    ),
    dirty_paths: z.array(z.string()).describe('Uncommitted paths that blocked the publish.'),
    lock_path: z.string().nullable(),
    transaction_dir: z.string().nullable(),
    cleanup_error: z.string().nullable(),
    recovered: z.array(RecoveryPlanJsonSchema),
    diff: z
      .strictObject({
        added: z.array(DiffEntryJsonSchema),
        changed: z.array(z.strictObject({ path: z.string(), size: z.int().min(0), old_size: z.int().min(0).nullable() })),
        removed: z.array(DiffEntryJsonSchema),
        cursor: TransitionJsonSchema.describe('next_step of the live state → the candidate.'),
        status: TransitionJsonSchema.describe('Manifest status of the live tree → the candidate.'),
      })
      .optional()
      .describe('Dry runs: what would change.'),
  })
  .describe('The outcome of a publish transaction.')
  .meta({ id: 'PublishResult' });

export type PublishResultJson = z.infer<typeof PublishResultJsonSchema>;

/** The result as snake_case JSON for `--format json` and MCP. */
export function publishResultJson(result: PublishResult): PublishResultJson {
  const json: PublishResultJson = {
    status: publishStatusJson(result),
    reason: result.reason,
    slug: result.slug,
    operation: result.operation,
    live_dir: result.liveDir,
    snapshot_id: result.snapshotId,
    dry_run: result.dryRun,
    findings: result.findings.map((finding) => ({
      severity: finding.severity,
      mode: finding.mode,
      code: finding.code,
      path: finding.path,
      message: finding.message,
    })),
    invariants: result.invariants.map((invariant) => ({
      name: invariant.name,
      passed: invariant.passed,
      violations: invariant.violations.map((violation) => ({ path: violation.path, message: violation.message })),
    })),
    dirty_paths: result.dirtyPaths,
    lock_path: result.lockPath,
    transaction_dir: result.transactionDir,
    cleanup_error: result.cleanupError,
    recovered: result.recovered.map(recoveryPlanJson),
  };
  if (result.diff !== undefined) {
    json.diff = {
      added: result.diff.added.map((entry) => ({ path: entry.path, size: entry.size })),
      changed: result.diff.changed.map((entry) => ({ path: entry.path, size: entry.size, old_size: entry.oldSize ?? null })),
      removed: result.diff.removed.map((entry) => ({ path: entry.path, size: entry.size })),
      cursor: result.diff.cursor,
      status: result.diff.status,
    };
  }
  return json;
}

/** The document's status: a dry run's says what the publish would do, since nothing was published. */
export function publishStatusJson(result: Pick<PublishResult, 'status' | 'dryRun'>): PublishResultJson['status'] {
  if (!result.dryRun) return result.status;
  return result.status === 'published' ? 'would-publish' : 'would-block';
}

/** A recovery plan as snake_case JSON. */
export function recoveryPlanJson(plan: RecoveryPlan): RecoveryPlanJson {
  return {
    transaction_dir: plan.txDir,
    action: plan.action,
    slug: plan.slug,
    reason: plan.reason,
    steps: plan.steps,
    journal_phase: plan.journalPhase,
  };
}
