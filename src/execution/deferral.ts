import type { Manifest } from '../migration/index.js';
export type DeferralKind = 'not-ready' | 'unverifiable' | 'over-budget';
export const COOLDOWN_MS = 6 * 3600 * 1000;
export const WAKE_UP_MS = 7 * 24 * 3600 * 1000;
export function deferPhase(manifest: Manifest, input: { kind: DeferralKind; reason: string; now: Date }): Manifest {
  const iso = (d: Date): string => d.toISOString().replace('Z', '+00:00');
  const next: Manifest = { ...manifest, last_touch: iso(input.now), cooldown_until: iso(new Date(input.now.getTime() + COOLDOWN_MS)), wake_up_on: manifest.wake_up_on ?? iso(new Date(input.now.getTime() + WAKE_UP_MS)) };
  if (input.kind === 'unverifiable') return { ...next, awaiting_human_review: true, human_review_reason: input.reason };
  return next;
}
