import { describe, expect, test } from 'vitest';
import { CairnError } from '../../src/util/index.js';
import { overBudgetReason, parseEffortFlag, phaseEffort } from '../../src/execution/index.js';

describe('phaseEffort', () => {
  test('raises the default to the required effort', () => {
    expect(phaseEffort({ defaultEffort: 'low', required: 'high', max: 'xhigh' })).toEqual({
      effort: 'high',
      required: 'high',
      max: 'xhigh',
      overBudget: false,
    });
  });

  test('keeps a default that is already higher than the required effort', () => {
    expect(phaseEffort({ defaultEffort: 'high', required: 'medium', max: null })).toEqual({
      effort: 'high',
      required: 'medium',
      max: null,
      overBudget: false,
    });
  });

  test('caps the default at the maximum without being over budget', () => {
    expect(phaseEffort({ defaultEffort: 'xhigh', required: null, max: 'medium' })).toEqual({
      effort: 'medium',
      required: null,
      max: 'medium',
      overBudget: false,
    });
  });

  test('a required effort equal to the maximum is within budget', () => {
    expect(phaseEffort({ defaultEffort: 'low', required: 'high', max: 'high' })).toEqual({
      effort: 'high',
      required: 'high',
      max: 'high',
      overBudget: false,
    });
  });

  test('a required effort above the maximum is over budget, and the effort is capped', () => {
    expect(phaseEffort({ defaultEffort: 'low', required: 'xhigh', max: 'medium' })).toEqual({
      effort: 'medium',
      required: 'xhigh',
      max: 'medium',
      overBudget: true,
    });
  });

  test('over budget without a default', () => {
    expect(phaseEffort({ defaultEffort: null, required: 'high', max: 'low' })).toEqual({
      effort: 'low',
      required: 'high',
      max: 'low',
      overBudget: true,
    });
  });

  test('no default takes the required effort', () => {
    expect(phaseEffort({ defaultEffort: null, required: 'medium', max: null }).effort).toBe('medium');
  });

  test('nothing given leaves the effort to the agent', () => {
    expect(phaseEffort({ defaultEffort: null, required: null, max: null })).toEqual({
      effort: null,
      required: null,
      max: null,
      overBudget: false,
    });
    expect(phaseEffort({ defaultEffort: null, required: null, max: 'low' }).effort).toBeNull();
  });
});

describe('parseEffortFlag', () => {
  test('accepts every effort', () => {
    expect(['low', 'medium', 'high', 'xhigh'].map((value) => parseEffortFlag(value, '--effort'))).toEqual(['low', 'medium', 'high', 'xhigh']);
  });

  test.each(['', 'HIGH', 'max', ' low'])('refuses %j as a usage error naming the flag', (value) => {
    let caught: unknown;
    try {
      parseEffortFlag(value, '--max-effort');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CairnError);
    const error = caught as CairnError;
    expect(error.code).toBe('usage');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`--max-effort must be an effort, got '${value}'.`);
    expect(error.hint).toBe('Choose one of: low, medium, high, xhigh.');
  });
});

describe('overBudgetReason', () => {
  test('with and without the phase effort reason', () => {
    expect(overBudgetReason({ required: 'xhigh', max: 'medium', effortReason: 'rewrites the parser' })).toBe(
      "Phase requires xhigh effort, above this run's max allowed effort medium. Reason: rewrites the parser.",
    );
    expect(overBudgetReason({ required: 'high', max: 'low', effortReason: null })).toBe(
      "Phase requires high effort, above this run's max allowed effort low.",
    );
    expect(overBudgetReason({ required: 'high', max: 'low', effortReason: '' })).toBe(
      "Phase requires high effort, above this run's max allowed effort low.",
    );
  });
});
