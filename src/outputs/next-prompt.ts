import * as z from 'zod';
import { jsonDocument, type DocumentPayload } from './document.js';
import { STEPS } from '../migration/index.js';
import type { PlanStepOutcome } from '../planning/index.js';
import type { RecoveryPlan } from '../publish/index.js';
import { RecoveryPlanJsonSchema, recoveryPlanJson } from './publish-result.js';

/** What the MCP tools `next_prompt` and `refine` return: the prepared step. */
export const NextPromptOutputSchema = jsonDocument(
  {
    slug: z.string(),
    step: z.enum(STEPS).describe('The step to do; pass it to accept.'),
    operation: z.string().describe('planning.<step>, or migration.refine.<step> after refine.'),
    status: z.enum(['manual', 'dry-run']).describe("'manual': prepared and waiting for accept; 'dry-run': nothing was prepared."),
    run_id: z.string().nullable().describe('The prepared run (null for a dry run).'),
    workspace: z
      .string()
      .nullable()
      .describe("Absolute path of the workspace copy of the migration: write the step's files here (null for a dry run)."),
    prompt: z.string().describe('The stage prompt: what to do and which files to write.'),
    prompt_sha256: z.string(),
    would_block: z.string().nullable().describe('Dry runs: why preparing the step would be refused, else null.'),
    recovered: z.array(RecoveryPlanJsonSchema).describe('Interrupted publishes finished before the step was prepared.'),
    warnings: z.array(z.string()),
  },
  'The step prepared by the cairn MCP tools next_prompt and refine.',
);

export type NextPromptPayload = DocumentPayload<typeof NextPromptOutputSchema>;

/** The prepared (or dry-run) step of `planNextStep` / `refineMigration` in manual mode. */
export function nextPromptJson(result: PlanStepOutcome, warnings: string[], recovered: readonly RecoveryPlan[]): NextPromptPayload {
  const dryRun = result.status === 'dry-run';
  return {
    slug: result.slug,
    step: result.step,
    operation: result.operation,
    status: dryRun ? 'dry-run' : 'manual',
    run_id: dryRun ? null : result.runId,
    workspace: dryRun ? null : result.workspaceDir,
    prompt: result.prompt?.prompt ?? '',
    prompt_sha256: result.prompt?.promptSha256 ?? '',
    would_block: result.wouldBlock,
    recovered: recovered.map(recoveryPlanJson),
    warnings: [...result.warnings, ...warnings],
  };
}
