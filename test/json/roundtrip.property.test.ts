import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PyFloat, encodeJson, jsonFloatText, jsonObject, parseJson, type JsonValue } from '../../src/json/index.js';

const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.constantFrom('"', '\\', '/', '\n', '\t', '\u0000', '\u007f', 'é', '\u2028', '😀', '\ufeff', 'a') }),
);

const key = fc.oneof(text, fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'));

const pyFloat = fc.double().map((value) => new PyFloat(value, jsonFloatText(value)));

const bigInteger = fc.oneof(
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }),
  fc.bigInt({ min: -(2n ** 80n), max: -(2n ** 53n) }),
);

const { value: jsonValue } = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    bigInteger,
    pyFloat,
    text,
    fc.array(tie('value'), { maxLength: 6 }),
    fc
      .array(fc.tuple(key, tie('value')), { maxLength: 6 })
      .map((entries) => {
        const record = jsonObject();
        for (const [k, v] of entries) record[k] = v;
        return record;
      }),
  ),
}));

describe('encodeJson / parseJson round trip', () => {
  it('parse(encode(v)) equals v and re-encoding is stable', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const encoded = encodeJson(value);
        const parsed = parseJson(encoded);
        expect(parsed).toEqual(value);
        expect(encodeJson(parsed)).toBe(encoded);
      }),
      { numRuns: 500 },
    );
  });

  it('writes only printable ASCII lines with even indent and no trailing spaces', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const encoded = encodeJson(value);
        expect(encoded.endsWith('\n')).toBe(true);
        expect(/^[\x20-\x7e\n]*$/.test(encoded)).toBe(true);
        for (const line of encoded.slice(0, -1).split('\n')) {
          expect(line).toMatch(/^(  )*[^ ]/);
          expect(line).not.toMatch(/ $/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
