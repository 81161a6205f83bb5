/**
 * Compare two strings by Unicode code point, as Python compares `str`
 * values (JavaScript's `<` compares UTF-16 units, which puts astral
 * characters before U+E000..U+FFFF). A surrogate that is not part of a pair
 * counts as its own code point, as it does in Python.
 */
export function compareCodePoints(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  let i = 0;
  while (i < shorter && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === shorter) return a.length - b.length;
  // Step back onto the high surrogate when the difference is in a low one.
  if (i > 0 && isHighSurrogate(a.charCodeAt(i - 1)) && (isLowSurrogate(a.charCodeAt(i)) || isLowSurrogate(b.charCodeAt(i)))) {
    i--;
  }
  return (a.codePointAt(i) as number) - (b.codePointAt(i) as number);
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

const SURROGATE = /[\ud800-\udfff]/;

/**
 * Sorts `strings` in place by code point ({@link compareCodePoints}) and
 * returns it. When no string holds a surrogate, each UTF-16 unit is a code
 * point and code point order is the unit order of the comparator-free sort,
 * which is many times faster.
 */
export function sortByCodePoints(strings: string[]): string[] {
  return strings.some((s) => SURROGATE.test(s)) ? strings.sort(compareCodePoints) : strings.sort();
}
