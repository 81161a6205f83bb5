import { describe, expect, it } from 'vitest';
import { PyFloat, encodeJson, jsonObject, parseJson, type JsonValue } from '../../src/json/index.js';
import { compareCodePoints } from '../../src/util/index.js';

function record(entries: Record<string, JsonValue>) {
  return Object.assign(jsonObject(), entries);
}

// Every expected string below is Python 3.11's
// json.dumps(value, indent=2, sort_keys=True) + "\n" for the same value.
describe('encodeJson', () => {
  it('writes nested containers with two-space indent and no trailing spaces', () => {
    const value = record({ b: [1, new PyFloat(2.5, '2.5'), record({ c: null })], a: record({}), c: [], d: true, e: 'x/y' });
    expect(encodeJson(value)).toBe(
      '{\n  "a": {},\n  "b": [\n    1,\n    2.5,\n    {\n      "c": null\n    }\n  ],\n  "c": [],\n  "d": true,\n  "e": "x/y"\n}\n',
    );
  });

  it('writes scalars and empty containers on one line', () => {
    expect(encodeJson([])).toBe('[]\n');
    expect(encodeJson(record({}))).toBe('{}\n');
    expect(encodeJson(null)).toBe('null\n');
    expect(encodeJson(false)).toBe('false\n');
    expect(encodeJson('café')).toBe('"caf\\u00e9"\n');
    expect(encodeJson([[[]]])).toBe('[\n  [\n    []\n  ]\n]\n');
    expect(encodeJson(record({ a: record({ b: record({}) }) }))).toBe('{\n  "a": {\n    "b": {}\n  }\n}\n');
  });

  it('sorts keys by code point, putting astral characters after U+FFFF', () => {
    const value = record({ '😀': 1, '\uffff': 2, '\ue000': 3, z: 4, '': 5, é: 6, Z: 7 });
    expect(encodeJson(value)).toBe(
      '{\n  "": 5,\n  "Z": 7,\n  "z": 4,\n  "\\u00e9": 6,\n  "\\ue000": 3,\n  "\\uffff": 2,\n  "\\ud83d\\ude00": 1\n}\n',
    );
  });

  it('escapes quotes, backslashes, controls and all non-ASCII, but not "/"', () => {
    expect(encodeJson('"\\/\b\f\n\r\t\u0000\u001f\u007fé\u2028😀\ud800')).toBe(
      '"\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\\u007f\\u00e9\\u2028\\ud83d\\ude00\\ud800"\n',
    );
  });

  it('writes integers in decimal and floats as Python repr', () => {
    const floats = [1, 1e-5, 1e16, 0.1, 1e15, -0, Infinity, -Infinity, NaN].map((v) => new PyFloat(v, String(v)));
    const value: JsonValue[] = [...floats, 12345678901234567890n, -0, 0.30000000000000004, 5e-324, new PyFloat(1e22, '1e22'), new PyFloat(123456789, '123456789.0')];
    expect(encodeJson(value)).toBe(
      '[\n  1.0,\n  1e-05,\n  1e+16,\n  0.1,\n  1000000000000000.0,\n  -0.0,\n  Infinity,\n  -Infinity,\n  NaN,\n' +
        '  12345678901234567890,\n  0,\n  0.30000000000000004,\n  5e-324,\n  1e+22,\n  123456789.0\n]\n',
    );
  });

  it('writes a PyFloat from its value, not its source text', () => {
    expect(encodeJson(parseJson('[1E5, 1.50, -0.0e+1, 1e400]'))).toBe('[\n  100000.0,\n  1.5,\n  -0.0,\n  Infinity\n]\n');
  });

  it('writes a whole-number JS number beyond 2^53 as an integer', () => {
    expect(encodeJson(2 ** 64)).toBe('18446744073709551616\n');
  });

  it('throws on undefined instead of dropping the key', () => {
    const value = record({ a: 1 });
    (value as Record<string, unknown>).b = undefined;
    expect(() => encodeJson(value)).toThrow('key "b" is undefined; JSON has no undefined');
    expect(() => encodeJson([1, undefined as unknown as JsonValue])).toThrow('array index 1 is undefined; JSON has no undefined');
  });

  it('throws on circular references like Python', () => {
    const list: JsonValue[] = [];
    list.push(list);
    expect(() => encodeJson(list)).toThrow('Circular reference detected');
    // The same object twice is not a cycle.
    const shared = record({ x: 1 });
    expect(encodeJson([shared, shared])).toBe('[\n  {\n    "x": 1\n  },\n  {\n    "x": 1\n  }\n]\n');
  });
});

describe('compareCodePoints', () => {
  it('orders astral characters after the BMP and lone surrogates by their own value', () => {
    const keys = ['😀', '\uffff', '\ue000', 'a', '\ud83d', '\ud83d😀', '\ud800', ''];
    expect([...keys].sort(compareCodePoints)).toEqual(['', 'a', '\ud800', '\ud83d', '\ud83d😀', '\ue000', '\uffff', '😀']);
    expect(compareCodePoints('a😀', 'a😁')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'ab')).toBe(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
  });
});
