import { describe, expect, test } from 'vitest';
import { STATUS_BLOCK_BEGIN, STATUS_BLOCK_END, STATUS_BLOCK_KEYS, parseStatusBlock, type StatusBlock } from '../../src/execution/index.js';

const EMPTY: StatusBlock = {
  phase_reached: null,
  decision: null,
  retry_recommendation: null,
  failure_kind: null,
  summary: null,
  commit_rationale: null,
  next_retry_focus: null,
  tests_run: null,
  evidence: [],
};

const block = (body: string): string => `${STATUS_BLOCK_BEGIN}\n${body}\n${STATUS_BLOCK_END}`;

const FULL = block(`phase_reached: validating
decision: commit
retry_recommendation: none
failure_kind: none
summary: Moved the readers onto ConfigLoader.
commit_rationale: One place reads settings now.
next_retry_focus: none
tests_run: npm test
evidence:
  - src/config/loader.ts
  - test/config/loader.test.ts`);

describe('parseStatusBlock', () => {
  test('markers and keys', () => {
    expect(STATUS_BLOCK_BEGIN).toBe('BEGIN_CONTINUOUS_REFACTORING_STATUS');
    expect(STATUS_BLOCK_END).toBe('END_CONTINUOUS_REFACTORING_STATUS');
    expect(STATUS_BLOCK_KEYS).toEqual([
      'phase_reached',
      'decision',
      'retry_recommendation',
      'failure_kind',
      'summary',
      'commit_rationale',
      'next_retry_focus',
      'tests_run',
      'evidence',
    ]);
  });

  test('reads every key of a full block', () => {
    expect(parseStatusBlock(`Done.\n\n${FULL}\n`)).toEqual({
      phase_reached: 'validating',
      decision: 'commit',
      retry_recommendation: 'none',
      failure_kind: 'none',
      summary: 'Moved the readers onto ConfigLoader.',
      commit_rationale: 'One place reads settings now.',
      next_retry_focus: 'none',
      tests_run: 'npm test',
      evidence: ['src/config/loader.ts', 'test/config/loader.test.ts'],
    });
  });

  test('no block, no END, or an empty block is null', () => {
    expect(parseStatusBlock('')).toBeNull();
    expect(parseStatusBlock('all done, decision: commit')).toBeNull();
    expect(parseStatusBlock(`${STATUS_BLOCK_BEGIN}\nsummary: cut off`)).toBeNull();
    expect(parseStatusBlock(`${STATUS_BLOCK_BEGIN}\n  \n\t\n${STATUS_BLOCK_END}`)).toBeNull();
    expect(parseStatusBlock(`${STATUS_BLOCK_END}\nsummary: x\n${STATUS_BLOCK_BEGIN}`)).toBeNull();
  });

  test('a block whose lines all lack a colon has every key null', () => {
    expect(parseStatusBlock(block('just prose'))).toEqual(EMPTY);
  });

  test('the last block wins', () => {
    const text = `${block('summary: first\ndecision: retry')}\nthen\n${block('summary: second')}`;
    expect(parseStatusBlock(text)).toEqual({ ...EMPTY, summary: 'second' });
  });

  test('a last BEGIN without END hides an earlier complete block', () => {
    const text = `${block('summary: complete')}\nquoting the marker: ${STATUS_BLOCK_BEGIN}\n`;
    expect(parseStatusBlock(text)).toBeNull();
  });

  test('markers need not stand on their own lines', () => {
    expect(parseStatusBlock(`x ${STATUS_BLOCK_BEGIN} summary: inline ${STATUS_BLOCK_END} y`)).toEqual({ ...EMPTY, summary: 'inline' });
  });

  test('CRLF line ends and surrounding whitespace are removed', () => {
    const text = `${STATUS_BLOCK_BEGIN}\r\n  summary :   spaced out  \r\n\r\nevidence:\r\n   -   a.ts  \r\n${STATUS_BLOCK_END}\r\n`;
    expect(parseStatusBlock(text)).toEqual({ ...EMPTY, summary: 'spaced out', evidence: ['a.ts'] });
  });

  test('a value splits at the first colon only', () => {
    expect(parseStatusBlock(block('summary: ratio: 2:1\ntests_run: npx vitest run test/a.test.ts'))).toEqual({
      ...EMPTY,
      summary: 'ratio: 2:1',
      tests_run: 'npx vitest run test/a.test.ts',
    });
  });

  test('keys are case-sensitive; unknown keys are ignored', () => {
    expect(parseStatusBlock(block('Summary: capital\nSUMMARY: loud\nchosen_scope: x\nsummary: lower'))).toEqual({
      ...EMPTY,
      summary: 'lower',
    });
  });

  test('a repeated key keeps its last value, even an empty one', () => {
    expect(parseStatusBlock(block('summary: one\nsummary: two'))).toEqual({ ...EMPTY, summary: 'two' });
    expect(parseStatusBlock(block('summary: one\nsummary:'))).toEqual(EMPTY);
  });

  test('decision and retry_recommendation are lowercased and must be known values', () => {
    expect(parseStatusBlock(block('decision: COMMIT\nretry_recommendation: Human-Review'))).toEqual({
      ...EMPTY,
      decision: 'commit',
      retry_recommendation: 'human-review',
    });
    expect(parseStatusBlock(block('decision: done\nretry_recommendation: later'))).toEqual(EMPTY);
    for (const decision of ['commit', 'retry', 'abandon', 'blocked'] as const) {
      expect(parseStatusBlock(block(`decision: ${decision}`))?.decision).toBe(decision);
    }
    for (const recommendation of ['same-target', 'new-target', 'none', 'human-review'] as const) {
      expect(parseStatusBlock(block(`retry_recommendation: ${recommendation}`))?.retry_recommendation).toBe(recommendation);
    }
  });

  test('other values keep their case', () => {
    expect(parseStatusBlock(block('failure_kind: Validation-Failed\nphase_reached: EDITING'))).toEqual({
      ...EMPTY,
      failure_kind: 'Validation-Failed',
      phase_reached: 'EDITING',
    });
  });

  test('evidence: an inline value, items, and repeated evidence keys add up', () => {
    const text = block('evidence: first.ts\n- second.ts\nsummary: s\nevidence:\n- third.ts\n-fourth.ts\n- fifth: with colon.ts');
    expect(parseStatusBlock(text)).toEqual({
      ...EMPTY,
      summary: 's',
      evidence: ['first.ts', 'second.ts', 'third.ts', 'fifth: with colon.ts'],
    });
  });

  test('items count only right after evidence; another key ends the list', () => {
    const text = block('- stray.ts\nsummary: s\n- not evidence.ts\nevidence:\n- a.ts\nnote without colon\n- b.ts\ntests_run: t\n- c.ts');
    expect(parseStatusBlock(text)).toEqual({ ...EMPTY, summary: 's', tests_run: 't', evidence: ['a.ts', 'b.ts'] });
  });

  test('an unknown key also ends the evidence list', () => {
    expect(parseStatusBlock(block('evidence:\n- a.ts\nnotes: x\n- b.ts'))).toEqual({ ...EMPTY, evidence: ['a.ts'] });
  });
});
