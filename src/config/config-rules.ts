/*
 * What `.planning/config.json` may hold, as plain values: the schema
 * (schema.ts) and the start-up check (plain-config.ts) both read them.
 */

export const CONFIG_RELATIVE_PATH = '.planning/config.json';
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
export const MAX_LOCK_TIMEOUT_MS = 3_600_000;

export const EFFORTS = ['low', 'medium', 'high', 'xhigh'] as const;
export const REVIEW_POLICIES = ['when-flagged', 'always'] as const;
export const CONFIG_AGENTS = ['claude', 'codex', 'manual'] as const;

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
