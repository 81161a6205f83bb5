import { expect } from 'vitest';

/*
 * Checks that output text is safe and well-formed, shared by the escaping
 * property test and the end-to-end test on hostile names.
 */

/** Any character cairn never prints raw: C0 (newline and tab included), DEL, C1, bidi controls, line separators, lone surrogates. */
export const RAW_UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;
/** The same, newlines allowed. */
export const RAW_UNSAFE_EXCEPT_NEWLINE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;
/** The same, newlines and tabs allowed (a TSV document). */
export const RAW_UNSAFE_EXCEPT_NEWLINE_AND_TAB = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

const XML_CHARS = /^[\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const NAME = '[A-Za-z_][A-Za-z0-9_.:-]*';
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;
const ATTRIBUTE = new RegExp(`\\s+${NAME}\\s*=\\s*"([^"]*)"`, 'g');
const TAG = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"]*")*)\\s*(/?)>$`);

/** Text or an attribute value: no `<`, and `&` only as a predefined or numeric entity. */
function expectCharData(text: string, where: string): void {
  const bare = text.replace(ENTITY, '');
  expect(bare, where).not.toMatch(/[<&]/);
}

/**
 * A small XML 1.0 well-formedness check, enough for the JUnit document: only
 * XML characters, one XML declaration first, tags that nest and close,
 * attribute values and text with escaped markup, one root element.
 */
export function assertWellFormedXml(doc: string): void {
  expect(XML_CHARS.test(doc), 'only XML 1.0 characters').toBe(true);
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/;
  expect(doc).toMatch(declaration);
  const body = doc.replace(declaration, '');
  const stack: string[] = [];
  let roots = 0;
  for (const token of body.match(/<[^>]*>|[^<]+/g) ?? []) {
    if (!token.startsWith('<')) {
      if (stack.length === 0) expect(token.trim(), 'text outside the root').toBe('');
      expectCharData(token, 'text');
      continue;
    }
    const tag = TAG.exec(token);
    expect(tag, `a well-formed tag: ${token}`).not.toBeNull();
    const [, closing, name, attributes, selfClosing] = tag as RegExpExecArray;
    for (const attribute of (attributes ?? '').matchAll(ATTRIBUTE)) expectCharData(attribute[1] ?? '', `attribute of ${name}`);
    if (closing === '/') {
      expect(stack.pop(), `closing ${name}`).toBe(name);
    } else {
      if (stack.length === 0) roots += 1;
      if (selfClosing !== '/') stack.push(name as string);
    }
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}
