import { describe, expect, it } from 'vitest';
import { JsonNestingError, PyFloat, parseJson, type JsonObject } from '../../src/json/index.js';
import { MAX_JSON_DEPTH } from '../../src/json/parse.js';

// Documents without float tokens are parsed by the engine's JSON.parse, the
// rest by the Python-exact scanner; these pin that both give the same values.
describe('parseJson picks a parser without changing the value', () => {
  it('keeps a float token a PyFloat even when other strings look like numbers', () => {
    const value = parseJson('{"at": "2026-03-02T11:12:42.5+00:00", "ratio": 1.0, "n": 3}') as JsonObject;
    expect(value['ratio']).toBeInstanceOf(PyFloat);
    expect((value['ratio'] as PyFloat).text).toBe('1.0');
    expect(value['n']).toBe(3);
    expect(value['at']).toBe('2026-03-02T11:12:42.5+00:00');
  });

  it('treats exponents as float tokens', () => {
    expect(parseJson('[1e3]')).toEqual([new PyFloat(1000, '1e3')]);
    expect(parseJson('[2E-1]')).toEqual([new PyFloat(0.2, '2E-1')]);
  });

  it('does not mistake the letters of true and false, or digits inside strings, for float tokens', () => {
    const value = parseJson('{"a": true, "b": false, "s": "v1.2e5 \\"3.5\\" \\\\", "n": 7}') as JsonObject;
    expect(value).toEqual(Object.assign(Object.create(null), { a: true, b: false, s: 'v1.2e5 "3.5" \\', n: 7 }));
  });

  it('returns null-prototype objects, with __proto__ an ordinary key', () => {
    const value = parseJson('{"__proto__": {"x": 1}, "toString": 2}') as JsonObject;
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(Object.getPrototypeOf(value['__proto__'])).toBeNull();
    expect(Object.keys(value)).toEqual(['__proto__', 'toString']);
    expect('hasOwnProperty' in value).toBe(false);
  });

  it('keeps the first position and the last value of a repeated key', () => {
    const value = parseJson('{"b": 1, "a": 2, "b": 3}') as JsonObject;
    expect(Object.keys(value)).toEqual(['b', 'a']);
    expect(value['b']).toBe(3);
  });

  it('turns -0 into 0 and integers past 2^53 into bigints', () => {
    const [zero, big, safe] = parseJson('[-0, 9007199254740993, 9007199254740991]') as [number, bigint, number];
    expect(Object.is(zero, 0)).toBe(true);
    expect(big).toBe(9007199254740993n);
    expect(safe).toBe(9007199254740991);
  });

  it('still refuses nesting past the limit and accepts it up to the limit', () => {
    expect(() => parseJson('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1))).toThrow(JsonNestingError);
    const deep = parseJson('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH));
    expect(Array.isArray(deep)).toBe(true);
  });

  it('leaves NaN and Infinity, which the engine refuses, to the scanner', () => {
    const [nan, inf] = parseJson('[NaN, -Infinity]') as [PyFloat, PyFloat];
    expect(nan).toBeInstanceOf(PyFloat);
    expect(Number.isNaN(nan.value)).toBe(true);
    expect(inf.value).toBe(-Infinity);
  });
});
