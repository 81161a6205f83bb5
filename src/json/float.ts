/**
 * Python's `repr(float)` for a finite or non-finite number: the shortest
 * digits that round-trip, in positional notation when the decimal exponent is
 * in [-4, 16) (with ".0" added to whole numbers), otherwise as
 * `<digits>e<sign><at least two exponent digits>` ("1e-05", "1.5e+16").
 * Non-finite values give Python's `inf`, `-inf` and `nan`.
 */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const { digits, exponent } = shortestDigits(Math.abs(value));
  if (exponent < -4 || exponent >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const exponentSign = exponent < 0 ? '-' : '+';
    return `${sign}${mantissa}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const pointAt = exponent + 1; // digits before the decimal point
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}.0`;
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

/**
 * The float as JSON text the way Python's `json` module writes it: `repr`,
 * except that non-finite values are `NaN`, `Infinity` and `-Infinity`.
 */
export function jsonFloatText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return pyFloatRepr(value);
}

/**
 * The shortest round-tripping significant digits of a positive finite number
 * (no leading or trailing zeros) and the decimal exponent of the first digit.
 * JavaScript's Number-to-String picks the same digits as Python's repr
 * (shortest, then closest to the exact value); only the layout differs.
 */
function shortestDigits(value: number): { digits: string; exponent: number } {
  const text = String(value);
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  let exponent = e < 0 ? 0 : Number(text.slice(e + 1));
  const point = mantissa.indexOf('.');
  const whole = point < 0 ? mantissa : mantissa.slice(0, point);
  const fraction = point < 0 ? '' : mantissa.slice(point + 1);
  let digits = whole + fraction;
  exponent += whole.length - 1;
  const leadingZeros = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(leadingZeros).replace(/0+$/, '');
  exponent -= leadingZeros;
  return { digits, exponent };
}
