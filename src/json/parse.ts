import { JsonIntegerLimitError, JsonNestingError, JsonSyntaxError, MAX_INT_DIGITS } from './errors.js';
import { PyFloat, jsonObject, type JsonObject, type JsonValue } from './value.js';

/** How many arrays/objects may be open at once before parsing gives up. */
export const MAX_JSON_DEPTH = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Parse `text` exactly as CPython 3.11 `json.loads(text)` does (C scanner,
 * strict mode): same accepted documents, same values (integers stay integers:
 * a `number` when safe, else a `bigint`; every token with a fraction or an
 * exponent, and NaN/Infinity/-Infinity, becomes a `PyFloat`), and the same
 * error message and position for every malformed document.
 *
 * Objects are null-prototype records; a repeated key keeps its first position
 * and its last value, as a Python dict does.
 *
 * @throws JsonSyntaxError for a malformed document (message as Python's
 *   `JSONDecodeError`); its subclass JsonNestingError past MAX_JSON_DEPTH
 *   open containers, and JsonIntegerLimitError for an integer token of more
 *   than 4300 digits (Python's `ValueError`).
 */
export function parseJson(text: string): JsonValue {
  if (text.charCodeAt(0) === 0xfeff) {
    throw JsonSyntaxError.at('Unexpected UTF-8 BOM (decode using utf-8-sig)', text, 0);
  }
  const fast = parseWithEngine(text);
  if (fast !== undefined) return fast;
  const scanner = new Scanner(text);
  const value = scanner.scanValue(scanner.skipWhitespace(0));
  const end = scanner.skipWhitespace(scanner.next);
  if (end !== text.length) throw JsonSyntaxError.at('Extra data', text, end);
  return value;
}

/**
 * `text` parsed by the engine's own JSON.parse, when that is sure to give
 * what the scanner below gives: no number token with a fraction or exponent
 * (the engine cannot tell `1.0` from `1`), every integer safe, nesting well
 * under the limit. Anything else, a malformed document included, is left to
 * the scanner: undefined.
 */
function parseWithEngine(text: string): JsonValue | undefined {
  if (hasFloatToken(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return fromEngineValue(parsed, 0);
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** True when a digit outside every string is followed by `.`, `e` or `E`: the document may hold a float token. */
function hasFloatToken(text: string): boolean {
  let index = 0;
  for (;;) {
    const quote = text.indexOf('"', index);
    const end = quote < 0 ? text.length : quote;
    for (let at = index + 1; at < end; at++) {
      const unit = text.charCodeAt(at);
      if (unit === 0x2e || (unit | 0x20) === 0x65) {
        const before = text.charCodeAt(at - 1);
        if (before >= DIGIT_0 && before <= DIGIT_9) return true;
      }
    }
    if (quote < 0) return false;
    // Skip the string: its end is the next quote not escaped by an odd run of backslashes.
    let close = text.indexOf('"', quote + 1);
    for (;;) {
      if (close < 0) return false;
      let backslashes = 0;
      while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) break;
      close = text.indexOf('"', close + 1);
    }
    index = close + 1;
  }
}

/** The scanner's value for an engine-parsed value (null-prototype objects, -0 as 0), or undefined when they could differ. */
function fromEngineValue(value: unknown, depth: number): JsonValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value || 0 : undefined;
  if (depth >= MAX_JSON_DEPTH - 1) return undefined;
  if (Array.isArray(value)) {
    const items: JsonValue[] = new Array<JsonValue>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = fromEngineValue(value[i], depth + 1);
      if (item === undefined) return undefined;
      items[i] = item;
    }
    return items;
  }
  const object = jsonObject();
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const item = fromEngineValue(source[key], depth + 1);
    if (item === undefined) return undefined;
    object[key] = item;
  }
  return object;
}

function isWhitespace(unit: number): boolean {
  return unit === 0x20 || unit === 0x09 || unit === 0x0a || unit === 0x0d;
}

function isDigit(unit: number): boolean {
  return unit >= 0x30 && unit <= 0x39;
}

/** Follows the structure of CPython's `_json.c` scanner, index for index. */
class Scanner {
  /** Index just past the last value scanned. */
  next = 0;
  private depth = 0;
  /** Scratch space for strings with escapes. */
  private units: Uint16Array = new Uint16Array(256);

  constructor(private readonly text: string) {}

  skipWhitespace(index: number): number {
    const text = this.text;
    while (index < text.length && isWhitespace(text.charCodeAt(index))) index++;
    return index;
  }

  private fail(msg: string, index: number): never {
    throw JsonSyntaxError.at(msg, this.text, index);
  }

  /** A value starting at `index`; anything else is "Expecting value" there. */
  scanValue(index: number): JsonValue {
    const text = this.text;
    if (index >= text.length) this.fail('Expecting value', index);
    switch (text.charCodeAt(index)) {
      case QUOTE:
        return this.scanString(index + 1);
      case 0x7b /* { */:
        return this.scanObject(index);
      case 0x5b /* [ */:
        return this.scanArray(index);
      case 0x6e /* n */:
        if (text.startsWith('null', index)) return this.literal(null, index + 4);
        break;
      case 0x74 /* t */:
        if (text.startsWith('true', index)) return this.literal(true, index + 4);
        break;
      case 0x66 /* f */:
        if (text.startsWith('false', index)) return this.literal(false, index + 5);
        break;
      case 0x4e /* N */:
        if (text.startsWith('NaN', index)) return this.literal(new PyFloat(NaN, 'NaN'), index + 3);
        break;
      case 0x49 /* I */:
        if (text.startsWith('Infinity', index)) return this.literal(new PyFloat(Infinity, 'Infinity'), index + 8);
        break;
      case 0x2d /* - */:
        if (text.startsWith('-Infinity', index)) {
          return this.literal(new PyFloat(-Infinity, '-Infinity'), index + 9);
        }
        break;
    }
    return this.scanNumber(index);
  }

  private literal(value: JsonValue, next: number): JsonValue {
    this.next = next;
    return value;
  }

  private scanNumber(start: number): JsonValue {
    const text = this.text;
    const length = text.length;
    let index = start;
    if (text.charCodeAt(index) === 0x2d) {
      index++;
      if (index >= length) this.fail('Expecting value', start);
    }
    const first = text.charCodeAt(index);
    if (first >= 0x31 && first <= 0x39) {
      index++;
      while (index < length && isDigit(text.charCodeAt(index))) index++;
    } else if (first === 0x30) {
      index++;
    } else {
      this.fail('Expecting value', start);
    }
    const integerEnd = index;
    let isFloat = false;
    if (index + 1 < length && text.charCodeAt(index) === 0x2e && isDigit(text.charCodeAt(index + 1))) {
      isFloat = true;
      index += 2;
      while (index < length && isDigit(text.charCodeAt(index))) index++;
    }
    if (index + 1 < length && (text.charCodeAt(index) | 0x20) === 0x65 /* e or E */) {
      const exponentStart = index;
      index++;
      const sign = text.charCodeAt(index);
      if (index + 1 < length && (sign === 0x2d || sign === 0x2b)) index++;
      while (index < length && isDigit(text.charCodeAt(index))) index++;
      if (isDigit(text.charCodeAt(index - 1))) isFloat = true;
      else index = exponentStart;
    }
    this.next = index;
    const token = text.slice(start, index);
    if (isFloat) return new PyFloat(Number(token), token);
    const digits = integerEnd - start - (text.charCodeAt(start) === 0x2d ? 1 : 0);
    if (digits > MAX_INT_DIGITS) throw new JsonIntegerLimitError(digits, text, start);
    if (digits <= 15) return Number(token) || 0; // `|| 0` turns -0 into 0
    const value = Number(token);
    return Number.isSafeInteger(value) ? value : BigInt(token);
  }

  /** A string whose opening quote is at `begin - 1`. */
  private scanString(begin: number): string {
    const text = this.text;
    const length = text.length;
    for (let index = begin; index < length; index++) {
      const unit = text.charCodeAt(index);
      if (unit === QUOTE) {
        this.next = index + 1;
        return text.slice(begin, index);
      }
      if (unit === BACKSLASH) return this.scanEscapedString(begin, index);
      if (unit < 0x20) this.fail('Invalid control character at', index);
    }
    return this.fail('Unterminated string starting at', begin - 1);
  }

  /**
   * The rest of a string that holds escapes, from the first backslash at
   * `index`. Code units collect in a reusable buffer, which keeps strings
   * with millions of escapes linear and fast.
   */
  private scanEscapedString(begin: number, index: number): string {
    const text = this.text;
    const length = text.length;
    const quote = begin - 1;
    let units = this.units;
    let count = 0;
    for (let i = begin; i < index; i++) {
      if (count === units.length) units = this.growUnits();
      units[count++] = text.charCodeAt(i);
    }
    for (;;) {
      if (index >= length) this.fail('Unterminated string starting at', quote);
      if (count + 2 > units.length) units = this.growUnits();
      const unit = text.charCodeAt(index);
      if (unit === QUOTE) {
        this.next = index + 1;
        return unitsToString(units, count);
      }
      if (unit !== BACKSLASH) {
        if (unit < 0x20) this.fail('Invalid control character at', index);
        units[count++] = unit;
        index++;
        continue;
      }
      const escapeAt = index + 1;
      if (escapeAt >= length) this.fail('Unterminated string starting at', quote);
      const escaped = text.charCodeAt(escapeAt);
      if (escaped !== 0x75 /* u */) {
        const simple = SIMPLE_ESCAPES[escaped];
        if (simple === undefined) this.fail('Invalid \\escape', index);
        units[count++] = simple;
        index = escapeAt + 1;
        continue;
      }
      const hexStart = escapeAt + 1;
      if (hexStart + 4 >= length) this.fail('Invalid \\uXXXX escape', escapeAt);
      const code = this.hex4(hexStart);
      const end = hexStart + 4;
      units[count++] = code;
      index = end;
      if (code >= 0xd800 && code <= 0xdbff && end + 6 < length &&
          text.charCodeAt(end) === BACKSLASH && text.charCodeAt(end + 1) === 0x75) {
        const low = this.hex4(end + 2);
        if (low >= 0xdc00 && low <= 0xdfff) {
          units[count++] = low;
          index = end + 6;
        }
      }
    }
  }

  private growUnits(): Uint16Array {
    const grown = new Uint16Array(this.units.length * 2);
    grown.set(this.units);
    this.units = grown;
    return grown;
  }

  /** Four hex digits at `start`; CPython reports a bad one at `start - 1`. */
  private hex4(start: number): number {
    let code = 0;
    for (let i = start; i < start + 4; i++) {
      const digit = HEX_VALUES[this.text.charCodeAt(i)];
      if (digit === undefined) this.fail('Invalid \\uXXXX escape', start - 1);
      code = (code << 4) | digit;
    }
    return code;
  }

  private enter(container: 'array' | 'object', index: number): void {
    if (++this.depth > MAX_JSON_DEPTH) throw new JsonNestingError(container, this.text, index);
  }

  /** An object whose `{` is at `open`. */
  private scanObject(open: number): JsonObject {
    this.enter('object', open);
    const text = this.text;
    const length = text.length;
    const result = jsonObject();
    let index = this.skipWhitespace(open + 1);
    if (index >= length || text.charCodeAt(index) !== 0x7d /* } */) {
      for (;;) {
        if (index >= length || text.charCodeAt(index) !== QUOTE) {
          this.fail('Expecting property name enclosed in double quotes', index);
        }
        const key = this.scanString(index + 1);
        index = this.skipWhitespace(this.next);
        if (index >= length || text.charCodeAt(index) !== 0x3a /* : */) {
          this.fail("Expecting ':' delimiter", index);
        }
        index = this.skipWhitespace(index + 1);
        result[key] = this.scanValue(index);
        index = this.skipWhitespace(this.next);
        if (index < length && text.charCodeAt(index) === 0x7d) break;
        if (index >= length || text.charCodeAt(index) !== 0x2c /* , */) {
          this.fail("Expecting ',' delimiter", index);
        }
        index = this.skipWhitespace(index + 1);
      }
    }
    this.next = index + 1;
    this.depth--;
    return result;
  }

  /** An array whose `[` is at `open`. */
  private scanArray(open: number): JsonValue[] {
    this.enter('array', open);
    const text = this.text;
    const length = text.length;
    const result: JsonValue[] = [];
    let index = this.skipWhitespace(open + 1);
    if (index >= length || text.charCodeAt(index) !== 0x5d /* ] */) {
      for (;;) {
        result.push(this.scanValue(index));
        index = this.skipWhitespace(this.next);
        if (index < length && text.charCodeAt(index) === 0x5d) break;
        if (index >= length || text.charCodeAt(index) !== 0x2c) {
          this.fail("Expecting ',' delimiter", index);
        }
        index = this.skipWhitespace(index + 1);
      }
    }
    this.next = index + 1;
    this.depth--;
    return result;
  }
}

/** The code unit each one-letter escape stands for: \" \\ \/ \b \f \n \r \t. */
const SIMPLE_ESCAPES: Record<number, number> = {
  0x22: 0x22,
  0x5c: 0x5c,
  0x2f: 0x2f,
  0x62: 0x08,
  0x66: 0x0c,
  0x6e: 0x0a,
  0x72: 0x0d,
  0x74: 0x09,
};

/** The string of the first `count` code units (in slices, to stay within argument limits). */
function unitsToString(units: Uint16Array, count: number): string {
  const SLICE = 4096;
  if (count <= SLICE) return String.fromCharCode.apply(null, units.subarray(0, count) as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < count; i += SLICE) {
    parts.push(String.fromCharCode.apply(null, units.subarray(i, Math.min(count, i + SLICE)) as unknown as number[]));
  }
  return parts.join('');
}

const HEX_VALUES: Record<number, number> = (() => {
  const table: Record<number, number> = {};
  for (let d = 0; d < 10; d++) table[0x30 + d] = d;
  for (let d = 0; d < 6; d++) {
    table[0x61 + d] = 10 + d;
    table[0x41 + d] = 10 + d;
  }
  return table;
})();
