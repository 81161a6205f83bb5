import { debugStack, type Io } from '../app/index.js';
import { toCairnError, visibleOutput, visibleText, withoutWorkflowCommands } from '../util/index.js';
import { outputDocument, errorJson, type DocumentPayload, type JSON_OUTPUTS, type JsonOutputName } from '../outputs/index.js';

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
function keepingOwnSequences(text: string, escape: (part: string) => string): string {
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
  const noColor = process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '';
  const color = isTty && !noColor;
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

/**
 * Prints the `--format json` document `output` (`schema_version` first, then
 * `payload`, whose type is the output's schema) as pretty JSON with a
 * trailing newline.
 */
export function printJson<K extends JsonOutputName>(io: Io, output: K, payload: DocumentPayload<(typeof JSON_OUTPUTS)[K]>): void {
  io.stdout(`${JSON.stringify(outputDocument(payload), null, 2)}\n`);
}

/** Report an error the Terraform way: what happened, then what to run next. */
export function reportError(io: Io, error: unknown, format: string | undefined): number {
  const cairn = toCairnError(error);
  if (format === 'json') printJson(io, 'error', errorJson(cairn));
  io.stderr(`Error: ${cairn.message}\n`);
  if (cairn.hint !== undefined) io.stderr(`Hint: ${cairn.hint}\n`);
  const stack = debugStack(error);
  if (stack !== null) io.stderr(`${stack}\n`);
  return cairn.exitCode;
}

/**
 * A reason written to be embedded (`the validation command failed …`) as a
 * sentence of its own: its first letter in upper case, unless it starts
 * with a name that must keep its spelling: `slug`, or a word with a dot,
 * underscore, dash, slash, quote or capital (`planning.expand`,
 * `migrations_dir`, a flag, a path).
 */
export function asSentence(text: string, slug?: string): string {
  const first = /^[^\s:;,(]*/.exec(text)?.[0] ?? '';
  if (first === slug || !/^[a-z]/.test(first) || /[._/`'"A-Z-]/.test(first)) return text;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Pad cells into aligned columns (two spaces between). A cell is one line:
 * every control and bidi character in it (a newline too) is shown visibly,
 * so a name or reason from the repository cannot start a line of its own;
 * colours painted into a cell stay.
 */
export function alignColumns(cells: string[][]): string[] {
  const rows = cells.map((row) => row.map((cell) => keepingOwnSequences(cell, visibleText)));
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length)))
      .join('  ')
      .trimEnd(),
  );
}
