import { describe, expect, it } from 'vitest';
import { AGENT } from '../support/agents.js';
import { SLUG, newPlanRepo, type PlanRepo } from '../support/plan-repo.js';

/*
 * Exit codes as the README gives them: a refusal because of the state of a
 * migration or the project exits 1, bad usage or bad input exits 2. One
 * migration is walked from "awaiting review" to "done", and at each stage the
 * commands that state forbids are tried.
 */

const NEEDS_HUMAN = { FAKE_FINAL: 'final-decision: approve-needs-human — phase 2 deletes a public API' };

interface Expected {
  args: string[];
  code: number;
  error: string;
}

function expectExits(p: PlanRepo, cases: Expected[]): void {
  const seen = cases.map(({ args }) => {
    const result = p.cli(args);
    return { args, code: result.code, error: result.stderr.split('\n')[0] ?? '' };
  });
  expect(seen).toEqual(cases);
}

describe('exit codes', () => {
  it('state refusals exit 1, bad usage and bad input exit 2', () => {
    const p = newPlanRepo();
    expect(p.cli(['plan', SLUG, ...AGENT, '--until', 'terminal'], NEEDS_HUMAN).code).toBe(0);

    expectExits(p, [
      { args: ['phase', 'done', SLUG], code: 1, error: "Error: Migration 'alpha' is awaiting human review; no phase may start or complete before it is reviewed" },
      { args: ['plan', SLUG, ...AGENT], code: 1, error: "Error: Migration 'alpha' has status 'ready'; only planning migrations have a next planning step" },
      { args: ['run', SLUG, ...AGENT, '--validate', 'true'], code: 1, error: "Error: Migration 'alpha' is awaiting human review: phase 2 deletes a public API; no phase may run before it is reviewed" },
      { args: ['new', SLUG, '--target', 'again'], code: 1, error: expect.stringMatching(/^Error: Migration 'alpha' already exists at .*migrations\/alpha\.$/) as unknown as string },
      { args: ['resolve', SLUG, '--ours'], code: 1, error: 'Error: No git merge is in progress, so alpha has no merge conflict to resolve.' },
      { args: ['plan', SLUG, ...AGENT, '--until', 'nowhere'], code: 2, error: "Error: --until must be a planning step or 'terminal', got 'nowhere'" },
      { args: ['review', SLUG, '--reject'], code: 2, error: 'Error: A rejection needs a reason: --reject --reason "<why>".' },
      { args: ['list', '--status', 'bogus'], code: 2, error: "Error: Option '--status <status...>' argument 'bogus' is invalid. Allowed choices are planning, ready, in-progress, skipped, done." },
    ]);

    expect(p.cli(['review', SLUG, '--approve']).code).toBe(0);
    expect(p.cli(['phase', 'done', SLUG]).code).toBe(0);
    expectExits(p, [
      { args: ['review', SLUG, '--approve'], code: 1, error: "Error: Migration 'alpha' is not awaiting human review." },
      { args: ['refine', SLUG, '--message', 'change it', ...AGENT], code: 1, error: "Error: Migration 'alpha' has completed phase work and cannot be refined" },
      { args: ['phase', 'done', SLUG, '--phase', 'add-api'], code: 1, error: "Error: Phase 'add-api' is not the current phase of 'alpha' (current: 'remove-old'); phases are completed in order" },
      { args: ['phase', 'done', SLUG, '--phase', 'polish'], code: 2, error: "Error: Cannot complete unknown phase 'polish'" },
      { args: ['refine', SLUG, '--message', ' ', ...AGENT], code: 2, error: 'Error: Refinement feedback must not be empty.' },
    ]);

    expect(p.cli(['phase', 'done', SLUG]).code).toBe(0);
    expectExits(p, [
      { args: ['plan', SLUG, ...AGENT], code: 1, error: "Error: Migration 'alpha' has status 'done'; only planning migrations have a next planning step" },
      { args: ['phase', 'done', SLUG], code: 1, error: "Error: Migration 'alpha' has status 'done'; only ready or in-progress migrations have phases to complete" },
      { args: ['run', SLUG, ...AGENT, '--validate', 'true'], code: 1, error: "Error: Migration 'alpha' has status 'done'; there is no phase to run" },
    ]);
  });
});
