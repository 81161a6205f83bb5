import type { Command } from 'commander';
import type { Io } from '../app/index.js';
import type { CliCommand, ExitHolder } from './command.js';
import { acceptCommand } from './commands/accept.js';
import { cleanCommand } from './commands/clean.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { indexCommand } from './commands/index-caches.js';
import { infoCommand } from './commands/info.js';
import { initCommand } from './commands/init.js';
import { listCommand } from './commands/list.js';
import { logCommand } from './commands/log.js';
import { mcpCommand } from './commands/mcp.js';
import { mvCommand } from './commands/mv.js';
import { newCommand } from './commands/new.js';
import { phaseCommand } from './commands/phase.js';
import { planCommand } from './commands/plan.js';
import { readyCommand } from './commands/ready.js';
import { recoverCommand } from './commands/recover.js';
import { refineCommand } from './commands/refine.js';
import { reviewCommand } from './commands/review.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { trustCommand } from './commands/trust.js';
import { unlockCommand } from './commands/unlock.js';
import { resolveCommand } from './commands/resolve.js';
import { rootProgram, type ProgramOptions } from './root.js';

export { USAGE_HINT, commanderMessage, type ProgramOptions } from './root.js';

/** Every command, in the order `cairn --help` lists them: the workflow's order, then inspection, then repair. */
export const COMMANDS: readonly CliCommand[] = [
  initCommand,
  newCommand,
  planCommand,
  acceptCommand,
  refineCommand,
  reviewCommand,
  readyCommand,
  runCommand,
  phaseCommand,
  statusCommand,
  listCommand,
  logCommand,
  doctorCommand,
  indexCommand,
  reportCommand,
  infoCommand,
  trustCommand,
  mvCommand,
  recoverCommand,
  cleanCommand,
  unlockCommand,
  resolveCommand,
  demoCommand,
  mcpCommand,
];

/** The whole command tree, every command loaded. */
export function buildProgram(io: Io, exit: ExitHolder, options: ProgramOptions = {}): Command {
  const program = rootProgram(io, options);
  for (const command of COMMANDS) command.register(program, io, exit).exitOverride().configureOutput(program.configureOutput());
  return program;
}
