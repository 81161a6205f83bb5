import { Option, type Command } from 'commander';

/*
 * What `--help` shows of a command, as plain data: enough to build its
 * commander command without loading the code that runs it. `cairn --help`
 * and the dispatch to a command are built from these; a command's
 * implementation (its option parsers and its action) is attached only to
 * the command that runs.
 */

/** A positional argument: `<name>` when required, `[name]` when optional. */
export interface CliArgument {
  name: string;
  description: string;
}

/** An option as `--help` lists it and commander checks it. */
export interface OptionSpec {
  flags: string;
  description: string;
  choices?: readonly string[];
  default?: string;
  /** The command refuses to run without it. */
  required?: boolean;
}

/** A command (or a group of them) as `--help` shows it. */
export interface CommandSpec {
  name: string;
  description: string;
  arguments: readonly CliArgument[];
  options: readonly OptionSpec[];
  examples: readonly string[];
  /** The commands of a group (`phase done`). */
  commands?: readonly CommandSpec[];
}

/** The `Examples:` section `--help` ends with (commander adds the final newline). */
export function examplesText(examples: readonly string[]): string {
  return `\nExamples:\n${examples.map((example) => `  $ cairn ${example}`).join('\n')}`;
}

function commanderOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.choices !== undefined) option.choices(spec.choices);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.required === true) option.makeOptionMandatory();
  return option;
}

/** Adds `spec` (with its subcommands) to `parent`, without any action. */
export function registerSpec(parent: Command, spec: CommandSpec): Command {
  const command = parent.command(spec.name).description(spec.description);
  for (const argument of spec.arguments) command.argument(argument.name, argument.description);
  for (const option of spec.options) command.addOption(commanderOption(option));
  if (spec.examples.length > 0) command.addHelpText('after', examplesText(spec.examples));
  for (const sub of spec.commands ?? []) registerSpec(command, sub);
  return command;
}
