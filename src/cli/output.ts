import { debugStack, type Io } from '../app/index.js';
import { toCairnError, visibleText } from '../util/index.js';
import { outputDocument, errorJson, type DocumentPayload, type JSON_OUTPUTS, type JsonOutputName } from '../outputs/index.js';
import { keepingOwnSequences } from './terminal.js';

export { paint, permitWorkflowCommands, processIo, terminalSafe, type Colour } from './terminal.js';

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
