import { createInterface } from 'node:readline';
import type { Io } from '../app/index.js';
import { trustCommand, type ValidationCommand } from '../execution/index.js';
import { visibleText } from '../util/index.js';

/** Where the question is answered; a terminal (stdin and stderr both TTYs) unless given. */
export interface TrustPromptTerminal {
  input: NodeJS.ReadableStream;
  interactive: boolean;
  env?: NodeJS.ProcessEnv;
}

function processTerminal(): TrustPromptTerminal {
  return { input: process.stdin, interactive: process.stdin.isTTY === true && process.stderr.isTTY === true };
}

/**
 * Whether `command` may run. A trusted one (a flag, or a config command this
 * user already trusted) may, without a question. An untrusted one is shown
 * on stderr with the question `Trust and run it? [y/N]` when stdin and
 * stderr are terminals; `y` or `yes` records the trust (as `cairn trust`
 * does) and answers true. Anything else, the end of input, or no terminal
 * at all answers false.
 */
export async function confirmValidationTrust(io: Io, command: ValidationCommand, terminal: TrustPromptTerminal = processTerminal()): Promise<boolean> {
  if (command.trusted) return true;
  if (!terminal.interactive) return false;
  io.stderr(
    "The repository's .planning/config.json names this validation command, which you have not trusted" +
      ' (or which changed since you did). cairn runs it through `sh -c`:\n' +
      `  ${visibleText(command.command)}\n` +
      'Trust and run it? [y/N] ',
  );
  const answer = await readAnswer(terminal.input);
  if (answer === null || !['y', 'yes'].includes(answer.trim().toLowerCase())) return false;
  const recorded = await trustCommand(command.repoRoot, command.command, terminal.env);
  io.stderr(`Trusted; recorded in ${recorded.configPath}.\n`);
  return true;
}

/** One line of `input`; null when it ends first. */
async function readAnswer(input: NodeJS.ReadableStream): Promise<string | null> {
  const rl = createInterface({ input, terminal: false });
  try {
    const next = await rl[Symbol.asyncIterator]().next();
    return next.done === true ? null : String(next.value);
  } finally {
    rl.close();
  }
}
