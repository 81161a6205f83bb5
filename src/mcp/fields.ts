import * as z from 'zod';
import { EffortInput, LockTimeoutMsInput, MigrationTargetInput } from '../app/index.js';

/* Tool input fields used by several tools; the values themselves are the shared inputs of app/inputs.ts. */

export const slugField = MigrationTargetInput;

export const dryRunField = z
  .boolean()
  .optional()
  .describe('Compute and check everything and return what would change; change nothing, not even the local store.');

export const lockTimeoutField = LockTimeoutMsInput.optional();

export const modelField = z.string().min(1).optional().describe('Your model, recorded with the accepted step.');

export const effortField = EffortInput.optional().describe('Your effort, recorded with the accepted step.');

/** The fields of every tool that publishes: `dry_run` and `lock_timeout_ms`. */
export const publishFields = { dry_run: dryRunField, lock_timeout_ms: lockTimeoutField };

/** The fields of the tools that prepare a step for the caller to do: who does it, then `publishFields`. */
export const preparedStepFields = { model: modelField, effort: effortField, ...publishFields };
