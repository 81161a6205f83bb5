import type { z } from 'zod';
import { outputDocument, nextPromptJson, type NextPromptOutputSchema, type NextPromptPayload } from '../outputs/index.js';
import type { PlanStepOutcome } from '../planning/index.js';
import { CairnError } from '../util/index.js';
import type { ToolOutcome } from './tool.js';
import { dirtyMigrationHint } from './failures.js';
import type { RecoveryPlan } from '../publish/index.js';

/** The text an agent reads: what was prepared, where to write, what to call next, then the prompt. */
export function nextPromptText(payload: NextPromptPayload): string {
  if (payload.status === 'dry-run') {
    return `Dry run: would prepare ${payload.operation} for ${payload.slug}; nothing was changed.\n\n${payload.prompt}`;
  }
  return (
    `Prepared ${payload.operation} for ${payload.slug} (run ${payload.run_id}).\n` +
    `Workspace: ${payload.workspace}\n` +
    `Write the step's files in the workspace, then call accept with slug "${payload.slug}", step "${payload.step}" ` +
    `and output: the step's output, as an agent would print it.\n\n${payload.prompt}`
  );
}

/** The tool outcome of a prepared step: a dry run that would be refused at its start is a `blocked` tool error. */
export function preparedStepOutcome(
  result: PlanStepOutcome,
  warnings: string[],
  recovered: readonly RecoveryPlan[],
): ToolOutcome<z.output<typeof NextPromptOutputSchema>> {
  const payload = nextPromptJson(result, warnings, recovered);
  const document = outputDocument(payload);
  if (result.wouldBlock !== null) {
    return {
      document,
      failure: new CairnError('blocked', result.wouldBlock, {
        hint: dirtyMigrationHint(result.slug),
      }),
    };
  }
  return { document, text: nextPromptText(payload) };
}
