import { jsonFloatText } from './float.js';
import { compareCodePoints } from '../util/index.js';
import { PyFloat, type JsonValue } from './value.js';

const INDENT = '  ';

/**
 * The text Python writes for `json.dumps(value, indent=2, sort_keys=True) + "\n"`
 * (ensure_ascii on): two-space indent, `","` at line ends and `": "` after
 * keys, `[]`/`{}` for empty containers, keys sorted by code point, every
 * character outside printable ASCII escaped as lowercase `\uXXXX` (astral
 * characters as surrogate pairs), `/` left alone. Integers (`number` whole
 * values and `bigint`) are written in decimal; `PyFloat` and fractional
 * numbers as Python's float repr (`1.0`, `1e-05`, `NaN`, `Infinity`).
 *
 * @throws Error for values Python could not have produced: `undefined`
 *   (a programming error), other non-JSON types, and circular references.
 */
export function encodeJson(value: JsonValue): string {
  const out: string[] = [];
  writeValue(value, 0, out, new Set());
  out.push('\n');
  return out.join('');
}

function writeValue(value: JsonValue, level: number, out: string[], open: Set<object>): void {
  if (value === null) out.push('null');
  else if (value === true) out.push('true');
  else if (value === false) out.push('false');
  else if (typeof value === 'string') out.push(encodeJsonString(value));
  else if (typeof value === 'number') out.push(Number.isInteger(value) ? BigInt(value).toString() : jsonFloatText(value));
  else if (typeof value === 'bigint') out.push(value.toString());
  else if (value instanceof PyFloat) out.push(jsonFloatText(value.value));
  else if (Array.isArray(value)) writeArray(value, level, out, open);
  else if (typeof value === 'object') writeObject(value, level, out, open);
  else throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
}

function enter(container: object, open: Set<object>): void {
  if (open.has(container)) throw new Error('Circular reference detected');
  open.add(container);
}

function writeArray(items: JsonValue[], level: number, out: string[], open: Set<object>): void {
  if (items.length === 0) {
    out.push('[]');
    return;
  }
  enter(items, open);
  const inner = '\n' + INDENT.repeat(level + 1);
  out.push('[');
  for (let i = 0; i < items.length; i++) {
    out.push(i === 0 ? inner : ',' + inner);
    const item = items[i];
    if (item === undefined) throw new TypeError(`array index ${i} is undefined; JSON has no undefined`);
    writeValue(item, level + 1, out, open);
  }
  out.push('\n' + INDENT.repeat(level) + ']');
  open.delete(items);
}

function writeObject(record: { [key: string]: JsonValue }, level: number, out: string[], open: Set<object>): void {
  const keys = Object.keys(record).sort(compareCodePoints);
  if (keys.length === 0) {
    out.push('{}');
    return;
  }
  enter(record, open);
  const inner = '\n' + INDENT.repeat(level + 1);
  out.push('{');
  keys.forEach((key, i) => {
    const item = record[key];
    if (item === undefined) {
      throw new TypeError(`key ${JSON.stringify(key)} is undefined; JSON has no undefined`);
    }
    out.push(i === 0 ? inner : ',' + inner, encodeJsonString(key), ': ');
    writeValue(item, level + 1, out, open);
  });
  out.push('\n' + INDENT.repeat(level) + '}');
  open.delete(record);
}

const NEEDS_ESCAPE = /["\\]|[^\x20-\x7e]/;
const NEEDS_ESCAPE_GLOBAL = /["\\]|[^\x20-\x7e]/g;

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * A string as Python's `json` writes it with ensure_ascii: in double quotes,
 * `"` and `\` backslash-escaped, `\n \r \t \b \f` short-escaped, every other
 * UTF-16 unit outside 0x20..0x7e as `\u` and four lowercase hex digits.
 */
export function encodeJsonString(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  return `"${text.replace(NEEDS_ESCAPE_GLOBAL, escapeUnit)}"`;
}

function escapeUnit(unit: string): string {
  return SHORT_ESCAPES[unit] ?? '\\u' + unit.charCodeAt(0).toString(16).padStart(4, '0');
}
