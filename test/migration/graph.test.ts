import { describe, expect, test } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import {
  appendFeedback,
  checkReplayMatches,
  completeStep,
  newState,
  reopenForRevise,
  replay,
  type Cursor,
  type Outcome,
  type Step,
} from '../../src/migration/graph.js';
import type { CompletedStep, PlanningState } from '../../src/migration/state.js';
import { stateWith, step } from './support.js';

function s(name: Step, outcome: Outcome, file: string = `${name}.stdout.md`): CompletedStep {
  return step(name, outcome, `migrations/m/.planning/stages/${file}`);
}

const ref = (file: string): string => `migrations/m/.planning/stages/${file}`;

const START = [s('approaches', 'completed'), s('pick-best', 'completed'), s('expand', 'completed')];
const CLEAR_REVIEW = [...START, s('review', 'clear')];
const FINDINGS_REVISED = [...START, s('review', 'findings'), s('revise', 'completed'), s('review-2', 'clear')];

function replayOf(steps: readonly CompletedStep[], anchors: number[] = []) {
  return replay({ completed_steps: [...steps], revision_base_step_counts: anchors });
}

function replayError(steps: CompletedStep[], anchors: number[] = []): string {
  try {
    replayOf(steps, anchors);
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).code).toBe('invalid-state');
    return (error as CairnError).message;
  }
  throw new Error('replay succeeded');
}

describe('replay', () => {
  test('an empty history is at approaches', () => {
    expect(replayOf([])).toEqual({ cursor: 'approaches', review_findings: null, final_decision: null });
  });

  test.each([
    [1, 'pick-best'],
    [2, 'expand'],
    [3, 'review'],
  ] as const)('the nominal prefix of %i steps is at %s', (count, cursor) => {
    expect(replayOf(START.slice(0, count))).toEqual({ cursor, review_findings: null, final_decision: null });
  });

  test('a clear review skips revise and review-2', () => {
    expect(replayOf(CLEAR_REVIEW)).toEqual({ cursor: 'final-review', review_findings: null, final_decision: null });
  });

  test('findings go through revise and review-2, keeping review_findings', () => {
    const findings = [...START, s('review', 'findings')];
    expect(replayOf(findings)).toEqual({ cursor: 'revise', review_findings: ref('review.stdout.md'), final_decision: null });
    expect(replayOf(findings.concat(s('revise', 'completed')))).toEqual({
      cursor: 'review-2',
      review_findings: ref('review.stdout.md'),
      final_decision: null,
    });
    expect(replayOf(FINDINGS_REVISED)).toEqual({
      cursor: 'final-review',
      review_findings: ref('review.stdout.md'),
      final_decision: null,
    });
  });

  test.each([
    ['approve-auto', 'terminal-ready'],
    ['approve-needs-human', 'terminal-ready-awaiting-human'],
    ['reject', 'terminal-skipped'],
  ] as const)('final decision %s ends at %s', (decision, cursor) => {
    expect(replayOf([...CLEAR_REVIEW, s('final-review', decision)])).toEqual({
      cursor,
      review_findings: null,
      final_decision: decision,
    });
    expect(replayOf([...FINDINGS_REVISED, s('final-review', decision)])).toEqual({
      cursor,
      review_findings: ref('review.stdout.md'),
      final_decision: decision,
    });
  });

  describe('revision anchors', () => {
    test.each([
      ['review', START],
      ['review-2', [...START, s('review', 'findings'), s('revise', 'completed')]],
      ['final-review', FINDINGS_REVISED],
      ['terminal-ready', [...FINDINGS_REVISED, s('final-review', 'approve-auto')]],
      ['terminal-ready-awaiting-human', [...CLEAR_REVIEW, s('final-review', 'approve-needs-human')]],
    ] as const)('an anchor at %s reopens at revise and clears findings and decision', (_cursor, steps) => {
      expect(replayOf(steps).cursor).toBe(_cursor);
      expect(replayOf(steps, [steps.length])).toEqual({ cursor: 'revise', review_findings: null, final_decision: null });
    });

    test('history continues after a reopen: revise, review-2, final-review', () => {
      const terminal = [...FINDINGS_REVISED, s('final-review', 'approve-needs-human')];
      const reopened = [
        ...terminal,
        s('revise', 'completed', 'revise-2.stdout.md'),
        s('review-2', 'clear', 'review-2-2.stdout.md'),
        s('final-review', 'reject', 'final-review-2.stdout.md'),
      ];
      expect(replayOf(reopened, [7])).toEqual({ cursor: 'terminal-skipped', review_findings: null, final_decision: 'reject' });
      expect(replayOf(reopened.slice(0, 8), [7])).toEqual({ cursor: 'review-2', review_findings: null, final_decision: null });
    });

    test('two reopens', () => {
      const steps = [
        ...CLEAR_REVIEW,
        s('final-review', 'approve-auto'),
        s('revise', 'completed', 'revise.stdout.md'),
        s('review-2', 'clear'),
        s('final-review', 'approve-auto', 'final-review-2.stdout.md'),
      ];
      expect(replayOf(steps, [5, 8])).toEqual({ cursor: 'revise', review_findings: null, final_decision: null });
      expect(replayOf(steps, [5])).toEqual({ cursor: 'terminal-ready', review_findings: null, final_decision: 'approve-auto' });
    });

    test.each([
      [1, 'pick-best'],
      [2, 'expand'],
      [4, 'revise'],
    ] as const)('an anchor at %i (cursor %s) is refused', (anchor, cursor) => {
      const steps = [...START, s('review', 'findings')];
      expect(replayError(steps, [anchor])).toBe(
        `revision_base_step_counts must point at a reopenable review cursor, got '${cursor}'`,
      );
    });

    test('an anchor at terminal-skipped is refused', () => {
      expect(replayError([...CLEAR_REVIEW, s('final-review', 'reject')], [5])).toBe(
        "revision_base_step_counts must point at a reopenable review cursor, got 'terminal-skipped'",
      );
    });

    test.each([
      [[0], 3, 'revision_base_step_counts entry 0 is outside completed history (3 completed steps)'],
      [[-2], 3, 'revision_base_step_counts entry -2 is outside completed history (3 completed steps)'],
      [[4], 3, 'revision_base_step_counts entry 4 is outside completed history (3 completed steps)'],
      [[1], 0, 'revision_base_step_counts entry 1 is outside completed history (0 completed steps)'],
      [[3, 3], 3, 'revision_base_step_counts must be strictly increasing: [3, 3]'],
      [[3, 2], 3, 'revision_base_step_counts must be strictly increasing: [3, 2]'],
    ])('anchors %j over %i steps: range and order are checked before the walk', (anchors, count, message) => {
      // The history itself is broken too (wrong first step), proving the anchor checks come first.
      const steps = [s('expand', 'completed'), ...START].slice(0, count);
      expect(replayError(steps, anchors)).toBe(message);
    });
  });

  test('a step after a terminal cursor is refused', () => {
    expect(replayError([...CLEAR_REVIEW, s('final-review', 'approve-auto'), s('revise', 'completed')])).toBe(
      "Planning step 'revise' appears after terminal cursor 'terminal-ready'",
    );
    expect(replayError([...CLEAR_REVIEW, s('final-review', 'reject'), s('final-review', 'reject')])).toBe(
      "Planning step 'final-review' appears after terminal cursor 'terminal-skipped'",
    );
  });

  test.each([
    [[s('pick-best', 'completed')], "Completed planning step 'pick-best' is invalid: expected approaches"],
    [[...START, s('revise', 'completed')], "Completed planning step 'revise' is invalid: expected review"],
    [[...CLEAR_REVIEW, s('review-2', 'clear')], "Completed planning step 'review-2' is invalid: expected final-review"],
  ])('a step out of order is refused (%#)', (steps, message) => {
    expect(replayError(steps)).toBe(message);
  });

  test.each([
    ['approaches', 'clear', [], 'completed'],
    ['pick-best', 'reject', START.slice(0, 1), 'completed'],
    ['expand', 'findings', START.slice(0, 2), 'completed'],
    ['review', 'completed', START, 'clear, findings'],
    ['revise', 'clear', [...START, s('review', 'findings')], 'completed'],
    ['review-2', 'findings', [...START, s('review', 'findings'), s('revise', 'completed')], 'clear'],
    ['final-review', 'completed', CLEAR_REVIEW, 'approve-auto, approve-needs-human, reject'],
  ] as const)('step %s refuses outcome %s', (name, outcome, before, allowed) => {
    expect(replayError([...before, s(name, outcome)])).toBe(
      `Planning step '${name}' outcome '${outcome}' is invalid; expected one of ${allowed}`,
    );
  });

  test('a review with findings must name its stdout', () => {
    expect(replayError([...START, step('review', 'findings', '')])).toBe(
      "Planning step 'review' with findings must record a stdout output",
    );
  });
});

describe('checkReplayMatches', () => {
  const terminal = stateWith({
    completed_steps: [...FINDINGS_REVISED, s('final-review', 'approve-auto')],
    next_step: 'terminal-ready',
    review_findings: ref('review.stdout.md'),
    final_decision: 'approve-auto',
    final_reason: 'fine',
  });

  test('accepts the replayed values', () => {
    expect(checkReplayMatches(terminal)).toEqual({
      cursor: 'terminal-ready',
      review_findings: ref('review.stdout.md'),
      final_decision: 'approve-auto',
    });
  });

  test.each([
    [{ next_step: 'final-review' as Cursor }, "Planning state next_step 'final-review' does not match replayed cursor 'terminal-ready'"],
    [{ review_findings: null }, 'Planning state review_findings does not match replayed history'],
    [{ review_findings: ref('review-2.stdout.md') }, 'Planning state review_findings does not match replayed history'],
    [{ final_decision: null }, 'Planning state final_decision does not match replayed history'],
    [{ final_decision: 'reject' as const }, 'Planning state final_decision does not match replayed history'],
    [{ final_reason: null }, 'Planning state terminal final-review requires final_reason'],
    [{ final_reason: '' }, 'Planning state terminal final-review requires final_reason'],
  ])('refuses %j', (fields, message) => {
    expect(() => checkReplayMatches({ ...terminal, ...fields })).toThrow(new CairnError('invalid-state', message));
  });

  test('refuses a final_reason without a decision', () => {
    const state = stateWith({ final_reason: 'why' });
    expect(() => checkReplayMatches(state)).toThrow(
      new CairnError('invalid-state', 'Planning state final_reason requires a final-review decision'),
    );
  });
});

describe('state operations', () => {
  const T0 = '2026-05-14T00:27:12.066-07:00';

  test('newState', () => {
    expect(newState('src/a.ts', T0)).toEqual({
      schema_version: 1,
      target: 'src/a.ts',
      next_step: 'approaches',
      completed_steps: [],
      started_at: T0,
      updated_at: T0,
      feedback: [],
      review_findings: null,
      final_decision: null,
      final_reason: null,
      revision_base_step_counts: [],
    });
  });

  function advance(state: PlanningState, name: Step, outcome: Outcome, extra: Partial<Parameters<typeof completeStep>[1]> = {}) {
    return completeStep(state, { step: name, outcome, stdoutRef: ref(`${name}.stdout.md`), completedAt: `t-${name}`, ...extra });
  }

  test('completeStep walks the findings path to an awaiting-human decision', () => {
    let state = newState('t', T0);
    state = advance(state, 'approaches', 'completed', { agent: 'codex', model: 'gpt', effort: 'low' });
    expect(state.completed_steps[0]).toEqual({
      name: 'approaches',
      completed_at: 't-approaches',
      outcome: 'completed',
      outputs: { stdout: ref('approaches.stdout.md') },
      agent: 'codex',
      model: 'gpt',
      effort: 'low',
    });
    expect([state.next_step, state.updated_at]).toEqual(['pick-best', 't-approaches']);
    state = advance(state, 'pick-best', 'completed', { agent: null, model: undefined });
    expect(Object.keys(state.completed_steps[1]!).sort()).toEqual(['completed_at', 'name', 'outcome', 'outputs']);
    state = advance(state, 'expand', 'completed', { finalReason: 'ignored without a decision' });
    expect(state.final_reason).toBeNull();
    state = advance(state, 'review', 'findings');
    expect([state.next_step, state.review_findings]).toEqual(['revise', ref('review.stdout.md')]);
    state = advance(state, 'revise', 'completed');
    state = advance(state, 'review-2', 'clear');
    state = advance(state, 'final-review', 'approve-needs-human', { finalReason: 'needs sign-off' });
    expect(state).toMatchObject({
      next_step: 'terminal-ready-awaiting-human',
      review_findings: ref('review.stdout.md'),
      final_decision: 'approve-needs-human',
      final_reason: 'needs sign-off',
      updated_at: 't-final-review',
    });
    expect(state.completed_steps.map((c) => c.name)).toEqual([
      'approaches',
      'pick-best',
      'expand',
      'review',
      'revise',
      'review-2',
      'final-review',
    ]);
  });

  test('completeStep does not modify its input', () => {
    const state = newState('t', T0);
    const snapshot = structuredClone(state);
    advance(state, 'approaches', 'completed');
    expect(state).toEqual(snapshot);
  });

  test('completeStep refuses a step that is not the cursor', () => {
    expect(() => advance(newState('t', T0), 'expand', 'completed')).toThrow(
      new CairnError('invalid-state', "Cannot complete planning step 'expand'; current step is 'approaches'"),
    );
  });

  test('completeStep refuses a state that disagrees with its replay', () => {
    const state = { ...newState('t', T0), next_step: 'expand' as const };
    expect(() => advance(state, 'expand', 'completed')).toThrow(
      new CairnError('invalid-state', "Planning state next_step 'expand' does not match replayed cursor 'approaches'"),
    );
  });

  test('completeStep refuses a wrong outcome', () => {
    expect(() => advance(newState('t', T0), 'approaches', 'clear')).toThrow(
      new CairnError('invalid-state', "Planning step 'approaches' outcome 'clear' is invalid; expected one of completed"),
    );
  });

  test.each(['', '.', './', '/abs/x.md', 'migrations/../x.md', '..'])('completeStep refuses stdout ref %j', (bad) => {
    expect(() => completeStep(newState('t', T0), { step: 'approaches', outcome: 'completed', stdoutRef: bad })).toThrow(
      new CairnError('invalid-state', `Planning output path '${bad}' must be repo-relative`),
    );
  });

  test('completeStep requires a reason for a final decision', () => {
    let state = newState('t', T0);
    for (const name of ['approaches', 'pick-best', 'expand'] as const) state = advance(state, name, 'completed');
    state = advance(state, 'review', 'clear');
    expect(() => advance(state, 'final-review', 'reject')).toThrow(
      new CairnError('invalid-state', 'Planning state terminal final-review requires final_reason'),
    );
    expect(advance(state, 'final-review', 'reject', { finalReason: 'churn' })).toMatchObject({
      next_step: 'terminal-skipped',
      final_decision: 'reject',
      final_reason: 'churn',
    });
  });

  test('completeStep defaults completed_at to the current local time', () => {
    const state = completeStep(newState('t', T0), { step: 'approaches', outcome: 'completed', stdoutRef: 'a.md' });
    expect(state.completed_steps[0]!.completed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(state.updated_at).toBe(state.completed_steps[0]!.completed_at);
  });

  test('appendFeedback works at any cursor and sets updated_at', () => {
    let state = newState('t', T0);
    state = appendFeedback(state, 'first', 'message', 'r1');
    state = appendFeedback(state, 'second', 'file', 'r2');
    expect(state.feedback).toEqual([
      { received_at: 'r1', source: 'message', text: 'first' },
      { received_at: 'r2', source: 'file', text: 'second' },
    ]);
    expect(state.updated_at).toBe('r2');
  });

  function stateAt(steps: CompletedStep[], anchors: number[] = []): PlanningState {
    const replayed = replayOf(steps, anchors);
    return stateWith({
      completed_steps: steps,
      revision_base_step_counts: anchors,
      next_step: replayed.cursor,
      review_findings: replayed.review_findings,
      final_decision: replayed.final_decision,
      final_reason: replayed.final_decision === null ? null : 'reason',
    });
  }

  test.each([
    ['review', START],
    ['review-2', [...START, s('review', 'findings'), s('revise', 'completed')]],
    ['final-review', FINDINGS_REVISED],
    ['terminal-ready', [...CLEAR_REVIEW, s('final-review', 'approve-auto')]],
    ['terminal-ready-awaiting-human', [...FINDINGS_REVISED, s('final-review', 'approve-needs-human')]],
  ] as const)('reopenForRevise at %s', (cursor, steps) => {
    const before = stateAt([...steps]);
    expect(before.next_step).toBe(cursor);
    const after = reopenForRevise(before, 'later');
    expect(after).toEqual({
      ...before,
      next_step: 'revise',
      review_findings: null,
      final_decision: null,
      final_reason: null,
      revision_base_step_counts: [steps.length],
      updated_at: 'later',
    });
    expect(checkReplayMatches(after).cursor).toBe('revise');
    const revised = completeStep(after, { step: 'revise', outcome: 'completed', stdoutRef: ref('revise-2.stdout.md') });
    expect(revised.next_step).toBe('review-2');
  });

  test.each([
    ['approaches', []],
    ['pick-best', START.slice(0, 1)],
    ['expand', START.slice(0, 2)],
    ['revise', [...START, s('review', 'findings')]],
    ['terminal-skipped', [...CLEAR_REVIEW, s('final-review', 'reject')]],
  ] as const)('reopenForRevise refuses %s', (cursor, steps) => {
    expect(() => reopenForRevise(stateAt([...steps]), 'later')).toThrow(
      new CairnError('invalid-state', `Cannot reopen planning state at '${cursor}' for revise`),
    );
  });

  test('reopening twice without progress is refused (the cursor is revise)', () => {
    const once = reopenForRevise(stateAt(START), 'a');
    expect(() => reopenForRevise(once, 'b')).toThrow(
      new CairnError('invalid-state', "Cannot reopen planning state at 'revise' for revise"),
    );
  });
});
