import { debugStack, type Io } from '../app/index.js';
import { toCairnError } from '../util/index.js';
import { outputDocument, errorJson, type DocumentPayload, type JSON_OUTPUTS, type JsonOutputName } from '../outputs/index.js';

export function processIo(): Io {
  const isTty = process.stdout.isTTY === true;
  const noColor = process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '';
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    color: isTty && !noColor,
    isTty,
  };
}

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1, cyan: 36 } as const;
export type Colour = keyof typeof CODES;

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
