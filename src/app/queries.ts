import type { ProjectContext } from '../config/index.js';
import {
  filterRows,
  listReadyWork,
  resolveMergeConflict,
  resolveMigrationTarget,
  type MergeResolution,
  type MergeSide,
  type ListFilter, type ListRow, type ReadyItem } from '../planning/index.js';
import type { Io } from './io.js';
import { listMigrations } from './list-index.js';
import { openServices } from './services.js';

/* The read-only questions both front ends answer: list, status, ready. */

/**
 * How long `list` waits for another process's lock on the store before it
 * scans without the index: a writer holds it for milliseconds, and a full
 * scan costs less than waiting out a long run.
 */
const LIST_BUSY_TIMEOUT_MS = 250;

/**
 * The project's migrations that pass `filter`. With `useIndex`, rows come
 * through the local store's index, which exists in an initialised project
 * only (the store is gitignored there). A store that cannot be opened, read
 * or written never fails the listing: it falls back to a full scan and says
 * so on stderr. So the store is opened without `quick_check` (a tenth of a
 * second at 10,000 rows): damage it would find fails the read instead, and
 * the listing falls back.
 */
export async function listProject(context: ProjectContext, io: Io, filter: ListFilter & { useIndex: boolean }): Promise<ListRow[]> {
  const services =
    context.configPath !== null && filter.useIndex
      ? openServices(context, io, { busyTimeoutMs: LIST_BUSY_TIMEOUT_MS, skipQuickCheck: true, fallback: 'listing by a full scan' })
      : null;
  let rows: ListRow[];
  try {
    rows = await listMigrations(context.liveRoot, context.repoRoot, services?.store ?? null, context.reviewPolicy, (message) =>
      io.stderr(`Warning: ${message}\n`),
    );
  } finally {
    services?.close();
  }
  return filterRows(rows, filter);
}

/** The work that can be done now, in the order `ready` lists it. */
export function readyWork(context: ProjectContext): Promise<ReadyItem[]> {
  return listReadyWork({ liveRoot: context.liveRoot, repoRoot: context.repoRoot, reviewPolicy: context.reviewPolicy });
}

/** `cairn resolve <target> --ours|--theirs` (see `resolveMergeConflict`). */
export function resolveTargetMergeConflict(context: ProjectContext, target: string, options: { side: MergeSide; dryRun: boolean }): Promise<MergeResolution> {
  const resolved = resolveMigrationTarget(target, context.liveRoot, context.repoRoot);
  return resolveMergeConflict(resolved, { repoRoot: context.repoRoot, ...options });
}
