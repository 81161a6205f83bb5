import { DEFAULT_MAX_READ_BYTES, lenientText, readBytes } from '../fs/index.js';
import type { JsonSource } from '../json/index.js';

/*
 * Git conflict markers: `<<<<<<< ours`, `|||||||  base` (diff3), `=======`,
 * `>>>>>>> theirs`, each at the start of a line. A JSON document can never
 * hold one (a string cannot span lines), so finding one in a file that fails
 * to parse means an unresolved merge, not random corruption.
 */

const MARKER = /^(?:<{7}(?: |$)|\|{7}(?: |$)|={7}$|>{7}(?: |$))/;

const MARKER_RUNS = ['<<<<<<<', '|||||||', '=======', '>>>>>>>'];

/** The 1-based line number of the first conflict marker in `text`, or null. */
export function firstConflictMarkerLine(text: string): number | null {
  // Nearly every file holds none: rule that out without splitting or matching lines.
  if (!MARKER_RUNS.some((run) => text.includes(run))) return null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    if (MARKER.test(line)) return i + 1;
  }
  return null;
}

/** Like `firstConflictMarkerLine` for a file; null when it has none or cannot be read. */
export function conflictMarkerLineInFile(file: string): number | null {
  const read = readBytes(file);
  return 'error' in read ? null : firstConflictMarkerLine(lenientText(read.bytes));
}

/**
 * The files of a migration directory that hold git conflict markers, as
 * labels relative to it (`manifest.json`, `.planning/state.json`), in that
 * order; empty when neither does. The check `cairn list`, `cairn status` and
 * doctor's `merge-conflict` finding share. `read`: files already read
 * (`readJsonSource`), so they are not read again.
 */
export function mergeConflictFiles(files: { manifest: string; state: string }, read: { manifest?: JsonSource; state?: JsonSource } = {}): string[] {
  const labels: string[] = [];
  if (markerLine(files.manifest, read.manifest) !== null) labels.push('manifest.json');
  if (markerLine(files.state, read.state) !== null) labels.push('.planning/state.json');
  return labels;
}

/** `conflictMarkerLineInFile`, from the bytes already read when there are some. */
function markerLine(file: string, source: JsonSource | undefined): number | null {
  if (source === undefined) return conflictMarkerLineInFile(file);
  // Files the marker scan cannot read (too large for it included) hold no marker for it.
  if ('error' in source || source.bytes.length > DEFAULT_MAX_READ_BYTES) return null;
  if (!MARKER_RUNS.some((run) => Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.length).includes(run))) return null;
  return firstConflictMarkerLine(lenientText(source.bytes));
}

/** "manifest.json", "manifest.json and .planning/state.json". */
export function conflictFilesText(labels: readonly string[]): string {
  return labels.join(' and ');
}

/** What to run to get out of a merge conflict in migration `slug`. */
export function mergeConflictHint(slug: string): string {
  return `Take one side with \`cairn resolve ${slug} --ours\` or \`--theirs\`, or edit the files and run \`cairn doctor ${slug}\`.`;
}
