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
