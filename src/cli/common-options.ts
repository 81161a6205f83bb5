import type { CliArgument, CliOption } from './command.js';

/* The plainest shared arguments and options, apart from those that need the input schemas, so that a read-only command does not build them. */

/** `<slug-or-path>`: the migration a command works on. */
export const TARGET_ARGUMENT: CliArgument = { name: '<slug-or-path>', description: 'migration slug, or its directory under the migrations dir' };

/** `--format <format>`: `text` (the default) or one of `formats`. */
export function formatOption(formats: readonly string[] = ['text', 'json']): CliOption {
  return { flags: '--format <format>', description: 'output format', choices: formats, default: 'text' };
}

/** `--dry-run`, described as the command means it. */
export function dryRunOption(description: string): CliOption {
  return { flags: '--dry-run', description };
}
