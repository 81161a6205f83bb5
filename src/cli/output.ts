import { debugStack, type Io } from '../app/index.js';
import { toCairnError, visibleOutput } from '../util/index.js';
import { outputDocument, errorJson, type DocumentPayload, type JSON_OUTPUTS, type JsonOutputName } from '../outputs/index.js';

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1, cyan: 36 } as const;
export type Colour = keyof typeof CODES;

/** The exact colour sequences {@link paint} writes, and its reset. */
const OWN_SEQUENCE = new RegExp(`\u001b\\[(?:0|${Object.values(CODES).join('|')})m`, 'g');

/**
 * Everything the CLI prints passes here: control and bidi characters that a
 * repository, an agent or an argument put into the text are rendered visibly
 * (`\x1b`, `\u202e`); newlines and tabs stay, and so do cairn's own colour
 * sequences when colour is on. Renderers escape names themselves; this is
 * the last guard for every command's output.
 */
export function terminalSafe(text: string, color: boolean): string {
  if (!color) return visibleOutput(text);
  let out = '';
  let last = 0;
  for (const match of text.matchAll(OWN_SEQUENCE)) {
    out += visibleOutput(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + visibleOutput(text.slice(last));
}

export function processIo(): Io {
  const isTty = process.stdout.isTTY === true;
  const noColor = process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '';
  const color = isTty && !noColor;
  return {
    stdout: (text) => void process.stdout.write(terminalSafe(text, color)),
    stderr: (text) => void process.stderr.write(terminalSafe(text, color)),
    color,
    isTty,
  };
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

/** Pad cells into aligned columns (two spaces between). */
export function alignColumns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length)))
      .join('  ')
      .trimEnd(),
  );
}
