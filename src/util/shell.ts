/** Characters a POSIX shell never treats specially inside a word. */
const SAFE_WORD = /^[A-Za-z0-9_./:@%+=,-]+$/;

/** Characters a POSIX shell still interprets inside double quotes (and `!` for interactive bash). */
const DOUBLE_QUOTE_SPECIAL = /["$`\\!]/;

/**
 * `text` as one POSIX shell word, for commands cairn prints for a person to
 * run: as is when it holds only safe characters; in double quotes when it
 * holds a `'` and nothing double quotes would interpret (so a quoted command
 * template stays readable); else in single quotes (each `'` written as
 * `'"'"'`); the empty string is `''`.
 */
export function shellWord(text: string): string {
  if (SAFE_WORD.test(text)) return text;
  if (text.includes("'") && !DOUBLE_QUOTE_SPECIAL.test(text)) return `"${text}"`;
  return `'${text.split("'").join(`'"'"'`)}'`;
}
