import { Command } from 'commander';
import type { Io } from '../app/index.js';
import type { CliCommand, ExitHolder } from './command.js';
import { acceptCommand } from './commands/accept.js';
import { cleanCommand } from './commands/clean.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { infoCommand } from './commands/info.js';
import { initCommand } from './commands/init.js';
import { listCommand } from './commands/list.js';
import { logCommand } from './commands/log.js';
import { mcpCommand } from './commands/mcp.js';
import { newCommand } from './commands/new.js';
import { phaseCommand } from './commands/phase.js';
import { planCommand } from './commands/plan.js';
import { readyCommand } from './commands/ready.js';
import { recoverCommand } from './commands/recover.js';
import { refineCommand } from './commands/refine.js';
import { reviewCommand } from './commands/review.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { trustCommand } from './commands/trust.js';
import { unlockCommand } from './commands/unlock.js';
import { resolveCommand } from './commands/resolve.js';
import { CAIRN_VERSION } from '../util/index.js';

/** Every command, in the order `cairn --help` lists them. */
const COMMANDS: readonly CliCommand[] = [
  initCommand,
  listCommand,
  statusCommand,
  infoCommand,
  logCommand,
  newCommand,
  recoverCommand,
  cleanCommand,
  unlockCommand,
  resolveCommand,
  doctorCommand,
  planCommand,
  acceptCommand,
  refineCommand,
  reviewCommand,
  phaseCommand,
  runCommand,
  readyCommand,
  trustCommand,
  demoCommand,
  mcpCommand,
];

/** What a usage error tells the user to run next. */
export const USAGE_HINT = 'Run `cairn --help` or `cairn <command> --help` for usage.';

/** A commander error text without its `error: ` prefix, as a sentence: `Unknown option '--formt' …`. */
export function commanderMessage(text: string): string {
  const message = text.replace(/^error: /, '');
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** How the command tree reports usage errors. */
export interface ProgramOptions {
  /**
   * `--format json` was asked for: commander prints nothing of a usage error,
   * and the caller reports it as the JSON error envelope.
   */
  jsonErrors?: boolean;
}

/** The whole command tree. */
export function buildProgram(io: Io, exit: ExitHolder, options: ProgramOptions = {}): Command {
  const jsonErrors = options.jsonErrors === true;
  const program = new Command('cairn')
    .description('Plan large changes in durable, resumable stages; publish every change through a crash-safe transaction.')
    .version(CAIRN_VERSION, '-V, --version')
    .option('--repo <dir>', 'repository root (default: found by walking up from the working directory)')
    .option('--migrations-dir <dir>', 'live migrations directory, relative to the repository root (overrides the config)')
    .showHelpAfterError(jsonErrors ? false : `Hint: ${USAGE_HINT}`)
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      // commander's own usage errors in cairn's style: `Error: …`, then the hint.
      outputError: (text, write) => {
        if (!jsonErrors) write(`Error: ${commanderMessage(text)}`);
      },
    })
    .exitOverride();
  for (const command of COMMANDS) command.register(program, io, exit).exitOverride().configureOutput(program.configureOutput());
  return program;
}
