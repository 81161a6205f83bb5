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
