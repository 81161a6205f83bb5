import { describe, expect, test } from 'vitest';
import { CairnError } from '../../src/util/index.js';
import { BASELINE_VALIDATION_PHRASES, parseReadyAnswer, type ReadyAnswer } from '../../src/execution/index.js';

function failure(text: string): CairnError {
  try {
    parseReadyAnswer(text);
  } catch (error) {
    if (error instanceof CairnError) return error;
    throw error;
  }
  throw new Error('expected parseReadyAnswer to throw');
}

const answer = (verdict: ReadyAnswer['verdict'], reason: string, downgradedFromUnverifiable = false): ReadyAnswer => ({
  verdict,
  reason,
  downgradedFromUnverifiable,
});

describe('parseReadyAnswer', () => {
  test('a bare yes uses the verdict as its reason', () => {
    expect(parseReadyAnswer('I looked around.\nready: yes\n')).toEqual(answer('yes', 'yes'));
  });

  test('em dash and hyphen separators are both removed', () => {
    expect(parseReadyAnswer('ready: no — the adapter is missing')).toEqual(answer('no', 'the adapter is missing'));
    expect(parseReadyAnswer('ready: no - the adapter is missing')).toEqual(answer('no', 'the adapter is missing'));
    expect(parseReadyAnswer('ready: no -- the adapter is missing')).toEqual(answer('no', 'the adapter is missing'));
    expect(parseReadyAnswer('ready: no —- — x')).toEqual(answer('no', 'x'));
  });

  test('other separators stay in the reason', () => {
    expect(parseReadyAnswer('ready: no: the adapter is missing')).toEqual(answer('no', ': the adapter is missing'));
    expect(parseReadyAnswer('ready: no – en dash')).toEqual(answer('no', '– en dash'));
    expect(parseReadyAnswer('ready: no\t— after a tab')).toEqual(answer('no', '— after a tab'));
  });

  test('the verdict and the prefix are case-insensitive; the verdict comes back lowercase', () => {
    expect(parseReadyAnswer('READY: YES')).toEqual(answer('yes', 'yes'));
    expect(parseReadyAnswer('Ready:No — Not Yet')).toEqual(answer('no', 'Not Yet'));
    expect(parseReadyAnswer('ready:unverifiable')).toEqual(answer('unverifiable', 'unverifiable'));
  });

  test('the last answer line wins, even when text follows it', () => {
    const text = 'ready: yes\nOn second thought:\nready: no — phase 1 is not merged\nThanks!\n';
    expect(parseReadyAnswer(text)).toEqual(answer('no', 'phase 1 is not merged'));
  });

  test('CRLF line ends, indentation and trailing blank lines', () => {
    expect(parseReadyAnswer('Checked.\r\n   ready: yes — all there   \r\n\r\n  \r\n')).toEqual(answer('yes', 'all there'));
  });

  test("Python's line breaks and whitespace: no-break space after the colon, U+2028 between lines", () => {
    expect(parseReadyAnswer('ready:\u00a0no — x\u2028trailing words\u00a0')).toEqual(answer('no', 'x'));
    expect(parseReadyAnswer('\u00a0ready: yes\u00a0\f\v')).toEqual(answer('yes', 'yes'));
  });

  test('a bare unverifiable keeps its verdict as reason and is not downgraded', () => {
    expect(parseReadyAnswer('ready: unverifiable')).toEqual(answer('unverifiable', 'unverifiable'));
  });

  test('a word that only starts with a verdict is no answer', () => {
    expect(failure('ready: yesterday').message).toBe("Phase ready-check produced unrecognised output: 'ready: yesterday'");
    expect(failure('ready: no_way').message).toBe("Phase ready-check produced unrecognised output: 'ready: no_way'");
    expect(parseReadyAnswer('ready: yes.')).toEqual(answer('yes', '.'));
  });

  test('markdown around the line is not tolerated before the prefix', () => {
    expect(failure('**ready: yes**').message).toBe("Phase ready-check produced unrecognised output: '**ready: yes**'");
    expect(failure('- ready: no — x').message).toBe("Phase ready-check produced unrecognised output: '- ready: no — x'");
    expect(failure('`ready: yes`').message).toBe("Phase ready-check produced unrecognised output: '`ready: yes`'");
    expect(parseReadyAnswer('ready: yes**')).toEqual(answer('yes', '**'));
  });

  test('no non-blank line is a failed error', () => {
    for (const text of ['', '\n', '  \r\n\t\n']) {
      const error = failure(text);
      expect(error.code).toBe('failed');
      expect(error.message).toBe('Phase ready-check produced no output');
    }
  });

  test('no answer line quotes the last non-blank line', () => {
    const error = failure("I think it's ready.\nLet me know!\n\n");
    expect(error.code).toBe('failed');
    expect(error.message).toBe("Phase ready-check produced unrecognised output: 'Let me know!'");
    expect(failure("it's fine").message).toBe(`Phase ready-check produced unrecognised output: "it's fine"`);
  });

  test('a long unrecognised line is cut to 200 characters', () => {
    const error = failure('x'.repeat(500));
    expect(error.message).toBe(`Phase ready-check produced unrecognised output: '${'x'.repeat(199)}...`);
  });

  test('an unverifiable answer about baseline validation becomes no', () => {
    expect(parseReadyAnswer('ready: unverifiable — I cannot confirm the Baseline Green state')).toEqual(
      answer('no', 'I cannot confirm the Baseline Green state', true),
    );
    for (const phrase of BASELINE_VALIDATION_PHRASES) {
      expect(parseReadyAnswer(`ready: unverifiable — need ${phrase.toUpperCase()} first`)).toEqual(
        answer('no', `need ${phrase.toUpperCase()} first`, true),
      );
    }
  });

  test('the baseline phrases are the ones continuous-refactoring uses', () => {
    expect(BASELINE_VALIDATION_PHRASES).toEqual([
      'baseline green',
      'baseline validation',
      'current tests pass',
      'fresh test evidence',
      'fresh validation evidence',
      'full test suite passes',
      'tests pass now',
    ]);
  });

  test('other unverifiable answers stay unverifiable', () => {
    expect(parseReadyAnswer('ready: unverifiable — needs a product decision on the API')).toEqual(
      answer('unverifiable', 'needs a product decision on the API'),
    );
    expect(parseReadyAnswer('ready: unverifiable — the tests pass today')).toEqual(answer('unverifiable', 'the tests pass today'));
  });

  test('baseline phrases do not change a no or a yes', () => {
    expect(parseReadyAnswer('ready: no — baseline green is unknown')).toEqual(answer('no', 'baseline green is unknown'));
    expect(parseReadyAnswer('ready: yes — tests pass now')).toEqual(answer('yes', 'tests pass now'));
  });
});
