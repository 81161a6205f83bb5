import path from 'node:path';
import { CONFIG_RELATIVE_PATH, validateCommandProblem, type ProjectConfig } from '../config/index.js';
import { CairnError, visibleText, shellWord } from '../util/index.js';
import { isTrusted, validateCommandDigest } from './trust.js';

/** Where the validation command came from: `--validate` or the repository's `validate` key. */
export type ValidationSource = 'flag' | 'project-config';

/** The command that checks a phase's work, and whether it may run. */
export interface ValidationCommand {
  /** The exact text, run through `sh -c`. */
  command: string;
  source: ValidationSource;
  /** {@link validateCommandDigest} of `command`. */
  sha256: string;
  /** A flag is trusted by definition; a config command when this user trusted its exact text for this repository. */
  trusted: boolean;
  /** The repository it runs in (where a trust decision is recorded). */
  repoRoot: string;
}

export interface ResolveValidationInput {
  /** `--validate`, or null when not given. */
  flag: string | null;
  config: ProjectConfig | null;
  repoRoot: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The validation command: `--validate` when given (the user typed it), else
 * the project config's `validate`, trusted only when this user recorded its
 * exact text for this repository; null when neither names one. A flag that
 * is empty or holds control characters is a usage error.
 */
export async function resolveValidationCommand(input: ResolveValidationInput): Promise<ValidationCommand | null> {
  if (input.flag !== null) {
    const problem = validateCommandProblem(input.flag);
    if (problem !== null) {
      throw new CairnError('usage', `--validate ${visibleCommand(input.flag)} cannot be a validation command: ${problem}.`, {
        hint: "Pass the project's test command on one line, e.g. --validate 'npm test'.",
      });
    }
    return { command: input.flag, source: 'flag', sha256: validateCommandDigest(input.flag), trusted: true, repoRoot: input.repoRoot };
  }
  const command = input.config?.validate;
  if (command === undefined) return null;
  return {
    command,
    source: 'project-config',
    sha256: validateCommandDigest(command),
    trusted: await isTrusted(input.repoRoot, command, input.env),
    repoRoot: input.repoRoot,
  };
}

/** A command in backquotes, every unsafe character shown visibly (`\x1b`, `\u202e`). */
export function visibleCommand(command: string): string {
  return `\`${visibleText(command)}\``;
}

/** `text` as one POSIX shell word: single-quoted, each `'` written as `'\''`. */
function shellQuoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * `untrusted-command` (exit 2): the repository's config names a validation
 * command this user has not trusted, or one that changed since. The hint
 * says how to trust it or give it as a flag (for `cairn run <slugHint>`
 * when given).
 */
export function untrustedCommandError(command: ValidationCommand, slugHint?: string): CairnError {
  const configPath = path.join(command.repoRoot, CONFIG_RELATIVE_PATH);
  const flag = `--validate ${shellQuoted(visibleText(command.command))}`;
  const instead = slugHint === undefined ? `pass ${flag}` : `run \`cairn run ${shellWord(slugHint)} ${flag}\``;
  return new CairnError(
    'untrusted-command',
    `The repository's ${CONFIG_RELATIVE_PATH} names validation command ${visibleCommand(command.command)}, which this user has not trusted (or which changed since it was trusted).`,
    { path: configPath, hint: `Read it, then run \`cairn trust\` to allow it, or ${instead}.` },
  );
}
