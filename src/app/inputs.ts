import * as z from 'zod';
import { CairnError } from '../util/index.js';
import { STEPS, EFFORTS, MIGRATION_STATUSES, type Step } from '../migration/index.js';

/*
 * Values a caller hands to cairn, shared by the CLI's option parsing and
 * the MCP server's tool input schemas. Checks that need the repository
 * (does the slug exist, is the feedback blank) stay in the library, which
 * reports them with the same CairnError codes to both.
 */

export const MigrationTargetInput = z
  .string()
  .describe('Migration slug, or its directory under the migrations dir (relative to the repository root, or absolute).');

export const NewSlugInput = z
  .string()
  .describe("Directory name of the new migration: lowercase letters a-z, digits and single '-' between them, at most 64 characters.");

export const StepNameInput = z
  .enum(STEPS, { error: (issue) => `Unknown planning step '${String(issue.input)}'` })
  .describe('A planning step.');

export const MigrationStatusInput = z.enum(MIGRATION_STATUSES).describe('A migration status.');

export const EffortInput = z.enum(EFFORTS).describe('Agent effort.');

export const SeverityInput = z.enum(['error', 'warning', 'info']).describe('Lowest finding severity that fails the run.');

export const LockTimeoutMsInput = z
  .int({ error: (issue) => `the lock timeout must be a whole number of milliseconds, got '${String(issue.input)}'` })
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .describe('How long to wait for the publish lock, in milliseconds (default: the config, or 30000).');

export const JobsInput = z.int().min(1).max(64).describe('Threads that check migrations at once (default: up to 2, for 400 or more migrations whose files are cached).');

export const LogLimitInput = z.int().min(1).max(Number.MAX_SAFE_INTEGER).describe('At most this many runs and events (default 20).');

/** The first problem zod found, as one line. */
function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'invalid value';
}

/** Parses a step name given on the command line or to a tool; `CairnError('usage')` "Unknown planning step '<x>'". */
export function parseStepName(value: string): Step {
  const parsed = StepNameInput.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new CairnError('usage', firstIssue(parsed.error), { hint: `Choose one of: ${STEPS.join(', ')}.` });
}

/** A whole number given as an option's text (digits only) and checked by `schema`; `CairnError('usage', message)` otherwise. */
export function parseWholeNumberFlag(value: string, schema: z.ZodType<number>, message: string): number {
  const parsed = /^\d+$/.test(value) ? schema.safeParse(Number(value)) : null;
  if (parsed?.success === true) return parsed.data;
  throw new CairnError('usage', message);
}
