import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tsvField, visibleText } from '../../src/util/index.js';

describe('tsvField', () => {
  it('escapes backslashes, tabs, newlines and every unsafe character, and leaves plain text as it is', () => {
    expect(tsvField('planning:blocked')).toBe('planning:blocked');
    expect(tsvField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(tsvField('x\u001by\u007f\u202ez')).toBe('x\\x1by\\u007f\\u202ez');
    expect(tsvField('café ✓')).toBe('café ✓');
    expect(tsvField('')).toBe('');
  });

  it('equals visibleText of the text with backslashes doubled, for any text', () => {
    const char = fc.oneof(
      fc.constantFrom('\\', '\t', '\n', '\r', '\u0000', '\u001f', ' ', '~', '\u007f', '\u0085', '\u00a0', '\u061c', '\u200e', '\u2028', '\u202e', '\u2066', '\ud800', '\udc00'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.array(char, { maxLength: 12 }).map((chars) => chars.join('')), (text) => {
        expect(tsvField(text)).toBe(visibleText(text.replace(/\\/g, '\\\\')));
      }),
      { numRuns: 500 },
    );
  });
});
