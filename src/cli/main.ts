import { CommanderError } from 'commander';
import type { ExitHolder } from './action.js';
import { processIo, reportError, type Io } from './output.js';
import { buildProgram } from './program.js';

/** Run the CLI; resolves to the exit code (0 ok, 1 findings/blocked/failed, 2 usage/input, 3 lock timeout). */
export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  const exit: ExitHolder = { code: 0 };
  const program = buildProgram(io, exit);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
      if (benign.includes(error.code)) return 0;
      if (error.code === 'commander.executeSubCommandAsync') return exit.code;
      return 2;
    }
    return reportError(io, error, undefined);
  }
  return exit.code;
}

/** Entry point used by `bin/cairn.js`. */
export async function main(argv: string[]): Promise<void> {
  process.exitCode = await run(argv);
}
