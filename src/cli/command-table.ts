import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Io } from '../app/index.js';
import type { CliCommand, ExitHolder } from './command.js';
import { registerSpec, type CommandSpec } from './command-spec.js';
import { rootProgram, type ProgramOptions } from './root.js';

/*
 * The command tree without loading the commands. The build writes every
 * command's spec (what `--help` shows) to command-specs.json next to this
 * file; the tree is built from those, and only the command that runs is
 * loaded, just before commander parses its arguments. `cairn --help` and
 * `cairn --version` load no command at all.
 */

/** Where each command's implementation is, by name. */
export const COMMAND_LOADERS: Readonly<Record<string, () => Promise<CliCommand>>> = {
  init: async () => (await import('./commands/init.js')).initCommand,
  list: async () => (await import('./commands/list.js')).listCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  info: async () => (await import('./commands/info.js')).infoCommand,
  log: async () => (await import('./commands/log.js')).logCommand,
  new: async () => (await import('./commands/new.js')).newCommand,
  mv: async () => (await import('./commands/mv.js')).mvCommand,
  recover: async () => (await import('./commands/recover.js')).recoverCommand,
  clean: async () => (await import('./commands/clean.js')).cleanCommand,
  unlock: async () => (await import('./commands/unlock.js')).unlockCommand,
  resolve: async () => (await import('./commands/resolve.js')).resolveCommand,
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  index: async () => (await import('./commands/index-caches.js')).indexCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
  plan: async () => (await import('./commands/plan.js')).planCommand,
  accept: async () => (await import('./commands/accept.js')).acceptCommand,
  refine: async () => (await import('./commands/refine.js')).refineCommand,
  review: async () => (await import('./commands/review.js')).reviewCommand,
  phase: async () => (await import('./commands/phase.js')).phaseCommand,
  run: async () => (await import('./commands/run.js')).runCommand,
  ready: async () => (await import('./commands/ready.js')).readyCommand,
  trust: async () => (await import('./commands/trust.js')).trustCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  mcp: async () => (await import('./commands/mcp.js')).mcpCommand,
};

/** The file the build writes the specs to, beside the built module. */
export const COMMAND_SPECS_FILE = 'command-specs.json';

/** The specs the build wrote, in `--help` order; null where there are none (running from the sources). */
export function builtCommandSpecs(): CommandSpec[] | null {
  let text: string;
  try {
    text = readFileSync(new URL(`./${COMMAND_SPECS_FILE}`, import.meta.url), 'utf8');
  } catch {
    return null;
  }
  return JSON.parse(text) as CommandSpec[];
}

/**
 * The command tree from `specs`; the command commander dispatches to is
 * loaded and attached first, and `onLoad` is told about it.
 */
export function buildLazyProgram(io: Io, exit: ExitHolder, specs: readonly CommandSpec[], options: ProgramOptions = {}, onLoad?: () => void | Promise<void>): Command {
  const program = rootProgram(io, options);
  for (const spec of specs) registerSpec(program, spec).exitOverride().configureOutput(program.configureOutput());
  program.hook('preSubcommand', async (_root, command) => {
    const load = COMMAND_LOADERS[command.name()];
    if (load === undefined) throw new Error(`cairn: no implementation for the command '${command.name()}'`);
    (await load()).attach(command, io, exit);
    await onLoad?.();
  });
  return program;
}
