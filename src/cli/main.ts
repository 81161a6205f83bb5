import { writeSync } from 'node:fs';
import { CommanderError, type Command } from 'commander';
import type { Io } from '../app/index.js';
import { setAgentProgressSink, type AgentProgressSink } from '../agent/index.js';
import { lockWaitMessage, setLockWaitSink } from '../publish/index.js';
import type { ExitHolder } from './command.js';
import { CairnError, capYoungGeneration } from '../util/index.js';
import { buildLazyProgram, builtCommandSpecs } from './command-table.js';
import { commanderMessage, USAGE_HINT, type ProgramOptions } from './root.js';
import { processIo } from './terminal.js';

/*
 * The commands, the output schemas and the libraries under them are loaded
 * only for the command that runs (command-table.ts): `cairn --version` and
 * `cairn --help` start about as fast as node itself.
 */

/**
 * Whether the command line asks for `--format json` (before any `--`):
 * read from the words themselves, since a usage error stops commander
 * before it parses the options.
 */
export function asksForJson(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') return false;
    if (word === '--format=json') return true;
    if (word === '--format' && argv[i + 1] === 'json') return true;
  }
  return false;
}

/** A commander usage error as cairn's own: its message without commander's `error: ` prefix. */
function usageError(error: CommanderError): CairnError {
  return new CairnError('usage', commanderMessage(error.message), { hint: USAGE_HINT });
}

async function reportError(io: Io, error: unknown, format: string | undefined): Promise<number> {
  const output = await import('./output.js');
  return output.reportError(io, error, format);
}

/** The command tree: from the built specs when there are some, else with every command loaded. */
async function commandTree(io: Io, exit: ExitHolder, options: ProgramOptions, onLoad?: () => void | Promise<void>): Promise<Command> {
  const specs = builtCommandSpecs();
  if (specs !== null) return buildLazyProgram(io, exit, specs, options, onLoad);
  const { buildProgram } = await import('./program.js');
  await onLoad?.();
  return buildProgram(io, exit, options);
}

/** Run the CLI; resolves to the exit code (0 ok, 1 findings/blocked/failed, 2 usage/input (no command given included), 3 lock timeout). */
export async function run(argv: string[], io: Io = processIo(), onLoad?: () => void | Promise<void>): Promise<number> {
  const exit: ExitHolder = { code: 0 };
  const json = asksForJson(argv);
  const program = await commandTree(io, exit, { jsonErrors: json }, onLoad);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const benign = ['commander.helpDisplayed', 'commander.version'];
      if (benign.includes(error.code)) return 0;
      // No command given (`cairn`, `cairn phase`): commander printed the help on stderr; like any usage error, exit 2.
      if (error.code === 'commander.help') return 2;
      if (error.code === 'commander.executeSubCommandAsync') return exit.code;
      if (json) await reportError(io, usageError(error), 'json');
      return 2;
    }
    return await reportError(io, error, json ? 'json' : undefined);
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

/** The agent progress line on terminal `stream`: rewritten in place, erased at the end. */
function terminalProgressLine(stream: NodeJS.WriteStream): AgentProgressSink {
  return {
    update: (line) => void stream.write(`\r\u001b[2K${line}`),
    clear: () => void stream.write('\r\u001b[2K'),
  };
}

/** The most the young generation (V8's new space) grows to. */
const YOUNG_GENERATION_BYTES = 8 * 1024 * 1024;

/** Entry point used by `bin/cairn.js`. */
export async function main(argv: string[]): Promise<void> {
  // Scans of thousands of migrations keep most of what they allocate only
  // briefly. Held at its first 2 MB, the young generation is scavenged so
  // often that doctor --all spends a sixth of its time there; left to grow,
  // it doubles up to 32 MB, a fifth of a scan's memory. 8 MB took 10–15% off
  // doctor and report for 4–12 MB.
  capYoungGeneration(YOUNG_GENERATION_BYTES);
  endOnOutputError();
  // Static imports: the bundle resolves them to the two small modules that hold the sinks.
  const showProgress = (): void => {
    if (process.stderr.isTTY !== true) return;
    setAgentProgressSink(terminalProgressLine(process.stderr));
    setLockWaitSink((holder) => void process.stderr.write(`${lockWaitMessage(holder)}\n`));
  };
  process.exitCode = await run(argv, processIo(), showProgress);
}
