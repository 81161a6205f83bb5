import { existsSync } from 'node:fs';
import type { ProjectContext } from '../config/index.js';
import { STEPS } from '../migration/index.js';
import { resolveMigrationTarget } from '../planning/index.js';
import { openStore, storePathFor, type EventRecord, type RunSummary, type Store } from '../store/index.js';
import { CairnError } from '../util/index.js';

/** How many runs and events the run log shows by default. */
export const DEFAULT_LOG_LIMIT = 20;

/** The steps runs are recorded under: the planning steps, then those of carrying out a phase. */
export const LOG_STEPS: readonly string[] = [...STEPS, 'baseline', 'ready-check', 'execute', 'validate', 'execute.diff'];

/** `step` when runs are recorded under it; a usage error naming the steps otherwise. */
export function parseLogStep(step: string): string {
  if (LOG_STEPS.includes(step)) return step;
  throw new CairnError('usage', `Unknown step '${step}' for --step.`, { hint: `Steps: ${LOG_STEPS.join(', ')}.` });
}

/**
 * The slug whose history to show. A path (`migrations/x`) is resolved like
 * every command's `<slug-or-path>`; a bare slug is taken as it is, so the
 * history of a migration that was removed or renamed can still be read.
 */
export function logSlug(context: ProjectContext, target: string): string {
  if (!target.includes('/') && !target.includes('\\')) return target;
  return resolveMigrationTarget(target, context.liveRoot, context.repoRoot).slug;
}

/** Which runs and events the run log shows. */
export interface LogFilter {
  slug?: string | undefined;
  step?: string | undefined;
  failedOnly: boolean;
  limit: number;
}

/** The runs and events the run log shows, newest first; filtering by step or failure shows runs only. */
export function logEntries(store: Store, filter: LogFilter): { runs: RunSummary[]; events: EventRecord[] } {
  const runs = store.listRuns({
    ...(filter.slug !== undefined ? { slug: filter.slug } : {}),
    ...(filter.step !== undefined ? { step: filter.step } : {}),
    failedOnly: filter.failedOnly,
    limit: filter.limit,
  });
  const runsOnly = filter.failedOnly || (filter.step !== undefined && filter.step !== '');
  const events = runsOnly ? [] : store.listEvents({ ...(filter.slug !== undefined ? { slug: filter.slug } : {}), limit: filter.limit });
  return { runs, events };
}

/**
 * Reads the local store (read-only, never created or migrated) with `read`;
 * null when there is no store yet: nothing has been run or published from
 * this checkout.
 */
export function readRunLog<T>(context: ProjectContext, read: (store: Store) => T): T | null {
  const storePath = storePathFor(context.repoRoot);
  if (!existsSync(storePath)) return null;
  const store = openStore(storePath, { readonly: true, quickCheck: false });
  try {
    return read(store);
  } finally {
    store.close();
  }
}
