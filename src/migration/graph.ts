import { CairnError, localTimestamp } from '../util/index.js';
import { pyRepr } from '../json/index.js';
import { checkOutputRefSyntax } from './output-refs.js';

/*
 * The planning graph (docs/format.md §8): which step comes next is never stored
 * independently; it is replayed from the accepted steps and the revision
 * anchors, and the stored cursor must agree with the replay.
 */

/** Executable steps, in nominal order. */
export const STEPS = ['approaches', 'pick-best', 'expand', 'review', 'revise', 'review-2', 'final-review'] as const;
export type Step = (typeof STEPS)[number];

export const TERMINAL_CURSORS = ['terminal-ready', 'terminal-ready-awaiting-human', 'terminal-skipped'] as const;
export type TerminalCursor = (typeof TERMINAL_CURSORS)[number];

/** Where the plan stands: the next step to run, or a terminal cursor. */
export type Cursor = Step | TerminalCursor;
export const CURSORS: readonly Cursor[] = [...STEPS, ...TERMINAL_CURSORS];

export const OUTCOMES = ['completed', 'clear', 'findings', 'approve-auto', 'approve-needs-human', 'reject'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const FINAL_DECISIONS = ['approve-auto', 'approve-needs-human', 'reject'] as const;
export type FinalDecision = (typeof FINAL_DECISIONS)[number];

/* The shape of `.planning/state.json`; its codec is state.ts. */

export type FeedbackSource = 'message' | 'file';

/** User refinement feedback. The legacy bare-string form decodes with `received_at: ''`. */
export interface FeedbackEntry {
  received_at: string;
  source: FeedbackSource;
  text: string;
}

/** One accepted step. `agent`, `model`, `effort` are absent when unknown (a stored null reads as absent). */
export interface CompletedStep {
  name: Step;
  completed_at: string;
  outcome: Outcome;
  outputs: { stdout: string };
  agent?: string;
  model?: string;
  effort?: string;
}

export interface PlanningState {
  schema_version: 1;
  target: string;
  next_step: Cursor;
  completed_steps: CompletedStep[];
  started_at: string;
  updated_at: string;
  feedback: FeedbackEntry[];
  /** Derived: stdout ref of the review that had findings. */
  review_findings: string | null;
  /** Derived: set only at a terminal cursor. */
  final_decision: FinalDecision | null;
  final_reason: string | null;
  /** Revision anchors: numbers of accepted steps at which the plan was reopened at `revise`. */
  revision_base_step_counts: number[];
}

/** The outcomes each step may record. */
export const STEP_OUTCOMES: Readonly<Record<Step, readonly Outcome[]>> = {
  approaches: ['completed'],
  'pick-best': ['completed'],
  expand: ['completed'],
  review: ['clear', 'findings'],
  revise: ['completed'],
  'review-2': ['clear'],
  'final-review': ['approve-auto', 'approve-needs-human', 'reject'],
};

/** Cursors from which a refinement (or a revision anchor) may reopen the plan at `revise`. */
export const REOPENABLE_CURSORS: readonly Cursor[] = [
  'review',
  'review-2',
  'final-review',
  'terminal-ready',
  'terminal-ready-awaiting-human',
];

const DECISION_CURSOR: Readonly<Record<FinalDecision, TerminalCursor>> = {
  'approve-auto': 'terminal-ready',
  'approve-needs-human': 'terminal-ready-awaiting-human',
  reject: 'terminal-skipped',
};

export function isStep(value: string): value is Step {
  return (STEPS as readonly string[]).includes(value);
}

export function isCursor(value: string): value is Cursor {
  return (CURSORS as readonly string[]).includes(value);
}

export function isTerminalCursor(value: string): value is TerminalCursor {
  return (TERMINAL_CURSORS as readonly string[]).includes(value);
}

export function isOutcome(value: string): value is Outcome {
  return (OUTCOMES as readonly string[]).includes(value);
}

export function isFinalDecision(value: string): value is FinalDecision {
  return (FINAL_DECISIONS as readonly string[]).includes(value);
}

export function isReopenableCursor(value: string): boolean {
  return (REOPENABLE_CURSORS as readonly string[]).includes(value);
}

/** What the accepted history implies. */
export interface ReplayResult {
  cursor: Cursor;
  /** Stdout ref of the review that had findings; cleared by a reopen. */
  review_findings: string | null;
  /** Only set at a terminal cursor. */
  final_decision: FinalDecision | null;
}

function stateError(message: string): CairnError {
  return new CairnError('invalid-state', message);
}

/** The message for a revision anchor outside `1..historyLength`. */
export function anchorOutsideHistoryMessage(anchor: number | bigint, historyLength: number): string {
  return `revision_base_step_counts entry ${String(anchor)} is outside completed history (${historyLength} completed steps)`;
}

/**
 * Replays `completed_steps` with the revision anchors (docs/format.md §8.2) and returns
 * the cursor, review findings and final decision they imply. Throws
 * `CairnError('invalid-state')` on any structural error: an anchor outside
 * the history or out of order, an anchor at a cursor that cannot be reopened,
 * a step after a terminal cursor, a step other than the cursor, or an outcome
 * the step does not allow.
 */
export function replay(state: Pick<PlanningState, 'completed_steps' | 'revision_base_step_counts'>): ReplayResult {
  const steps = state.completed_steps;
  const anchors = state.revision_base_step_counts;
  for (const anchor of anchors) {
    if (!(anchor >= 1 && anchor <= steps.length)) {
      throw stateError(anchorOutsideHistoryMessage(anchor, steps.length));
    }
  }
  for (let i = 1; i < anchors.length; i++) {
    if ((anchors[i] as number) <= (anchors[i - 1] as number)) {
      throw stateError(`revision_base_step_counts must be strictly increasing: [${anchors.join(', ')}]`);
    }
  }

  let current: ReplayResult = { cursor: 'approaches', review_findings: null, final_decision: null };
  let nextAnchor = 0;
  const reopenIfAnchored = (index: number): void => {
    if (nextAnchor < anchors.length && anchors[nextAnchor] === index) {
      if (!isReopenableCursor(current.cursor)) {
        throw stateError(
          `revision_base_step_counts must point at a reopenable review cursor, got ${pyRepr(current.cursor)}`,
        );
      }
      current = { cursor: 'revise', review_findings: null, final_decision: null };
      nextAnchor++;
    }
  };

  steps.forEach((step, index) => {
    reopenIfAnchored(index);
    if (isTerminalCursor(current.cursor)) {
      throw stateError(`Planning step ${pyRepr(step.name)} appears after terminal cursor ${pyRepr(current.cursor)}`);
    }
    if (step.name !== current.cursor) {
      throw stateError(`Completed planning step ${pyRepr(step.name)} is invalid: expected ${current.cursor}`);
    }
    current = advance(current, step);
  });
  reopenIfAnchored(steps.length);
  return current;
}

function advance(current: ReplayResult, step: CompletedStep): ReplayResult {
  const name = step.name;
  const allowed = STEP_OUTCOMES[name];
  if (!allowed.includes(step.outcome)) {
    throw stateError(
      `Planning step ${pyRepr(name)} outcome ${pyRepr(step.outcome)} is invalid; expected one of ${[...allowed].sort().join(', ')}`,
    );
  }
  switch (name) {
    case 'approaches':
      return { ...current, cursor: 'pick-best' };
    case 'pick-best':
      return { ...current, cursor: 'expand' };
    case 'expand':
      return { ...current, cursor: 'review' };
    case 'review':
      if (step.outcome === 'clear') return { ...current, cursor: 'final-review' };
      if (step.outputs.stdout === '') {
        throw stateError("Planning step 'review' with findings must record a stdout output");
      }
      return { ...current, cursor: 'revise', review_findings: step.outputs.stdout };
    case 'revise':
      return { ...current, cursor: 'review-2' };
    case 'review-2':
      return { ...current, cursor: 'final-review' };
    case 'final-review': {
      const decision = step.outcome as FinalDecision;
      return { ...current, cursor: DECISION_CURSOR[decision], final_decision: decision };
    }
  }
}

/**
 * Checks that the stored cursor and derived fields agree with the replay
 * (docs/format.md §5.5 steps 2–5) and returns the replay.
 */
export function checkReplayMatches(state: PlanningState): ReplayResult {
  const replayed = replay(state);
  if (state.next_step !== replayed.cursor) {
    throw stateError(
      `Planning state next_step ${pyRepr(state.next_step)} does not match replayed cursor ${pyRepr(replayed.cursor)}`,
    );
  }
  if (state.review_findings !== replayed.review_findings) {
    throw stateError('Planning state review_findings does not match replayed history');
  }
  if (state.final_decision !== replayed.final_decision) {
    throw stateError('Planning state final_decision does not match replayed history');
  }
  if (replayed.final_decision === null) {
    if (state.final_reason !== null) throw stateError('Planning state final_reason requires a final-review decision');
  } else if (state.final_reason === null || state.final_reason === '') {
    throw stateError('Planning state terminal final-review requires final_reason');
  }
  return replayed;
}

/** A fresh plan for `target`, at `approaches` (docs/format.md §8.3 "new"). */
export function newState(target: string, now: string = localTimestamp()): PlanningState {
  return {
    schema_version: 1,
    target,
    next_step: 'approaches',
    completed_steps: [],
    started_at: now,
    updated_at: now,
    feedback: [],
    review_findings: null,
    final_decision: null,
    final_reason: null,
    revision_base_step_counts: [],
  };
}

export interface CompleteStepInput {
  step: Step;
  outcome: Outcome;
  /** Repo-relative POSIX ref of the accepted stdout at its live location. */
  stdoutRef: string;
  /** Defaults to now (local time). */
  completedAt?: string;
  agent?: string | null;
  model?: string | null;
  effort?: string | null;
  /** The final-review reason; kept from the previous state when omitted. */
  finalReason?: string | null;
}

/**
 * Records an accepted step (docs/format.md §8.3 "complete step") and returns the new
 * state. The state must agree with its replay, `step` must be the cursor,
 * the outcome must be one the step allows and the stdout ref must be
 * repo-relative; the file's existence is not checked here.
 */
export function completeStep(state: PlanningState, input: CompleteStepInput): PlanningState {
  const replayed = checkReplayMatches(state);
  if (input.step !== replayed.cursor) {
    throw stateError(
      `Cannot complete planning step ${pyRepr(input.step)}; current step is ${pyRepr(replayed.cursor)}`,
    );
  }
  checkOutputRefSyntax(input.stdoutRef);
  const completedAt = input.completedAt ?? localTimestamp();
  const completed: CompletedStep = {
    name: input.step,
    completed_at: completedAt,
    outcome: input.outcome,
    outputs: { stdout: input.stdoutRef },
  };
  if (input.agent !== undefined && input.agent !== null) completed.agent = input.agent;
  if (input.model !== undefined && input.model !== null) completed.model = input.model;
  if (input.effort !== undefined && input.effort !== null) completed.effort = input.effort;
  const completed_steps = [...state.completed_steps, completed];
  const next = replay({ completed_steps, revision_base_step_counts: state.revision_base_step_counts });
  const final_reason = next.final_decision === null ? null : (input.finalReason ?? state.final_reason);
  if (next.final_decision !== null && (final_reason === null || final_reason === '')) {
    throw stateError('Planning state terminal final-review requires final_reason');
  }
  return {
    ...state,
    completed_steps,
    updated_at: completedAt,
    next_step: next.cursor,
    review_findings: next.review_findings,
    final_decision: next.final_decision,
    final_reason,
    revision_base_step_counts: [...state.revision_base_step_counts],
    feedback: [...state.feedback],
  };
}

/** Appends refinement feedback at any cursor (docs/format.md §8.3 "append feedback"). */
export function appendFeedback(
  state: PlanningState,
  text: string,
  source: FeedbackSource,
  now: string = localTimestamp(),
): PlanningState {
  return {
    ...state,
    completed_steps: [...state.completed_steps],
    revision_base_step_counts: [...state.revision_base_step_counts],
    feedback: [...state.feedback, { received_at: now, source, text }],
    updated_at: now,
  };
}

/**
 * Reopens the plan at `revise` (docs/format.md §8.3 "reopen for revise"): the replayed
 * cursor must be reopenable; the anchor recorded is the number of accepted
 * steps so far, and the review findings and final decision are cleared.
 */
export function reopenForRevise(state: PlanningState, now: string = localTimestamp()): PlanningState {
  const replayed = replay(state);
  if (!isReopenableCursor(replayed.cursor)) {
    throw stateError(`Cannot reopen planning state at ${pyRepr(replayed.cursor)} for revise`);
  }
  return {
    ...state,
    completed_steps: [...state.completed_steps],
    feedback: [...state.feedback],
    next_step: 'revise',
    review_findings: null,
    final_decision: null,
    final_reason: null,
    revision_base_step_counts: [...state.revision_base_step_counts, state.completed_steps.length],
    updated_at: now,
  };
}
