import { writeSync } from 'node:fs';
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
 * Output that cannot be written ends the command without a stack trace. A
 * reader that stops early (`cairn doctor --all | head`) closes the pipe;
 * that is not an error of cairn's, so it ends quietly with the exit code so
 * far. Any other write error (`cairn list >/dev/full`: ENOSPC, or EIO) is
 * said in one line on stderr when stderr still works, and the exit code is 1.
 */
function endOnOutputError(): void {
  const streams = [
    { stream: process.stdout, name: 'standard output' },
    { stream: process.stderr, name: 'standard error' },
  ];
  for (const { stream, name } of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      if (stream !== process.stderr) {
        try {
          writeSync(2, `cairn: could not write to ${name}: ${error.message}\n`);
        } catch {
          // stderr is gone too; the exit code still says it
        }
      }
      process.exit(1);
    });
  }
}

/** Entry point used by `bin/cairn.js`. */
export async function main(argv: string[]): Promise<void> {
  endOnOutputError();
  process.exitCode = await run(argv);
}
