import { describe, expect, it } from 'vitest';
import {
  JsonIntegerLimitError,
  JsonNestingError,
  JsonSyntaxError,
  PyFloat,
  parseJson,
  type JsonObject,
  type JsonValue,
} from '../../src/json/index.js';

/** Malformed documents and the exact `str(JSONDecodeError)` CPython 3.11 gives for each. */
const MALFORMED: Array<[string, string]> = [
  ["", "Expecting value: line 1 column 1 (char 0)"],
  [" ", "Expecting value: line 1 column 2 (char 1)"],
  ["\n\n", "Expecting value: line 3 column 1 (char 2)"],
  ["[", "Expecting value: line 1 column 2 (char 1)"],
  ["]", "Expecting value: line 1 column 1 (char 0)"],
  ["{", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"],
  ["}", "Expecting value: line 1 column 1 (char 0)"],
  ["[1,]", "Expecting value: line 1 column 4 (char 3)"],
  ["[1,,2]", "Expecting value: line 1 column 4 (char 3)"],
  ["[,1]", "Expecting value: line 1 column 2 (char 1)"],
  ["[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)"],
  ["[1] x", "Extra data: line 1 column 5 (char 4)"],
  ["[1]\n\n  x", "Extra data: line 3 column 3 (char 7)"],
  ["{\"a\" 1}", "Expecting ':' delimiter: line 1 column 6 (char 5)"],
  ["{\"a\": 1 \"b\": 2}", "Expecting ',' delimiter: line 1 column 9 (char 8)"],
  ["{\"a\": 1,\n}", "Expecting property name enclosed in double quotes: line 2 column 1 (char 9)"],
  ["{\"a\": 1,}", "Expecting property name enclosed in double quotes: line 1 column 9 (char 8)"],
  ["{,}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"],
  ["{\"a\"}", "Expecting ':' delimiter: line 1 column 5 (char 4)"],
  ["{\"a\":}", "Expecting value: line 1 column 6 (char 5)"],
  ["{\"a\": }", "Expecting value: line 1 column 7 (char 6)"],
  ["{1: 2}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"],
  ["{'a': 1}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"],
  ["{\"a\": 1}}", "Extra data: line 1 column 9 (char 8)"],
  ["[1]]", "Extra data: line 1 column 4 (char 3)"],
  ["nul", "Expecting value: line 1 column 1 (char 0)"],
  ["tru", "Expecting value: line 1 column 1 (char 0)"],
  ["True", "Expecting value: line 1 column 1 (char 0)"],
  ["None", "Expecting value: line 1 column 1 (char 0)"],
  ["nan", "Expecting value: line 1 column 1 (char 0)"],
  ["inf", "Expecting value: line 1 column 1 (char 0)"],
  ["-", "Expecting value: line 1 column 1 (char 0)"],
  ["-x", "Expecting value: line 1 column 1 (char 0)"],
  ["--1", "Expecting value: line 1 column 1 (char 0)"],
  ["+1", "Expecting value: line 1 column 1 (char 0)"],
  ["01", "Extra data: line 1 column 2 (char 1)"],
  ["1.", "Extra data: line 1 column 2 (char 1)"],
  [".5", "Expecting value: line 1 column 1 (char 0)"],
  ["1.e5", "Extra data: line 1 column 2 (char 1)"],
  ["1e", "Extra data: line 1 column 2 (char 1)"],
  ["1e+", "Extra data: line 1 column 2 (char 1)"],
  ["1E-x", "Extra data: line 1 column 2 (char 1)"],
  ["0x10", "Extra data: line 1 column 2 (char 1)"],
  ["1_000", "Extra data: line 1 column 2 (char 1)"],
  ["\"abc", "Unterminated string starting at: line 1 column 1 (char 0)"],
  ["\"abc\\", "Unterminated string starting at: line 1 column 1 (char 0)"],
  ["\"a\nb\"", "Invalid control character at: line 1 column 3 (char 2)"],
  ["\"a\tb\"", "Invalid control character at: line 1 column 3 (char 2)"],
  ["\"\u0000\"", "Invalid control character at: line 1 column 2 (char 1)"],
  ["\"\\x\"", "Invalid \\escape: line 1 column 2 (char 1)"],
  ["\"\\U0041\"", "Invalid \\escape: line 1 column 2 (char 1)"],
  ["\"\\u12\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)"],
  ["\"\\u12G4\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)"],
  ["\"\\u123\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)"],
  ["\"\\ud83d\\uZZZZ\"", "Invalid \\uXXXX escape: line 1 column 9 (char 8)"],
  ["\"\\ud83d\\u12\"", "Invalid \\uXXXX escape: line 1 column 9 (char 8)"],
  ["\ufeff{}", "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"],
  ["\ufeff", "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"],
  ["\"\ud83d\ude00\" x", "Extra data: line 1 column 5 (char 4)"],
  ["[\"\ud83d\ude00\ud83d\ude00\", x]", "Expecting value: line 1 column 8 (char 7)"],
  ["{\"\ud83d\ude00\":\n \"\ud83d\ude00\" \"b\"}", "Expecting ',' delimiter: line 2 column 6 (char 11)"],
  ["[\n  1,\n  2\n  3\n]", "Expecting ',' delimiter: line 4 column 3 (char 13)"],
  ["{\n  \"name\": \"x\",\n<<<<<<< HEAD\n  \"status\": \"ready\"\n=======\n  \"status\": \"done\"\n>>>>>>> other\n}\n", "Expecting property name enclosed in double quotes: line 3 column 1 (char 17)"],
  ["{\n  \"phases\": [\n<<<<<<< HEAD\n    {\"name\": \"a\"}\n=======\n    {\"name\": \"b\"}\n>>>>>>> other\n  ]\n}\n", "Expecting value: line 3 column 1 (char 16)"],
  ["[1, 2", "Expecting ',' delimiter: line 1 column 6 (char 5)"],
  ["{\"a\": [1, 2}", "Expecting ',' delimiter: line 1 column 12 (char 11)"],
  ["{\"a\": {\"b\": 1]", "Expecting ',' delimiter: line 1 column 14 (char 13)"],
  ["[[[", "Expecting value: line 1 column 4 (char 3)"],
  ["[{\"a\": 1}, {\"a\"", "Expecting ':' delimiter: line 1 column 16 (char 15)"],
  ["\t\r\n x", "Expecting value: line 2 column 2 (char 4)"],
  ["\u00a0[]", "Expecting value: line 1 column 1 (char 0)"],
  ["[1]\u00a0", "Extra data: line 1 column 4 (char 3)"],
  ["// c\n{}", "Expecting value: line 1 column 1 (char 0)"],
  ["[Infinity, -Infinity, -Inf]", "Expecting value: line 1 column 23 (char 22)"],
  ["{\"a\": 1, \"a\": }", "Expecting value: line 1 column 15 (char 14)"],
  ["\"\ud83d\ude00\u0001\"", "Invalid control character at: line 1 column 3 (char 2)"],
  ["\r\n[\r\n1,\r\n]", "Expecting value: line 4 column 1 (char 9)"],
];

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  throw new Error(`parsed without error: ${JSON.stringify(text)}`);
}

describe('parseJson errors', () => {
  it.each(MALFORMED)('%j fails like Python', (text, message) => {
    expect(syntaxError(text).message).toBe(message);
  });

  it('exposes msg, pos, lineno and colno separately', () => {
    const error = syntaxError('{"a": 1,\n}');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('JsonSyntaxError');
    expect([error.msg, error.pos, error.lineno, error.colno]).toEqual([
      'Expecting property name enclosed in double quotes',
      9,
      2,
      1,
    ]);
  });

  it('counts positions in code points, so astral characters count once', () => {
    // "😀" is two UTF-16 units but one Python character.
    const error = syntaxError('["😀😀",\n "😀", x]');
    expect([error.pos, error.lineno, error.colno]).toEqual([13, 2, 7]);
    expect(error.message).toBe('Expecting value: line 2 column 7 (char 13)');
  });

  it('reports a git conflict inside a manifest where Python does', () => {
    const text = [
      '{',
      '  "current_phase": "setup",',
      '  "phases": [',
      '    {',
      '      "done": false,',
      '<<<<<<< HEAD',
      '      "precondition": "a"',
      '=======',
      '      "precondition": "b"',
      '>>>>>>> feature',
      '    }',
      '  ]',
      '}',
      '',
    ].join('\n');
    expect(syntaxError(text).message).toBe(
      'Expecting property name enclosed in double quotes: line 6 column 1 (char 71)',
    );
  });

  it('turns 100,000 open brackets into the recursion error, not a stack overflow', () => {
    const error = syntaxError('['.repeat(100_000));
    expect(error).toBeInstanceOf(JsonNestingError);
    expect(error.message).toBe('maximum recursion depth exceeded while decoding a JSON array from a unicode string');
    expect([error.pos, error.lineno, error.colno]).toEqual([1000, 1, 1001]);
  });

  it('names objects in the recursion error', () => {
    const error = syntaxError('{"a": '.repeat(100_000));
    expect(error).toBeInstanceOf(JsonNestingError);
    expect(error.message).toBe('maximum recursion depth exceeded while decoding a JSON object from a unicode string');
    expect(error.pos).toBe(6000);
  });

  it('accepts exactly 1000 levels and refuses 1001', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    let value = parseJson(deep(1000));
    let depth = 0;
    while (Array.isArray(value) && value.length === 1) {
      value = value[0] as JsonValue;
      depth++;
    }
    expect(depth).toBe(999);
    expect(value).toEqual([]);
    expect(syntaxError(deep(1001))).toBeInstanceOf(JsonNestingError);
  });

  it('refuses integers longer than 4300 digits with Python\'s ValueError text', () => {
    const error = syntaxError(`[1, -${'7'.repeat(4301)}]`);
    expect(error).toBeInstanceOf(JsonIntegerLimitError);
    expect(error.message).toBe(
      'Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; ' +
        'use sys.set_int_max_str_digits() to increase the limit',
    );
    expect(error.pos).toBe(4);
    expect(parseJson('9'.repeat(4300))).toBe(BigInt('9'.repeat(4300)));
    // The limit is on integers only; a long float is fine.
    expect(parseJson(`0.${'1'.repeat(5000)}`)).toBeInstanceOf(PyFloat);
  });
});

describe('parseJson values', () => {
  it('parses every literal and keeps ints, floats and bools apart', () => {
    const value = parseJson(
      '[null, true, false, 0, -0, 1, -17, 1.0, 1e3, 1E-2, -2.5e+2, 9007199254740991, 9007199254740992, ' +
        '12345678901234567890, -12345678901234567890, NaN, Infinity, -Infinity, "s"]',
    ) as JsonValue[];
    expect(value.slice(0, 7)).toEqual([null, true, false, 0, 0, 1, -17]);
    expect(Object.is(value[4], 0)).toBe(true);
    const floats = value.slice(7, 11) as PyFloat[];
    expect(floats.every((f) => f instanceof PyFloat)).toBe(true);
    expect(floats.map((f) => [f.value, f.text])).toEqual([
      [1, '1.0'],
      [1000, '1e3'],
      [0.01, '1E-2'],
      [-250, '-2.5e+2'],
    ]);
    expect(value[11]).toBe(9007199254740991);
    expect(value[12]).toBe(9007199254740992n);
    expect(value[13]).toBe(12345678901234567890n);
    expect(value[14]).toBe(-12345678901234567890n);
    const special = value.slice(15, 18) as PyFloat[];
    expect(special.map((f) => f.text)).toEqual(['NaN', 'Infinity', '-Infinity']);
    expect(Number.isNaN(special[0]?.value)).toBe(true);
    expect(special[1]?.value).toBe(Infinity);
    expect(special[2]?.value).toBe(-Infinity);
    expect(value[18]).toBe('s');
  });

  it('parses each scalar at top level with surrounding whitespace', () => {
    expect(parseJson(' \t\r\n1\n')).toBe(1);
    expect(parseJson('"x"')).toBe('x');
    expect(parseJson('true')).toBe(true);
    expect(parseJson('null')).toBe(null);
    expect(parseJson('1.0')).toEqual(new PyFloat(1, '1.0'));
    expect(parseJson('1e400')).toEqual(new PyFloat(Infinity, '1e400'));
  });

  it('builds null-prototype objects where the last duplicate wins but keeps its first place', () => {
    const value = parseJson('{"b": 1, "a": 2, "b": 3}') as JsonObject;
    expect(Object.getPrototypeOf(value)).toBe(null);
    expect(Object.keys(value)).toEqual(['b', 'a']);
    expect(value.b).toBe(3);
    expect(value.a).toBe(2);
  });

  it('treats __proto__ and constructor as ordinary keys', () => {
    const value = parseJson('{"__proto__": {"polluted": true}, "constructor": 1}') as JsonObject;
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect(value.__proto__).toEqual(Object.assign(Object.create(null), { polluted: true }));
    expect(Object.getPrototypeOf(value)).toBe(null);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('decodes every escape, joins surrogate pairs and keeps lone surrogates', () => {
    expect(parseJson('"\\" \\\\ \\/ \\b \\f \\n \\r \\t"')).toBe('" \\ / \b \f \n \r \t');
    expect(parseJson('"\\u0041\\u00e9\\u00E9"')).toBe('Aéé');
    expect(parseJson('"\\ud83d\\ude00"')).toBe('😀');
    expect(parseJson('"\\ud83d"')).toBe('\ud83d');
    expect(parseJson('"\\ude00\\ud83d"')).toBe('\ude00\ud83d');
    expect(parseJson('"\\ud83d\\u0041"')).toBe('\ud83dA');
    expect(parseJson('"\\ud83d\\ud83d\\ude00"')).toBe('\ud83d😀');
    expect(parseJson('"raw 😀 é \u2028 \u007f"')).toBe('raw 😀 é \u2028 \u007f');
  });

  it('parses empty containers and nesting', () => {
    expect(parseJson('[[], {}, [{}], {"a": []}]')).toEqual([[], jsonObjectOf({}), [jsonObjectOf({})], jsonObjectOf({ a: [] })]);
  });

  it('parses a 20 MB document quickly', () => {
    const item = '{"id": 123456, "name": "item \\u00e9 \\ud83d\\ude00 caf\u00e9", "tags": ["a", "b\\n"], "x": 1.5}';
    const count = Math.ceil(20_000_000 / (item.length + 2));
    const text = '[' + Array(count).fill(item).join(', ') + ']';
    expect(text.length).toBeGreaterThan(20_000_000);
    const started = Date.now();
    const value = parseJson(text) as JsonObject[];
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(value.length).toBe(count);
    expect(value[count - 1]?.name).toBe('item é 😀 café');
    expect(value[0]?.tags).toEqual(['a', 'b\n']);
  });

  it('parses a string with millions of escapes in linear time', () => {
    const text = '"' + 'ab\\n'.repeat(3_000_000) + '"';
    const started = Date.now();
    const value = parseJson(text) as string;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(value.length).toBe(9_000_000);
    expect(value.slice(0, 6)).toBe('ab\nab\n');
  });
});

function jsonObjectOf(entries: Record<string, JsonValue>): JsonObject {
  return Object.assign(Object.create(null) as JsonObject, entries);
}
