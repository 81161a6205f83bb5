import { lenientText, readBytes } from '../fs/index.js';

/*
 * Git conflict markers: `<<<<<<< ours`, `|||||||  base` (diff3), `=======`,
 * `>>>>>>> theirs`, each at the start of a line. A JSON document can never
 * hold one (a string cannot span lines), so finding one in a file that fails
 * to parse means an unresolved merge, not random corruption.
 */

const MARKER = /^(?:<{7}(?: |$)|\|{7}(?: |$)|={7}$|>{7}(?: |$))/;

/** The 1-based line number of the first conflict marker in `text`, or null. */
export function firstConflictMarkerLine(text: string): number | null {
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
 * doctor's `merge-conflict` finding share.
 */
export function mergeConflictFiles(files: { manifest: string; state: string }): string[] {
  const labels: string[] = [];
  if (conflictMarkerLineInFile(files.manifest) !== null) labels.push('manifest.json');
  if (conflictMarkerLineInFile(files.state) !== null) labels.push('.planning/state.json');
  return labels;
}

/** "manifest.json", "manifest.json and .planning/state.json". */
export function conflictFilesText(labels: readonly string[]): string {
  return labels.join(' and ');
}

/** What to run to get out of a merge conflict in migration `slug`. */
export function mergeConflictHint(slug: string): string {
  return `Take one side with \`cairn resolve ${slug} --ours\` or \`--theirs\`, or edit the files and run \`cairn doctor ${slug}\`.`;
}
