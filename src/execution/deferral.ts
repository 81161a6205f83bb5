import { CairnError, utcTimestamp } from '../util/index.js';
import type { Manifest } from '../migration/index.js';

/*
 * Deferring a phase that cannot run now: the ready-check said `no` or
 * `unverifiable`, or the phase needs more effort than the run allows. The
 * migration cools down for six hours and, unless a wake-up is already set,
 * wakes up in a week; an `unverifiable` answer also waits for a person.
 * Times are written in UTC with millisecond precision and a `+00:00` offset,
 * the form continuous-refactoring writes for deferrals.
 */

/** Why a phase was deferred. */
export type DeferralKind = 'not-ready' | 'unverifiable' | 'over-budget';

/** How long a deferred migration is skipped: 6 hours. */
export const COOLDOWN_MS = 6 * 60 * 60 * 1000;
/** When a deferred migration without a wake-up time is looked at again at the latest: 7 days. */
export const WAKE_UP_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The manifest after deferring its current phase at `now`: `last_touch` is
 * now, `cooldown_until` now + {@link COOLDOWN_MS}, `wake_up_on` now +
 * {@link WAKE_UP_MS} when it is null (an existing value, even an empty
 * string, is kept). For `unverifiable`, `awaiting_human_review` becomes true
 * and `human_review_reason` the reason. Every other field is unchanged. The
 * input is not modified. Throws `CairnError('invalid-input')` for an invalid
 * date.
 */
export function deferPhase(manifest: Manifest, input: { kind: DeferralKind; reason: string; now: Date }): Manifest {
  const now = input.now.getTime();
  if (Number.isNaN(now)) throw new CairnError('invalid-input', 'Cannot defer a phase at an invalid date');
  const deferred: Manifest = {
    ...manifest,
    phases: manifest.phases.map((phase) => ({ ...phase })),
    last_touch: utcTimestamp(new Date(now)),
    cooldown_until: utcTimestamp(new Date(now + COOLDOWN_MS)),
    wake_up_on: manifest.wake_up_on ?? utcTimestamp(new Date(now + WAKE_UP_MS)),
  };
  if (input.kind === 'unverifiable') {
    deferred.awaiting_human_review = true;
    deferred.human_review_reason = input.reason;
  }
  return deferred;
}
