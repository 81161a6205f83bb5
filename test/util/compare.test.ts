import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints, sortByCodePoints } from '../../src/util/index.js';

describe('sortByCodePoints', () => {
  it('sorts by code point, astral characters after U+E000..U+FFFF', () => {
    expect(sortByCodePoints(['b', 'a-2', 'a', 'a-10'])).toEqual(['a', 'a-10', 'a-2', 'b']);
    expect(sortByCodePoints(['\u{1f600}', '\uffff', 'z'])).toEqual(['z', '\uffff', '\u{1f600}']);
  });

  it('gives the order of compareCodePoints for any strings', () => {
    const unit = fc.constantFrom('a', 'b', '-', '0', '\u00e9', '\u0100', '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff', '\ue000', '\uffff', '\u{10000}', '\u{1f600}');
    const text = fc.array(unit, { maxLength: 5 }).map((units) => units.join(''));
    fc.assert(
      fc.property(fc.array(fc.oneof(text, fc.string({ maxLength: 6 })), { maxLength: 20 }), (strings) => {
        expect(sortByCodePoints([...strings])).toEqual([...strings].sort(compareCodePoints));
      }),
      { numRuns: 500 },
    );
  });
});
