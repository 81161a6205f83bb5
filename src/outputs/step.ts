import path from 'node:path';
import * as z from 'zod';
import type { StepRunResult, StepRunStatus } from '../planning/index.js';
import { CURSORS, OUTCOMES, STEPS, type Cursor } from '../migration/index.js';
import type { RecoveryPlan } from '../publish/index.js';
import { publishResultJson, recoveryPlanJson, PublishResultJsonSchema, RecoveryPlanJsonSchema } from './publish-result.js';
import { toPosix, shellWord } from '../util/index.js';
import { jsonDocument } from './document.js';

const STEP_RUN_STATUSES = [
  'published',
  'blocked',
  'failed',
  'agent-failed',
  'rejected',
  'interrupted',
  'manual',
  'dry-run',
] as const satisfies readonly StepRunStatus[];

/** One planning step's result (`plan`, `accept`, `refine`, and `review --request-changes`). */
export const StepJsonSchema = z
  .strictObject({
    status: z.enum(STEP_RUN_STATUSES),
    slug: z.string(),
    step: z.enum(STEPS),
    operation: z.string().describe('planning.<step> or migration.refine.<step>.'),
    reason: z.string(),
    outcome: z.enum(OUTCOMES).nullable(),
    next_step: z.enum(CURSORS as [Cursor, ...Cursor[]]).nullable(),
    terminal: z
      .strictObject({ outcome: z.enum(['ready', 'awaiting_human_review', 'skipped']), reason: z.string() })
      .nullable()
      .describe('Set when the step finished planning.'),
    stage_file: z.string().nullable(),
    run_id: z.string(),
    log_run_id: z.string().nullable().describe("The run's id in the local run log (cairn log --show)."),
    workspace: z.string().nullable().describe('The kept workspace, repo-relative (absolute outside the repository).'),
    agent_argv: z.array(z.string()).nullable(),
    exit_code: z.int().nullable(),
    interrupted_by: z.string().nullable(),
    publish: PublishResultJsonSchema.nullable(),
    commit: z.string().nullable().describe('The commit made with --commit.'),
    recovered: z.array(RecoveryPlanJsonSchema),
    warnings: z.array(z.string()),
    prompt: z.string().optional().describe('Manual and dry runs: the stage prompt.'),
    prompt_sha256: z.string().optional(),
    accept_command: z.string().optional().describe('Manual runs: the command that continues the run.'),
    would_block: z.string().nullable().optional().describe('Dry runs: why a real run would be refused at its start.'),
  })
  .describe('The result of one planning step.')
  .meta({ id: 'StepResult' });

export type StepJson = z.infer<typeof StepJsonSchema>;

const stepsDocumentShape = {
  slug: z.string(),
  status: z.enum(STEP_RUN_STATUSES).describe("The last step's status."),
  steps: z.array(StepJsonSchema),
};

export const PlanOutputSchema = jsonDocument(
  {
    ...stepsDocumentShape,
    status: z
      .enum([...STEP_RUN_STATUSES, 'already-accepted'])
      .describe("The last step's status; 'already-accepted' (and no steps) when the step given to --until was already accepted."),
  },
  'Output of `cairn plan --format json`: one entry per step run.',
);
export const AcceptOutputSchema = jsonDocument(stepsDocumentShape, 'Output of `cairn accept --format json`.');
export const RefineOutputSchema = jsonDocument(stepsDocumentShape, 'Output of `cairn refine --format json`.');

/** `target` relative to the repository (POSIX), or as it is when it lies outside or is already relative. */
export function repoRelativePath(repoRoot: string, target: string | null): string | null {
  if (target === null) return null;
  if (!path.isAbsolute(target)) return target;
  const rel = path.relative(repoRoot, target);
  return rel.startsWith('..') ? target : toPosix(rel);
}

/** The `cairn accept` command that continues a manual run. */
export function acceptCommand(result: StepRunResult): string {
  return `cairn accept ${shellWord(result.slug)} --step ${result.step} --file <output>`;
}

/** A step result as snake_case JSON; `recovered`: the interrupted transactions finished before the step began. */
export function stepJson(
  result: StepRunResult & { wouldBlock?: string | null },
  repoRoot: string,
  commit: string | null,
  recovered: readonly RecoveryPlan[],
): StepJson {
  const json: StepJson = {
    status: result.status,
    slug: result.slug,
    step: result.step,
    operation: result.operation,
    reason: result.reason,
    outcome: result.outcome,
    next_step: result.nextStep,
    terminal: result.terminal === null ? null : { outcome: result.terminal.outcome, reason: result.terminal.reason },
    stage_file: result.stageFile,
    run_id: result.runId,
    log_run_id: result.logRunId,
    workspace: result.runDir === null && result.status !== 'dry-run' ? null : repoRelativePath(repoRoot, result.workspaceDir),
    agent_argv: result.agentArgv,
    exit_code: result.exitCode,
    interrupted_by: result.interruptedBy,
    publish: result.publish === null ? null : publishResultJson(result.publish),
    commit,
    recovered: recovered.map(recoveryPlanJson),
    warnings: result.warnings,
  };
  if (result.prompt !== null && (result.status === 'manual' || result.status === 'dry-run')) {
    json.prompt = result.prompt.prompt;
    json.prompt_sha256 = result.prompt.promptSha256;
  }
  if (result.status === 'manual') json.accept_command = acceptCommand(result);
  if (result.status === 'dry-run') json.would_block = result.wouldBlock ?? null;
  return json;
}
