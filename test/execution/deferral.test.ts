import { describe, expect, test } from 'vitest';
import { CairnError } from '../../src/util/index.js';
import { encodeManifest, type Manifest } from '../../src/migration/index.js';
import { COOLDOWN_MS, WAKE_UP_MS, deferPhase } from '../../src/execution/index.js';

function manifest(overrides: Partial<Manifest> = {}): Manifest {
  return {
    name: 'split-config',
    created_at: '2026-05-01T09:00:00.000-07:00',
    last_touch: '2026-05-10T09:00:00.000-07:00',
    wake_up_on: null,
    awaiting_human_review: false,
    status: 'ready',
    current_phase: 'adapter',
    phases: [
      { name: 'adapter', file: 'phase-1-adapter.md', done: false, precondition: 'p', required_effort: 'high', effort_reason: 'r' },
      { name: 'switch', file: 'phase-2-switch.md', done: false, precondition: 'q', required_effort: null, effort_reason: null },
    ],
    human_review_reason: null,
    cooldown_until: null,
    ...overrides,
  };
}

const NOW = new Date('2026-05-14T07:27:12.066Z');

describe('deferPhase', () => {
  test('the durations', () => {
    expect(COOLDOWN_MS).toBe(21_600_000);
    expect(WAKE_UP_MS).toBe(604_800_000);
  });

  test('not ready: touch now, cool down 6 hours, wake up in 7 days, in UTC with milliseconds', () => {
    const before = manifest();
    expect(deferPhase(before, { kind: 'not-ready', reason: 'phase 1 not merged', now: NOW })).toEqual({
      ...before,
      last_touch: '2026-05-14T07:27:12.066+00:00',
      cooldown_until: '2026-05-14T13:27:12.066+00:00',
      wake_up_on: '2026-05-21T07:27:12.066+00:00',
    });
  });

  test('over budget is deferred the same way, without human review', () => {
    const before = manifest({ human_review_reason: 'older reason' });
    expect(deferPhase(before, { kind: 'over-budget', reason: 'Phase requires high effort', now: NOW })).toEqual({
      ...before,
      last_touch: '2026-05-14T07:27:12.066+00:00',
      cooldown_until: '2026-05-14T13:27:12.066+00:00',
      wake_up_on: '2026-05-21T07:27:12.066+00:00',
    });
  });

  test('unverifiable also waits for a person and stores the reason', () => {
    const before = manifest();
    expect(deferPhase(before, { kind: 'unverifiable', reason: 'needs a product decision', now: NOW })).toEqual({
      ...before,
      last_touch: '2026-05-14T07:27:12.066+00:00',
      cooldown_until: '2026-05-14T13:27:12.066+00:00',
      wake_up_on: '2026-05-21T07:27:12.066+00:00',
      awaiting_human_review: true,
      human_review_reason: 'needs a product decision',
    });
  });

  test('an existing wake-up time is kept, an existing cooldown replaced', () => {
    const before = manifest({ wake_up_on: '2026-05-15T00:00:00.000-07:00', cooldown_until: '2026-05-13T00:00:00.000+00:00' });
    const after = deferPhase(before, { kind: 'not-ready', reason: 'r', now: NOW });
    expect(after.wake_up_on).toBe('2026-05-15T00:00:00.000-07:00');
    expect(after.cooldown_until).toBe('2026-05-14T13:27:12.066+00:00');
    expect(deferPhase(manifest({ wake_up_on: '' }), { kind: 'not-ready', reason: 'r', now: NOW }).wake_up_on).toBe('');
  });

  test('whole seconds still carry three digits; times cross month and year ends', () => {
    const after = deferPhase(manifest(), { kind: 'not-ready', reason: 'r', now: new Date('2026-12-31T20:00:00Z') });
    expect(after.last_touch).toBe('2026-12-31T20:00:00.000+00:00');
    expect(after.cooldown_until).toBe('2027-01-01T02:00:00.000+00:00');
    expect(after.wake_up_on).toBe('2027-01-07T20:00:00.000+00:00');
  });

  test('the input manifest is not modified', () => {
    const before = manifest();
    const snapshot = structuredClone(before);
    const after = deferPhase(before, { kind: 'unverifiable', reason: 'r', now: NOW });
    expect(before).toEqual(snapshot);
    expect(after.phases).not.toBe(before.phases);
    expect(after.phases[0]).not.toBe(before.phases[0]);
  });

  test('the deferred manifest encodes like a saved one', () => {
    const after = deferPhase(manifest(), { kind: 'unverifiable', reason: 'ask the team', now: NOW });
    const text = encodeManifest(after);
    expect(text).toContain('"cooldown_until": "2026-05-14T13:27:12.066+00:00"');
    expect(text).toContain('"human_review_reason": "ask the team"');
    expect(text).toContain('"awaiting_human_review": true');
  });

  test('an invalid date is refused', () => {
    expect(() => deferPhase(manifest(), { kind: 'not-ready', reason: 'r', now: new Date('nope') })).toThrow(CairnError);
  });
});
