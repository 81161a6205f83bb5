import type { Io } from '../app/index.js';
import { visibleOutput, withoutWorkflowCommands } from '../util/index.js';
import { colorWanted } from './color.js';

/* The terminal side of the CLI's output: colours and the last guard on every line printed. */

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1, cyan: 36 } as const;
export type Colour = keyof typeof CODES;

/** The exact colour sequences {@link paint} writes, and its reset. */
const OWN_SEQUENCE = new RegExp(`\u001b\\[(?:0|${Object.values(CODES).join('|')})m`, 'g');

/** Front ends whose stdout is a stream of GitHub workflow commands (`doctor --format github`). */
const workflowCommandOutputs = new WeakSet<Io>();

/**
 * Lets `io`'s stdout carry GitHub workflow commands: only for a reporter
 * that escapes every piece of data in them itself.
 */
export function permitWorkflowCommands(io: Io): void {
  workflowCommandOutputs.add(io);
}

/**
 * Everything the CLI prints passes here: control and bidi characters that a
 * repository, an agent or an argument put into the text are rendered visibly
 * (`\x1b`, `\u202e`); newlines and tabs stay, and so do cairn's own colour
 * sequences when colour is on. Unless `workflowCommands` is set, a line that
 * GitHub Actions would run as a workflow command (`::…`, `##[…`) is
 * neutralised. Renderers escape names themselves; this is the last guard for
 * every command's output.
 */
export function terminalSafe(text: string, color: boolean, workflowCommands = false): string {
  const visible = color ? keepingOwnSequences(text, visibleOutput) : visibleOutput(text);
  return workflowCommands ? visible : withoutWorkflowCommands(visible);
}

/** `escape` applied to the text between {@link paint}'s own sequences, which stay. */
export function keepingOwnSequences(text: string, escape: (part: string) => string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(OWN_SEQUENCE)) {
    out += escape(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escape(text.slice(last));
}

export function processIo(): Io {
  const isTty = process.stdout.isTTY === true;
  const color = colorWanted(process.env, isTty);
  const io: Io = {
    stdout: (text) => void process.stdout.write(terminalSafe(text, color, workflowCommandOutputs.has(io))),
    stderr: (text) => void process.stderr.write(terminalSafe(text, color)),
    color,
    isTty,
  };
  return io;
}

export function paint(io: Io, colour: Colour, text: string): string {
  return io.color ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

