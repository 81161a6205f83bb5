import { describe, expect, it } from 'vitest';
import type { Manifest, Phase } from '../../src/migration/manifest.js';
import { completePhaseInManifest, phaseToComplete } from '../../src/planning/phases.js';

const phase = (name: string, index: number, done = false): Phase => ({
  name,
  file: `phase-${index}-${name}.md`,
  done,
  precondition: 'p',
  required_effort: null,
  effort_reason: null,
});

const READY: Manifest = {
  name: 'm1',
  created_at: '2026-01-01T00:00:00.000+00:00',
  last_touch: '2026-01-01T00:00:00.000+00:00',
  wake_up_on: '2026-02-01T00:00:00.000+00:00',
  awaiting_human_review: false,
  status: 'ready',
  current_phase: 'a',
  phases: [phase('a', 1), phase('b', 2)],
  human_review_reason: 'old reason',
  cooldown_until: '2026-01-02T00:00:00.000+00:00',
};
const AT = '2026-03-01T12:00:00.000+00:00';

describe('completing a phase (docs/format.md §10.2)', () => {
  it('marks it done, clears the schedule and the review flag, and moves to the next phase', () => {
    const next = completePhaseInManifest(READY, 'a', AT);
    expect(next).toEqual({
      ...READY,
      phases: [phase('a', 1, true), phase('b', 2)],
      current_phase: 'b',
      last_touch: AT,
      wake_up_on: null,
      cooldown_until: null,
      awaiting_human_review: false,
      human_review_reason: null,
    });
    expect(READY.phases[0]?.done).toBe(false);
  });

  it('after the last phase: no current phase and status done', () => {
    const next = completePhaseInManifest({ ...READY, current_phase: 'b', phases: [phase('a', 1, true), phase('b', 2)] }, 'b', AT);
    expect([next.status, next.current_phase, next.phases.map((p) => p.done)]).toEqual(['done', '', [true, true]]);
  });

  it('refuses an unknown phase', () => {
    expect(() => completePhaseInManifest(READY, 'zzz', AT)).toThrow("Cannot complete unknown phase 'zzz'");
  });
});

describe('which phase cairn phase done may complete', () => {
  it('the current one, named or not', () => {
    expect(phaseToComplete(READY, 'm1', false, null)).toBe('a');
    expect(phaseToComplete(READY, 'm1', false, 'a')).toBe('a');
    expect(phaseToComplete({ ...READY, status: 'in-progress' }, 'm1', false, null)).toBe('a');
  });

  it('refuses: not ready, a pending review, no current phase, another phase', () => {
    expect(() => phaseToComplete({ ...READY, status: 'planning' }, 'm1', false, null)).toThrow(
      "Migration 'm1' has status 'planning'; only ready or in-progress migrations have phases to complete",
    );
    expect(() => phaseToComplete(READY, 'm1', true, null)).toThrow(
      "Migration 'm1' is awaiting human review; no phase may start or complete before it is reviewed",
    );
    expect(() => phaseToComplete({ ...READY, current_phase: '' }, 'm1', false, null)).toThrow("Migration 'm1' has no current phase to complete");
    expect(() => phaseToComplete(READY, 'm1', false, 'b')).toThrow(
      "Phase 'b' is not the current phase of 'm1' (current: 'a'); phases are completed in order",
    );
    expect(() => phaseToComplete(READY, 'm1', false, 'c')).toThrow("Cannot complete unknown phase 'c'");
  });
});
