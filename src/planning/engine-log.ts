import { messageOf } from '../util/index.js';
import type { RunEndInput, RunStartInput, Store, StoreJson } from '../store/index.js';

/*
 * What the planning engine tells the local store: every agent run (prompt
 * hash, output, exit, verdict) and its events. The store is never the
 * source of truth, so a failure to record is a warning, never a failed step.
 */

export interface PlanningLog {
  /** Records the start of a run; returns its id, or null when it could not be recorded. */
  runStarted(input: RunStartInput): string | null;
  /** Records how run `id` ended (no-op for a null id). */
  runEnded(id: string | null, input: RunEndInput): void;
  event(kind: string, slug: string | null, details: Record<string, unknown>): void;
  /** What could not be recorded, in order. */
  readonly warnings: string[];
}

/** A log that records nothing (no store, or a dry run). */
export function nullPlanningLog(): PlanningLog {
  return { runStarted: () => null, runEnded: () => {}, event: () => {}, warnings: [] };
}

/** The store's run log and events as a `PlanningLog`; without a store, a null log. */
export function storePlanningLog(store: Store | null): PlanningLog {
  if (store === null) return nullPlanningLog();
  const warnings: string[] = [];
  const guard = <T>(what: string, body: () => T, fallback: T): T => {
    try {
      return body();
    } catch (error) {
      warnings.push(`could not record ${what} in the local store: ${messageOf(error)}`);
      return fallback;
    }
  };
  return {
    runStarted: (input) => guard('the agent run', () => store.recordRunStart(input), null),
    runEnded: (id, input) => {
      if (id !== null) guard('the end of the agent run', () => void store.recordRunEnd(id, input), undefined);
    },
    event: (kind, slug, details) =>
      guard(`the ${kind} event`, () => void store.recordEvent({ kind, slug, details: details as StoreJson }), undefined),
    warnings,
  };
}
