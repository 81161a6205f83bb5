import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CR_V1 } from '../support/fixture.js';
import { CairnError } from '../../src/util/errors.js';
import { parseFinalDecision, reviewOutcome } from '../../src/planning/acceptance.js';
import { splitLines, stripText } from '../../src/util/text.js';

describe('splitLines / stripText (Python str.splitlines / str.strip)', () => {
  test.each([
    ['', []],
    ['a', ['a']],
    ['a\n', ['a']],
    ['a\n\n', ['a', '']],
    ['a\r\nb\rc\nd', ['a', 'b', 'c', 'd']],
    ['a\u2028b\x85c\x1cd\ve\ff', ['a', 'b', 'c', 'd', 'e', 'f']],
  ])('splitLines(%j)', (text, lines) => {
    expect(splitLines(text)).toEqual(lines);
  });

  test('stripText trims Python whitespace but keeps U+FEFF', () => {
    expect(stripText('\x1f\x85\u3000 a b\t\n')).toBe('a b');
    expect(stripText('\ufeffa')).toBe('\ufeffa');
  });
});

describe('reviewOutcome', () => {
  test.each([
    ['', 'empty'],
    ['\n  \n\t\n', 'empty'],
    ['No findings.', 'clear'],
    ['no findings', 'clear'],
    ['  NO FINDINGS.  \n', 'clear'],
    ['Checked every phase.\n\nNo findings.\n', 'clear'],
    ['1. no findings.\n', 'clear'],
    ['- No findings\n', 'clear'],
    ['**No findings.**\n', 'clear'],
    ['`no findings.`\n', 'clear'],
    ['Summary\n\nNO FINDINGS in this plan\n', 'findings'],
    ['1. x\nOtherwise no findings.', 'findings'],
    ['Reviewed plan. no findings.\n', 'findings'],
    ['1. phase-1.md: there are no findings about naming, but the Definition of Done is not checkable.\n', 'findings'],
    ['1. Phase 2 restates the test baseline.\n2. Missing rollback.\n', 'findings'],
    ['No findings!', 'findings'],
    ['findings: none', 'findings'],
    ['no  findings', 'findings'],
  ] as const)('%j is %s', (stdout, outcome) => {
    expect(reviewOutcome(stdout)).toBe(outcome);
  });

  test('every review the original tool recorded in the cr-v1 fixtures gets the outcome it recorded', () => {
    const recorded: [string, string][] = [];
    const judged: [string, string][] = [];
    const live = path.join(CR_V1, 'migrations');
    for (const slug of readdirSync(live)) {
      const stateFile = path.join(live, slug, '.planning', 'state.json');
      if (!existsSync(stateFile)) continue;
      let state: { completed_steps?: { name: string; outcome: string; outputs: { stdout: string } }[] };
      try {
        state = JSON.parse(readFileSync(stateFile, 'utf8')) as typeof state;
      } catch {
        continue; // the fixture's deliberately broken states
      }
      for (const step of state.completed_steps ?? []) {
        if (step.name !== 'review' && step.name !== 'review-2') continue;
        const stage = path.join(CR_V1, step.outputs.stdout);
        if (!existsSync(stage)) continue;
        recorded.push([stage, step.outcome]);
        judged.push([stage, reviewOutcome(readFileSync(stage, 'utf8'))]);
      }
    }
    expect(recorded.filter(([, outcome]) => outcome === 'clear').length).toBeGreaterThan(30);
    expect(judged).toEqual(recorded);
  });
});

describe('parseFinalDecision', () => {
  test.each([
    ['final-decision: approve-auto — plan is incremental', 'approve-auto', 'plan is incremental'],
    ['Assessment\nfinal-decision: reject — target is already minimal; refactor would be churn\n', 'reject', 'target is already minimal; refactor would be churn'],
    ['FINAL-DECISION: Approve-Needs-Human - rollout needs sign-off', 'approve-needs-human', 'rollout needs sign-off'],
    ['final-decision:approve-auto', 'approve-auto', 'approve-auto'],
    ['   final-decision:   reject   ', 'reject', 'reject'],
    ['final-decision: approve-auto —   ', 'approve-auto', 'approve-auto'],
    ['final-decision: approve-auto—tight', 'approve-auto', 'tight'],
    ['final-decision: reject - a — b - c', 'reject', 'a — b - c'],
    ['final-decision: approve-auto — first\nfinal-decision: reject — second\n', 'reject', 'second'],
    ['final-decision: reject — why\n\nThanks!\n(end)\n', 'reject', 'why'],
    ['final-decision: approve-auto — ok\r\nfinal-decision: maybe\r\n', 'approve-auto', 'ok'],
  ] as const)('%j', (stdout, decision, reason) => {
    expect(parseFinalDecision(stdout)).toEqual({ decision, reason });
  });

  test.each(['', '\n\n', 'Looks good.', 'final-decision: approve', 'final-decision: approve-auto because', 'decision: reject', '> final-decision: reject'])(
    'no decision in %j',
    (stdout) => {
      expect(() => parseFinalDecision(stdout)).toThrow(new CairnError('failed', 'Final review produced no output'));
    },
  );
});
