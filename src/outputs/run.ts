import * as z from 'zod';
import { EFFORTS, MIGRATION_STATUSES } from '../migration/index.js';
import type { AbandonedRun, PhaseRunResult, RunAllAction } from '../execution/index.js';
import { jsonDocument } from './document.js';

const StatusBlockJsonSchema = z
  .object({
    phase_reached: z.string().nullable(),
    decision: z.string().nullable(),
    retry_recommendation: z.string().nullable(),
    failure_kind: z.string().nullable(),
    summary: z.string().nullable(),
    commit_rationale: z.string().nullable(),
    next_retry_focus: z.string().nullable(),
    tests_run: z.string().nullable(),
    evidence: z.array(z.string()),
  })
  .describe("The agent's execution status block (the last one it printed).");

export const PhaseRunJsonSchema = z
  .object({
    status: z
      .enum(['integrated', 'committed', 'pushed', 'deferred', 'failed', 'baseline-failed', 'interrupted', 'dry-run'])
      .describe('integrated: the user branch was fast-forwarded; committed: the phase commit is on its branch only; pushed: the branch was pushed; deferred: the phase was deferred (§6.3); failed, baseline-failed, interrupted: nothing changed.'),
    slug: z.string(),
    phase: z.string(),
    phase_file: z.string().describe('The phase doc, repository-relative.'),
    reason: z.string(),
    effort: z.enum(EFFORTS).nullable(),
    validation_command: z.string().nullable(),
    agent_argv: z.array(z.string()).nullable(),
    base_commit: z.string().nullable(),
    branch: z.string().nullable().describe('The phase branch left in the repository, or null (integrated and deleted, or nothing made).'),
    commit: z.string().nullable().describe('The phase commit (code change and manifest completion together).'),
    integration: z
      .object({
        mode: z.enum(['ff', 'branch', 'push']),
        done: z.boolean(),
        merge_command: z.string().nullable().describe('What to run to integrate the phase yourself.'),
        detail: z.string(),
      })
      .nullable(),
    ready_check: z.object({ verdict: z.enum(['yes', 'no', 'unverifiable']), reason: z.string() }).nullable(),
    deferral: z
      .object({
        kind: z.enum(['not-ready', 'unverifiable', 'over-budget']),
        reason: z.string(),
        cooldown_until: z.string().nullable(),
        wake_up_on: z.string().nullable(),
        awaiting_human_review: z.boolean(),
      })
      .nullable(),
    attempts: z.array(
      z.object({
        attempt: z.int().min(1),
        outcome: z.enum(['green', 'agent-failed', 'red', 'rejected']),
        reason: z.string(),
        status_block: StatusBlockJsonSchema.nullable(),
        validation: z.object({ verdict: z.string(), tail: z.string() }).nullable(),
      }),
    ),
    status_block: StatusBlockJsonSchema.nullable(),
    next_phase: z.string().nullable(),
    migration_status: z.enum(MIGRATION_STATUSES).nullable(),
    warnings: z.array(z.string()),
  })
  .describe('One phase run.');

export const RunOutputSchema = jsonDocument(
  {
    mode: z.enum(['one', 'all']),
    phase: PhaseRunJsonSchema.nullable().describe('`cairn run <slug>`: the phase run.'),
    actions: z
      .array(
        z.object({
          kind: z.enum(['plan', 'phase']),
          slug: z.string(),
          detail: z.string(),
          status: z.string(),
          ok: z.boolean(),
          reason: z.string(),
          commit: z.string().nullable(),
          phase: PhaseRunJsonSchema.nullable(),
        }),
      )
      .describe('`cairn run --all`: every action in order.'),
    awaiting_review: z.array(z.object({ slug: z.string(), reason: z.string() })).describe('Migrations skipped because they wait for a human review.'),
    stopped_because: z.enum(['nothing-eligible', 'max-actions', 'max-consecutive-failures', 'interrupted']).nullable(),
    cleaned_up: z.array(z.object({ run_id: z.string(), slug: z.string().nullable(), branch_left: z.string().nullable(), message: z.string() })),
  },
  'Output of `cairn run --format json`.',
);

export function phaseRunJson(result: PhaseRunResult): z.infer<typeof PhaseRunJsonSchema> {
  return {
    status: result.status,
    slug: result.slug,
    phase: result.phase,
    phase_file: result.phaseFile,
    reason: result.reason,
    effort: result.effort,
    validation_command: result.validationCommand,
    agent_argv: result.agentArgv,
    base_commit: result.baseCommit,
    branch: result.branch,
    commit: result.commit,
    integration: result.integration === null ? null : { mode: result.integration.mode, done: result.integration.done, merge_command: result.integration.mergeCommand, detail: result.integration.detail },
    ready_check: result.readyCheck,
    deferral:
      result.deferral === null
        ? null
        : {
            kind: result.deferral.kind,
            reason: result.deferral.reason,
            cooldown_until: result.deferral.cooldownUntil,
            wake_up_on: result.deferral.wakeUpOn,
            awaiting_human_review: result.deferral.awaitingHumanReview,
          },
    attempts: result.attempts.map((attempt) => ({ attempt: attempt.attempt, outcome: attempt.outcome, reason: attempt.reason, status_block: attempt.statusBlock, validation: attempt.validation })),
    status_block: result.statusBlock,
    next_phase: result.nextPhase,
    migration_status: result.migrationStatus,
    warnings: result.warnings,
  };
}

export function runActionJson(action: RunAllAction): z.infer<typeof RunOutputSchema>['actions'][number] {
  return {
    kind: action.kind,
    slug: action.slug,
    detail: action.detail,
    status: action.status,
    ok: action.ok,
    reason: action.reason,
    commit: action.commit,
    phase: action.phase === null ? null : phaseRunJson(action.phase),
  };
}

export function cleanedUpJson(runs: readonly AbandonedRun[]): z.infer<typeof RunOutputSchema>['cleaned_up'] {
  return runs.map((run) => ({ run_id: run.runId, slug: run.slug, branch_left: run.branchLeft, message: run.message }));
}

export const NextPhaseOutputSchema = jsonDocument(
  {
    status: z.enum(['prepared', 'deferred', 'baseline-failed']).describe('prepared: do the phase in the worktree, then call finish_phase; otherwise nothing was prepared.'),
    slug: z.string(),
    phase: z.string(),
    phase_file: z.string(),
    run_id: z.string().nullable().describe('Pass it to finish_phase.'),
    worktree: z.string().nullable().describe('The git worktree to work in (absolute); your changes go here, never in the main checkout.'),
    branch: z.string().nullable(),
    base_commit: z.string().nullable(),
    validation_command: z.string().nullable().describe('What finish_phase runs in the worktree; the phase is committed only when it passes.'),
    prompt: z.string().nullable().describe('The execution prompt: the phase doc, the plan, the rules and the status block to end with.'),
    reason: z.string(),
    result: PhaseRunJsonSchema.nullable().describe('When nothing was prepared: what happened instead.'),
  },
  'Output of the MCP tool next_phase.',
);

export const FinishPhaseOutputSchema = jsonDocument({ phase: PhaseRunJsonSchema }, 'Output of the MCP tool finish_phase.');
