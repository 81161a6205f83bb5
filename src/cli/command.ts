import type { Command } from 'commander';
import { openProject, type Io, type GlobalOptions } from '../app/index.js';
import type { ProjectContext } from '../config/index.js';
import { registerSpec, type CliArgument, type CommandSpec, type OptionSpec } from './command-spec.js';
import { nextCommands, withCallFlags } from './next-command.js';
import { reportError } from './output.js';

export { examplesText, type CliArgument } from './command-spec.js';

/*
 * The contract of a CLI command, as `defineTool` is for an MCP tool: one
 * plain declaration (name, description, arguments, options, the renderings
 * of its results by `--format`, and the run), registered on the command tree
 * by the loop of `buildProgram`. What `--help` shows of it is its spec
 * (command-spec.ts); the parsers and the run are attached to that.
 */

/** An option as `--help` lists it. */
export interface CliOption extends OptionSpec {
  /** Turns the option's text into its value; throws `CairnError('usage')` for text that is not one. */
  parse?: (value: string) => unknown;
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
  /**
   * Whether the `cairn …` commands in this command's error hints get the
   * call's `--repo`/`--migrations-dir`/agent flags (default yes); not for a
   * command whose flags mean something else there (`init --migrations-dir`
   * names the directory it sets up).
   */
  hintsCarryCallFlags?: boolean;
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
  /** What `--help` shows of it. */
  spec: CommandSpec;
  /** Adds the command, ready to run, to `parent`. */
  register(parent: Command, io: Io, exit: ExitHolder): Command;
  /** Makes `command`, registered from {@link spec}, ready to run: its option parsers and its action. */
  attach(command: Command, io: Io, exit: ExitHolder): void;
}

function optionSpec(option: CliOption): OptionSpec {
  const { parse: _parse, ...spec } = option;
  return spec;
}

/**
 * A command from its declaration. Its run's return value is the exit code;
 * a thrown error is reported (in JSON too with `--format json`) and mapped
 * to its exit code.
 */
export function defineCommand<A extends unknown[], O extends object, V = undefined>(definition: CommandDefinition<A, O, V>): CliCommand {
  const spec: CommandSpec = {
    name: definition.name,
    description: definition.description,
    arguments: definition.arguments ?? [],
    options: (definition.options ?? []).map(optionSpec),
    examples: definition.examples ?? [],
  };
  const cli: CliCommand = {
    name: definition.name,
    spec,
    register(parent, io, exit) {
      const command = registerSpec(parent, spec);
      cli.attach(command, io, exit);
      return command;
    },
    attach(command, io, exit) {
      for (const option of definition.options ?? []) {
        if (option.parse !== undefined) command.options.find((known) => known.flags === option.flags)?.argParser(option.parse);
      }
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
          const shown = definition.hintsCarryCallFlags === false ? error : withCallFlags(error, nextCommands(globals, options));
          exit.code = reportError(io, shown, format);
        }
      });
    },
  };
  return cli;
}

/** A command that only groups others (`cairn phase done`). */
export function defineGroup(group: { name: string; description: string; commands: readonly CliCommand[]; examples?: readonly string[] }): CliCommand {
  const spec: CommandSpec = {
    name: group.name,
    description: group.description,
    arguments: [],
    options: [],
    examples: group.examples ?? [],
    commands: group.commands.map((sub) => sub.spec),
  };
  const cli: CliCommand = {
    name: group.name,
    spec,
    register(parent, io, exit) {
      const command = registerSpec(parent, spec);
      cli.attach(command, io, exit);
      return command;
    },
    attach(command, io, exit) {
      for (const sub of group.commands) {
        const registered = command.commands.find((known) => known.name() === sub.name);
        if (registered !== undefined) sub.attach(registered, io, exit);
      }
    },
  };
  return cli;
}
