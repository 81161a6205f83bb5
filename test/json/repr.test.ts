import { describe, expect, it } from 'vitest';
import { PyFloat, parseJson, pyFloatRepr, pyRepr, pyStrRepr } from '../../src/json/index.js';

// Expected strings are Python 3.11's repr() of json.loads() of the same text.
describe('pyRepr', () => {
  it('renders a decoded document like Python', () => {
    const value = parseJson(
      '{"k": [1, "a", 1.0, null, true, false, {"x": "it\'s"}, "say \\"hi\\"", "both \' \\"", ' +
        '"\\\\ \\n\\r\\t\\u0000\\u007f\\u00a0\\u00e9\\u2028\\ud83d\\ude00\\ud800\\udb40\\udc01", ' +
        '1e400, -1e400, NaN, 12345678901234567890, -0.0, 1e-7]}',
    );
    expect(pyRepr(value)).toBe(
      `{'k': [1, 'a', 1.0, None, True, False, {'x': "it's"}, 'say "hi"', 'both \\' "', ` +
        `'\\\\ \\n\\r\\t\\x00\\x7f\\xa0é\\u2028😀\\ud800\\U000e0001', inf, -inf, nan, 12345678901234567890, -0.0, 1e-07]}`,
    );
  });

  it('renders scalars', () => {
    expect(pyRepr('setup')).toBe("'setup'");
    expect(pyRepr(null)).toBe('None');
    expect(pyRepr(true)).toBe('True');
    expect(pyRepr(-0)).toBe('0');
    expect(pyRepr(2.5)).toBe('2.5');
    expect(pyRepr(new PyFloat(3, '3.0'))).toBe('3.0');
    expect(pyRepr(-12n)).toBe('-12');
    expect(pyRepr([])).toBe('[]');
    expect(pyRepr(parseJson('{}'))).toBe('{}');
  });

  it('keeps dict insertion order', () => {
    expect(pyRepr(parseJson('{"b": 1, "a": [2], "b": 3}'))).toBe("{'b': 3, 'a': [2]}");
  });
});

describe('pyStrRepr', () => {
  it('picks quotes as Python does', () => {
    expect(pyStrRepr('')).toBe("''");
    expect(pyStrRepr("it's")).toBe('"it\'s"');
    expect(pyStrRepr('"q"')).toBe(`'"q"'`);
    expect(pyStrRepr(`'"`)).toBe(`'\\'"'`);
  });

  it('escapes non-printable characters by size', () => {
    expect(pyStrRepr('\u0085\u00ad\u200b\ufeff\u{e0001}\u{10ffff}')).toBe("'\\x85\\xad\\u200b\\ufeff\\U000e0001\\U0010ffff'");
    expect(pyStrRepr('\u3000 \u00a0')).toBe("'\\u3000 \\xa0'");
    expect(pyStrRepr('日本語 ñ Ω 😀')).toBe("'日本語 ñ Ω 😀'");
  });
});

describe('pyFloatRepr', () => {
  it('matches repr(float) at the notation boundaries', () => {
    const cases: Array<[number, string]> = [
      [1, '1.0'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1e15, '1000000000000000.0'],
      [9999999999999998, '9999999999999998.0'],
      [1e16, '1e+16'],
      [1.5e300, '1.5e+300'],
      [123456789012345678, '1.2345678901234568e+17'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [0.1 + 0.2, '0.30000000000000004'],
      [-0, '-0.0'],
      [-2.5e-7, '-2.5e-07'],
      [NaN, 'nan'],
      [-Infinity, '-inf'],
    ];
    for (const [value, repr] of cases) expect(pyFloatRepr(value)).toBe(repr);
  });
});
