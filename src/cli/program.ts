import { Command } from 'commander';
import type { ExitHolder } from './action.js';
import { registerDoctor } from './commands/doctor.js';
import { registerInfo } from './commands/info.js';
import { registerInit } from './commands/init.js';
import { registerLog } from './commands/log.js';
import { registerList } from './commands/list.js';
import { registerNew } from './commands/new.js';
import { registerRecover } from './commands/recover.js';
import { registerUnlock } from './commands/unlock.js';
import { registerStatus } from './commands/status.js';
import { registerPlan } from './commands/plan.js';
import { registerAccept } from './commands/accept.js';
import { registerRefine } from './commands/refine.js';
import { registerReview } from './commands/review.js';
import { registerPhase } from './commands/phase.js';
import { registerReady } from './commands/ready.js';
import { registerDemo } from './commands/demo.js';
import { registerMcp } from './commands/mcp.js';
import type { Io } from './output.js';
import { CAIRN_VERSION } from '../util/version.js';

/** The whole command tree; one `register*` per command file. */
export function buildProgram(io: Io, exit: ExitHolder): Command {
  const program = new Command('cairn')
    .description('Plan large changes in durable, resumable stages; publish every change through a crash-safe transaction.')
    .version(CAIRN_VERSION, '-V, --version')
    .option('--repo <dir>', 'repository root (default: found by walking up from the working directory)')
    .option('--migrations-dir <dir>', 'live migrations directory, relative to the repository root (overrides the config)')
    .showHelpAfterError('(run `cairn --help` or `cairn <command> --help` for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    })
    .exitOverride();
  registerInit(program, io, exit);
  registerList(program, io, exit);
  registerStatus(program, io, exit);
  registerInfo(program, io, exit);
  registerLog(program, io, exit);
  registerNew(program, io, exit);
  registerRecover(program, io, exit);
  registerUnlock(program, io, exit);
  registerDoctor(program, io, exit);
  registerPlan(program, io, exit);
  registerAccept(program, io, exit);
  registerRefine(program, io, exit);
  registerReview(program, io, exit);
  registerPhase(program, io, exit);
  registerReady(program, io, exit);
  registerDemo(program, io, exit);
  registerMcp(program, io, exit);
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());
  return program;
}
