import { z } from 'zod';

export const EFFORTS = ['low', 'medium', 'high', 'xhigh'] as const;

/**
 * `.planning/config.json`, committed with the repository. Strict: an unknown
 * key is far more often a typo than a setting from a newer cairn.
 * Agent commands are deliberately absent: a cloned repository must not be
 * able to make cairn run a command on someone's machine.
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
  })
  .strict();

export type ProjectConfig = z.infer<typeof ProjectConfigSchema>;

export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
export const CONFIG_RELATIVE_PATH = '.planning/config.json';
