import { CairnError } from '../util/index.js';
import { EFFORTS, isEffort, type Effort } from '../migration/index.js';

/*
 * The effort a phase runs at: the run's default raised to the phase's
 * `required_effort`, then capped at the run's maximum (tiers in
 * docs/format.md §10.4). A phase that requires more than the maximum is
 * not run at all; it is deferred as over budget.
 */

/** The effort one phase runs at, and whether the run's budget is too small for it. */
export interface PhaseEffort {
  /** What the agent is asked to use; null leaves it to the agent's own default. */
  effort: Effort | null;
  /** The phase's `required_effort`. */
  required: Effort | null;
  /** The run's maximum; null means no cap. */
  max: Effort | null;
  /** The phase requires more than the run's maximum: defer it instead of running it. */
  overBudget: boolean;
}

function rank(effort: Effort): number {
  return EFFORTS.indexOf(effort);
}

function higher(left: Effort | null, right: Effort | null): Effort | null {
  if (left === null) return right;
  if (right === null) return left;
  return rank(right) > rank(left) ? right : left;
}

/**
 * The effort of a phase: the higher of the run default and the phase's
 * required effort (a null on either side takes the other), capped at `max`
 * when one is given. `overBudget` is true when the required effort is above
 * `max`.
 */
export function phaseEffort(input: { defaultEffort: Effort | null; required: Effort | null; max: Effort | null }): PhaseEffort {
  const { required, max } = input;
  const wanted = higher(input.defaultEffort, required);
  const effort = wanted !== null && max !== null && rank(wanted) > rank(max) ? max : wanted;
  const overBudget = required !== null && max !== null && rank(required) > rank(max);
  return { effort, required, max, overBudget };
}

/** The value of an effort option such as `--effort` or `--max-effort`; throws `CairnError('usage')` naming `flag` for anything else. */
export function parseEffortFlag(value: string, flag: string): Effort {
  if (isEffort(value)) return value;
  throw new CairnError('usage', `${flag} must be an effort, got '${value}'.`, { hint: `Choose one of: ${EFFORTS.join(', ')}.` });
}

/**
 * Why an over-budget phase was deferred, e.g. "Phase requires high effort,
 * above this run's max allowed effort medium. Reason: touches the parser."
 * (the last sentence only when the phase gives an `effort_reason`).
 */
export function overBudgetReason(input: { required: Effort; max: Effort; effortReason: string | null }): string {
  const detail = input.effortReason ? ` Reason: ${input.effortReason}.` : '';
  return `Phase requires ${input.required} effort, above this run's max allowed effort ${input.max}.${detail}`;
}
