import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ProjectContext } from '../config/index.js';
import { STEPS } from '../migration/index.js';
import { WORKSPACES_RELATIVE_DIR, readRunRecord, resolveMigrationTarget } from '../planning/index.js';
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

/** A planning run on disk, as the run log knows it: its migration, step and prompt hash (the prompt names the workspace, so the hash is the run's own). */
export interface PreparedRun {
  slug: string;
  step: string;
  promptSha256: string;
}

/**
 * The planning run `key` names, when it is not a run log id: a planning run
 * id (`run_id` in `plan --format json`, the workspace's directory name) or a
 * path into its run directory (`.planning/work/<slug>/<run id>/<slug>`,
 * relative to the repository). Null when no run directory with a run record
 * is found: a published run's directory is gone, and so is this way to it.
 */
export async function preparedRun(context: ProjectContext, key: string): Promise<PreparedRun | null> {
  const workRoot = path.join(context.repoRoot, WORKSPACES_RELATIVE_DIR);
  const candidates: string[] = [];
  if (/[\\/]/.test(key)) {
    for (let dir = path.resolve(context.repoRoot, key); dir.startsWith(`${workRoot}${path.sep}`); dir = path.dirname(dir)) candidates.push(dir);
  } else if (key !== '' && key !== '.' && key !== '..') {
    let slugs: string[] = [];
    try {
      slugs = readdirSync(workRoot);
    } catch {
      // no workspaces at all
    }
    for (const slug of slugs) candidates.push(path.join(workRoot, slug, key));
  }
  for (const dir of candidates) {
    const record = await readRunRecord(dir);
    if (record !== null && record.step !== null && record.prompt_sha256 !== null) return { slug: record.slug, step: record.step, promptSha256: record.prompt_sha256 };
  }
  return null;
}

/** The newest run log entry of a prepared run, or null when it never ran (a manual step not accepted yet). */
export function runOfPrepared(store: Store, prepared: PreparedRun): string | null {
  const runs = store.listRuns({ slug: prepared.slug, step: prepared.step, failedOnly: false, limit: 1000 });
  return runs.find((run) => run.promptSha256 === prepared.promptSha256)?.id ?? null;
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
