import * as z from 'zod';
import { CONFIG_AGENTS, EFFORTS, MAX_LOCK_TIMEOUT_MS, REVIEW_POLICIES, validateCommandProblem } from './config-rules.js';

/**
 * `.planning/config.json`, committed with the repository. Strict: an unknown
 * key is far more often a typo than a setting from a newer cairn.
 * Agent commands are deliberately absent: a cloned repository must not be
 * able to make cairn run a command on someone's machine. The one command it
 * may name, `validate`, runs only once the user has trusted its exact text
 * (`cairn trust`).
 */
export const ProjectConfigSchema = z
  .object({
    migrations_dir: z.string().min(1).describe('Live migrations root, relative to the repository root.'),
    review: z
      .enum(REVIEW_POLICIES)
      .optional()
      .describe('When a human review is required before execution (default "when-flagged").'),
    lock_timeout_ms: z
      .number()
      .int()
      .min(0)
      .max(MAX_LOCK_TIMEOUT_MS)
      .optional()
      .describe('How long a publish waits for the lock (default 30000).'),
    agent: z
      .object({
        agent: z.enum(CONFIG_AGENTS).optional(),
        model: z.string().min(1).optional(),
        effort: z.enum(EFFORTS).optional(),
      })
      .strict()
      .optional()
      .describe('Default agent settings; commands come only from flags or user config.'),
    validate: z
      .string()
      .min(1, { message: 'it must not be empty' })
      .superRefine((command, context) => {
        // The empty string is min(1)'s to report.
        const problem = command === '' ? null : validateCommandProblem(command);
        if (problem !== null) context.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .describe(
        "The project's own test command, run through `sh -c` in the repository after a phase is executed. Runs only once the user has trusted its exact text with `cairn trust` (or given it with --validate).",
      ),
  })
  .strict();

export type ProjectConfig = z.infer<typeof ProjectConfigSchema>;
