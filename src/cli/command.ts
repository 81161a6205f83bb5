import { Option, type Command } from 'commander';
import { openProject, type Io, type GlobalOptions } from '../app/index.js';
import type { ProjectContext } from '../config/index.js';
import { nextCommands, withCallFlags } from './next-command.js';
import { reportError } from './output.js';

/*
 * The contract of a CLI command, as `defineTool` is for an MCP tool: one
 * plain declaration (name, description, arguments, options, the renderings
 * of its results by `--format`, and the run), registered on the command tree
 * by the loop of `buildProgram`.
 */

/** A positional argument: `<name>` when required, `[name]` when optional. */
export interface CliArgument {
  name: string;
  description: string;
}

/** An option as `--help` lists it. */
export interface CliOption {
  flags: string;
  description: string;
  choices?: readonly string[];
  default?: string;
  /** Turns the option's text into its value; throws `CairnError('usage')` for text that is not one. */
  parse?: (value: string) => unknown;
  /** The command refuses to run without it. */
  required?: boolean;
}

/** What a command's run is given. */
export interface CommandCall<A extends unknown[], O> {
  /** The positional arguments, in declared order. */
  args: A;
  options: O;
  globals: GlobalOptions;
  io: Io;
  /** The project, found from `--repo` or the working directory. */
  project(): Promise<ProjectContext>;
}

/** A command's renderings by `--format` value; `text` is the one used without the flag. */
export type Views<O, V> = { text: (io: Io, options: O, globals: GlobalOptions) => V } & Record<string, (io: Io, options: O, globals: GlobalOptions) => V>;

export interface CommandDefinition<A extends unknown[], O, V> {
  name: string;
  description: string;
  arguments?: readonly CliArgument[];
  options?: readonly CliOption[];
  /** How results are shown; a command without them prints nothing of its own or writes through `call.io`. */
  views?: Views<O, V>;
  /** One to three real command lines (without the leading `cairn `), shown at the end of `--help`. */
  examples?: readonly string[];
  /** Does the work through the app layer, shows it through `view` and returns the exit code. */
  run(call: CommandCall<A, O>, view: V): Promise<number>;
}

/** Where a command leaves its exit code for `run` in main.ts. */
export interface ExitHolder {
  code: number;
}

/** A command (or a group of them) ready to be added to the command tree. */
export interface CliCommand {
  name: string;
  register(parent: Command, io: Io, exit: ExitHolder): Command;
}

/** The `Examples:` section `--help` ends with (commander adds the final newline). */
export function examplesText(examples: readonly string[]): string {
  return `\nExamples:\n${examples.map((example) => `  $ cairn ${example}`).join('\n')}`;
}

function addExamples(command: Command, examples: readonly string[] | undefined): void {
  if (examples !== undefined && examples.length > 0) command.addHelpText('after', examplesText(examples));
}

function commanderOption(spec: CliOption): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.choices !== undefined) option.choices(spec.choices);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.parse !== undefined) option.argParser(spec.parse);
  if (spec.required === true) option.makeOptionMandatory();
  return option;
}

/**
 * A command from its declaration. Its run's return value is the exit code;
 * a thrown error is reported (in JSON too with `--format json`) and mapped
 * to its exit code.
 */
export function defineCommand<A extends unknown[], O extends object, V = undefined>(definition: CommandDefinition<A, O, V>): CliCommand {
  return {
    name: definition.name,
    register(parent, io, exit) {
      const command = parent.command(definition.name).description(definition.description);
      for (const argument of definition.arguments ?? []) command.argument(argument.name, argument.description);
      for (const option of definition.options ?? []) command.addOption(commanderOption(option));
      addExamples(command, definition.examples);
      command.action(async (...params: unknown[]) => {
        const self = params[params.length - 1] as Command;
        const options = params[params.length - 2] as O;
        const format = (options as { format?: string }).format;
        const globals = self.optsWithGlobals() as GlobalOptions;
        const call: CommandCall<A, O> = { args: params.slice(0, -2) as A, options, globals, io, project: () => openProject(globals) };
        try {
          const views = definition.views;
          const view = (views?.[format ?? 'text'] ?? views?.text)?.(io, options, globals) as V;
          exit.code = await definition.run(call, view);
        } catch (error) {
          exit.code = reportError(io, withCallFlags(error, nextCommands(globals, options)), format);
        }
      });
      return command;
    },
  };
}

/** A command that only groups others (`cairn phase done`). */
export function defineGroup(group: { name: string; description: string; commands: readonly CliCommand[]; examples?: readonly string[] }): CliCommand {
  return {
    name: group.name,
    register(parent, io, exit) {
      const command = parent.command(group.name).description(group.description);
      addExamples(command, group.examples);
      for (const sub of group.commands) sub.register(command, io, exit);
      return command;
    },
  };
}
