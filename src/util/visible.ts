/*
 * Names and text that a repository or an agent controls reach terminals, TSV
 * files and CI logs. These helpers decide which characters are unsafe there
 * and render them visibly (`\x1b`, `\u202e`) instead of raw.
 */

/**
 * Characters a migration directory name may not hold: every control (C0, DEL,
 * C1), every invisible format character (bidi controls, zero-width
 * characters, BOM), the line and paragraph separators, and lone surrogates.
 */
const UNSAFE_NAME_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|\p{Cs}/u;

/** True when `name` holds a character that no slug may hold ({@link UNSAFE_NAME_CHARACTER}). */
export function hasUnsafeNameCharacter(name: string): boolean {
  return UNSAFE_NAME_CHARACTER.test(name);
}

/**
 * Characters never printed raw: C0 controls, DEL, C1 controls, the bidi
 * controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), the line
 * and paragraph separators and lone surrogates.
 */
const CONTROL = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;
const CONTROL_EXCEPT_NEWLINE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;
const CONTROL_EXCEPT_NEWLINE_AND_TAB = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * The visible form of one unsafe character: `\t`, `\n`, `\r`; `\xNN` for the
 * other C0 controls; `\uNNNN` for everything else (which is also a valid JSON
 * escape, so a JSON document stays valid when it passes through).
 */
function visibleCharacter(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  if (code < 0x20) return `\\x${code.toString(16).padStart(2, '0')}`;
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` on one line with every unsafe character (newlines and tabs included) rendered visibly. */
export function visibleText(text: string): string {
  return text.replace(CONTROL, visibleCharacter);
}

/** Like {@link visibleText} but newlines stay: for multi-line messages. */
export function visibleLines(text: string): string {
  return text.replace(CONTROL_EXCEPT_NEWLINE, visibleCharacter);
}

/** Like {@link visibleLines} but tabs stay too: a whole TSV document or terminal output as cairn writes it. */
export function visibleOutput(text: string): string {
  return text.replace(CONTROL_EXCEPT_NEWLINE_AND_TAB, visibleCharacter);
}

/** Printable ASCII but the backslash: most fields, which {@link tsvField} returns as they are. */
const PLAIN_TSV_FIELD = /^[\x20-\x5b\x5d-\x7e]*$/;

/**
 * One TSV field: a backslash becomes `\\`, tab, newline and CR become `\t`,
 * `\n`, `\r`, and every other unsafe character is rendered visibly, so a field
 * never splits a row or a column and can be decoded unambiguously.
 */
export function tsvField(text: string): string {
  if (PLAIN_TSV_FIELD.test(text)) return text;
  return visibleText(text.replace(/\\/g, '\\\\'));
}

/**
 * The GitHub Actions runner executes a line of a job's log as a workflow
 * command when, after leading spaces, it starts with `::` (or `##[`, the old
 * form). In `text` so that a repository-controlled name or reason cannot
 * begin such a line, the first character of each would-be command is shown
 * as `\x3a` (`\x23`); every other line is unchanged.
 */
export function withoutWorkflowCommands(text: string): string {
  return text.replace(/^([^\S\n]*)(:(?=:)|#(?=#\[))/gm, (_all, space: string, char: string) => `${space}\\x${char.charCodeAt(0).toString(16)}`);
}
