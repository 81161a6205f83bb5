/** Characters a POSIX shell never treats specially inside a word. */
const SAFE_WORD = /^[A-Za-z0-9_./:@%+=,-]+$/;

/**
 * `text` as one POSIX shell word, for commands cairn prints for a person to
 * run: as is when it holds only safe characters, else in single quotes
 * (each `'` written as `'"'"'`); the empty string is `''`.
 */
export function shellWord(text: string): string {
  if (SAFE_WORD.test(text)) return text;
  return `'${text.split("'").join(`'"'"'`)}'`;
}
