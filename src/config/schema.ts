import * as z from 'zod';

export const EFFORTS = ['low', 'medium', 'high', 'xhigh'] as const;

/**
 * Characters a `validate` command may not hold: every control character but
 * tab (a newline would hide a second command below the first line a person
 * reads), the bidi controls and line separators that make text read
 * differently from what runs, and lone surrogates (which UTF-8 cannot encode,
 * so two different texts could share one trusted digest).
 */
const UNSAFE_COMMAND_CHARACTER = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

/**
 * Why `command` cannot be a validation command, or null when it can: it must
 * hold something besides whitespace and none of the characters above.
 */
export function validateCommandProblem(command: string): string | null {
  if (command.trim() === '') return 'it must not be empty';
  if (UNSAFE_COMMAND_CHARACTER.test(command)) {
    return 'it must be one line without control characters (tab aside), bidi controls or line separators';
  }
  return null;
}

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
      .enum(['when-flagged', 'always'])
      .optional()
      .describe('When a human review is required before execution (default "when-flagged").'),
    lock_timeout_ms: z
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .optional()
      .describe('How long a publish waits for the lock (default 30000).'),
    agent: z
      .object({
        agent: z.enum(['claude', 'codex', 'manual']).optional(),
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

export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
export const CONFIG_RELATIVE_PATH = '.planning/config.json';
