import { describe, expect, it } from 'vitest';
import type { Manifest, Phase } from '../../src/migration/manifest.js';
import { checkFeedback, isRefinable, refineContext, refineRefusal } from '../../src/planning/refine.js';

const phase = (name: string, done = false): Phase => ({ name, file: `phase-1-${name}.md`, done, precondition: 'p', required_effort: null, effort_reason: null });

function manifest(fields: Partial<Manifest>): Manifest {
  return {
    name: 'm1',
    created_at: '2026-01-01T00:00:00.000+00:00',
    last_touch: '2026-01-01T00:00:00.000+00:00',
    wake_up_on: null,
    awaiting_human_review: false,
    status: 'planning',
    current_phase: '',
    phases: [],
    human_review_reason: null,
    cooldown_until: null,
    ...fields,
  };
}

describe('refine eligibility (docs/format.md §9.6 step 3, in order)', () => {
  const cases: [string, Partial<Manifest>, string | null][] = [
    ['a planning migration', { status: 'planning' }, null],
    ['an unexecuted ready migration', { status: 'ready', phases: [phase('a'), phase('b')], current_phase: 'a' }, null],
    ['one awaiting review', { status: 'ready', phases: [phase('a')], current_phase: 'a', awaiting_human_review: true }, null],
    ['done phase work, whatever the status', { status: 'planning', phases: [phase('a', true)] }, "Migration 'm1' has completed phase work and cannot be refined"],
    ['a skipped migration', { status: 'skipped', phases: [phase('a')] }, "Migration 'm1' has status 'skipped'; only planning or unexecuted ready migrations can be refined"],
    ['an in-progress migration', { status: 'in-progress', phases: [phase('a')], current_phase: 'a' }, "Migration 'm1' has status 'in-progress'; only planning or unexecuted ready migrations can be refined"],
    ['a ready migration without phases', { status: 'ready' }, "Migration 'm1' has no phases and cannot be refined"],
    ['a ready migration past its first phase', { status: 'ready', phases: [phase('a'), phase('b')], current_phase: 'b' }, "Migration 'm1' has already advanced past its first phase"],
    ['a ready migration with no current phase', { status: 'ready', phases: [phase('a')], current_phase: '' }, "Migration 'm1' has already advanced past its first phase"],
  ];
  for (const [label, fields, message] of cases) {
    it(`${message === null ? 'accepts' : 'refuses'} ${label}`, () => {
      expect(refineRefusal(manifest(fields), 'm1')).toBe(message);
      expect(isRefinable(manifest(fields), 'm1')).toBe(message === null);
    });
  }
});

describe('refine feedback', () => {
  it('refuses blank feedback and frames the rest for the prompt', () => {
    expect(() => checkFeedback(' \n\t')).toThrow('Refinement feedback must not be empty.');
    expect(() => checkFeedback('x')).not.toThrow();
    expect(refineContext({ text: 'Split phase 2.\n', source: 'file' })).toBe('User refinement feedback:\nSplit phase 2.\n');
  });
});
