import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEligibleNow } from '../../src/planning/ready.js';

const NOW = new Date('2026-06-10T12:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '+00:00');
const DAY = 24 * 60 * 60 * 1000;

describe('eligibility now (docs/format.md §10.3)', () => {
  const base = { cooldown_until: null, wake_up_on: null, last_touch: iso(NOW.getTime()) };

  it('is eligible with no cooldown and no wake-up date', () => {
    expect(isEligibleNow(base, NOW)).toBe(true);
  });

  it('waits for a cooldown to end (an end at exactly now counts as ended)', () => {
    expect(isEligibleNow({ ...base, cooldown_until: iso(NOW.getTime() + 1) }, NOW)).toBe(false);
    expect(isEligibleNow({ ...base, cooldown_until: iso(NOW.getTime()) }, NOW)).toBe(true);
  });

  it('waits for a wake-up date unless the last touch is at least 7 days old', () => {
    const wakeUp = iso(NOW.getTime() + DAY);
    expect(isEligibleNow({ ...base, wake_up_on: wakeUp }, NOW)).toBe(false);
    expect(isEligibleNow({ ...base, wake_up_on: wakeUp, last_touch: iso(NOW.getTime() - 7 * DAY) }, NOW)).toBe(true);
    expect(isEligibleNow({ ...base, wake_up_on: wakeUp, last_touch: iso(NOW.getTime() - 7 * DAY + 1) }, NOW)).toBe(false);
    expect(isEligibleNow({ ...base, wake_up_on: '2026-06-10T05:00:00.000-07:00' }, NOW)).toBe(true);
  });

  it('an active cooldown always defers, whatever the wake-up fields say', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 365 * DAY }),
        fc.option(fc.integer({ min: -365 * DAY, max: 365 * DAY })),
        fc.integer({ min: -365 * DAY, max: 365 * DAY }),
        (ahead, wake, touched) => {
          const manifest = {
            cooldown_until: iso(NOW.getTime() + ahead),
            wake_up_on: wake === null ? null : iso(NOW.getTime() + wake),
            last_touch: iso(NOW.getTime() + touched),
          };
          expect(isEligibleNow(manifest, NOW)).toBe(false);
        },
      ),
    );
  });
});
