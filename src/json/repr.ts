import { pyFloatRepr } from './float.js';
import { PyFloat, type JsonValue } from './value.js';

/**
 * Python's `repr()` of a decoded JSON value, for error messages that quote
 * input ("names an unknown phase: 'setup'"): `None`, `True`, `False`, ints in
 * decimal, floats as `repr(float)` (`1.0`, `inf`, `nan`), strings via
 * {@link pyStrRepr}, `[1, 'a']` and `{'k': 1}`. Dict entries come in the
 * record's key order, which is Python's insertion order except that
 * JavaScript lists integer-like keys ("1", "42") first.
 */
export function pyRepr(value: JsonValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStrRepr(value);
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value).toString() : pyFloatRepr(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  const entries = Object.keys(value).map((key) => `${pyStrRepr(key)}: ${pyRepr(value[key] as JsonValue)}`);
  return `{${entries.join(', ')}}`;
}

/** Characters Python's `str.isprintable()` rejects: categories C* and Z*, except the ASCII space. */
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;
const NEEDS_WORK = /[^\x20-\x7e]|['\\]/;

/**
 * Python's `repr()` of a `str`: single quotes unless the text contains `'`
 * and no `"`; `\\`, the chosen quote, `\t`, `\n` and `\r` backslash-escaped;
 * other ASCII controls and DEL as `\xNN`; non-ASCII characters kept when
 * printable, else `\xNN`, `\uNNNN` or `\UNNNNNNNN` (lowercase hex).
 * Printability follows the Unicode tables of the running JavaScript engine.
 */
export function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  if (!NEEDS_WORK.test(text)) return quote + text + quote;
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (char === quote || char === '\\') out += '\\' + char;
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + hex(code, 2);
    else if (code < 0x7f || !NON_PRINTABLE.test(char)) out += char;
    else if (code <= 0xff) out += '\\x' + hex(code, 2);
    else if (code <= 0xffff) out += '\\u' + hex(code, 4);
    else out += '\\U' + hex(code, 8);
  }
  return out + quote;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
