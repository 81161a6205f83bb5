import { CommanderError } from 'commander';
import type { Io } from '../app/index.js';
import type { ExitHolder } from './command.js';
import { processIo, reportError } from './output.js';
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

/**
 * A reader that stops early (`cairn doctor --all | head`) closes the pipe;
 * that is not an error of cairn's, so it ends quietly.
 */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw error;
    });
  }
}

/** Entry point used by `bin/cairn.js`. */
export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe();
  process.exitCode = await run(argv);
}
