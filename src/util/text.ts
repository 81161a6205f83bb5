/**
 * Collapse every run of whitespace to one space and trim, like Python's
 * `" ".join(text.split())`, so multi-line errors fit one TSV field.
 */
export function collapseWhitespace(text: string): string {
  return text
    .split(/[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/)
    .filter((part) => part !== '')
    .join(' ');
}

/** Python's `str.splitlines()` boundaries. */
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;
/** A regular-expression character class body of Python's `str.isspace()` characters (JavaScript's `\s` differs: it has U+FEFF, lacks U+001C–U+001F and U+0085). */
export const PY_SPACE = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_SPACE = new RegExp(`^[${PY_SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${PY_SPACE}]+$`);

/** `text.splitlines()`: no empty last line for a trailing line break. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(LINE_BREAK);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** `text.strip()`. */
export function stripText(text: string): string {
  return text.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
}

/** "1 error", "2 errors". */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
