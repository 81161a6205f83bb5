import path from 'node:path';
import { fingerprint, fingerprintOfStats, type Fingerprint, type FreshIndexRows, type IndexEntryInput, type Store, type StoreJson } from '../store/index.js';
import { messageOf, resolvedRoots } from '../util/index.js';
import { mapPrefetched } from '../fs/index.js';
import type { JsonSource } from '../json/index.js';
import { listMigrationDirectories, migrationFiles, peekStateOutputRefs } from '../migration/index.js';
import { LIST_ROW_FILES, listRowRead, readListRows, withUnsafeNameRows, type ListRow, type ReviewPolicy } from '../planning/index.js';

/**
 * Bumped whenever `ListRow` changes shape or a row's dependencies change,
 * so old cached rows are recomputed. A row also depends on the review
 * policy, so the policy is part of the stored format: rows cached under the
 * other policy are recomputed.
 */
const ROW_FORMAT = 4;

/** Recomputed entries written to the index per transaction. */
const WRITE_BATCH = 500;

function rowFormat(policy: ReviewPolicy): string {
  return `${ROW_FORMAT}:${policy}`;
}

/**
 * The files a migration's list row is computed from: its manifest and its
 * state file (read for conflict markers whatever the status), under policy
 * "always" its review records, and for a planning row the stage outputs its
 * state names. An output inside `.planning/stages/` can only appear,
 * disappear or be swapped for a symlink by changing that directory's
 * entries, which changes the directory's own stat fields, so the directory
 * stands for them; outputs elsewhere are listed one by one. The directories
 * above these files need no entry of their own: a directory renamed,
 * replaced, swapped for a symlink or closed to the user changes what `lstat`
 * says of every file under it, or makes it fail.
 */
async function dependencies(migrationDir: string, repoRoot: string, row: ListRow, policy: ReviewPolicy, stateSource: JsonSource | null): Promise<string[]> {
  const files = migrationFiles(migrationDir);
  const deps = [files.manifest, files.state];
  // Under policy "always" a ready row awaits review until reviews.jsonl ends with an approval.
  if (policy === 'always' && (row.status === 'ready' || row.status === 'in-progress')) deps.push(files.reviews);
  if (row.status !== 'planning') return deps;
  deps.push(files.stages);
  for (const ref of await peekStateOutputRefs(files.state, stateSource ?? undefined)) {
    if (ref === '' || path.isAbsolute(ref)) continue;
    const output = path.resolve(repoRoot, ref);
    if (path.dirname(output) !== files.stages && !deps.includes(output)) deps.push(output);
  }
  return deps;
}

/** The fingerprint of `dep`, from the stat fields of its read when it is the file `source` was read from. */
function depFingerprint(dep: string, reads: ReadonlyMap<string, JsonSource | null>): Fingerprint {
  const source = reads.get(dep);
  return source !== undefined && source !== null && 'stats' in source && source.stats !== undefined ? fingerprintOfStats(dep, source.stats) : fingerprint(dep);
}

function rowToJson(row: ListRow, policy: ReviewPolicy): StoreJson {
  return { format: rowFormat(policy), ...row } as unknown as StoreJson;
}

function rowFromJson(value: StoreJson, policy: ReviewPolicy): ListRow | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  if (record['format'] !== rowFormat(policy)) return null;
  const { format: _format, ...row } = record;
  return row as unknown as ListRow;
}

/**
 * Compute a row and its dependencies' fingerprints. The time is taken before
 * anything is read, so a file changed while the row is computed is newer than
 * the entry and is never trusted (the racy rule). A dependency that cannot
 * even be stat'ed (a directory the user may not enter) leaves `deps` null:
 * the row, blocked by the same failure, is shown but not cached, so one
 * unreadable migration never stops the listing of the others.
 */
async function computeEntry(liveRoot: string, repoRoot: string, slug: string, policy: ReviewPolicy, roots: ReadonlyMap<string, string>) {
  const migrationDir = path.join(liveRoot, slug);
  const recordedAtMs = Date.now();
  const { row, manifestSource, stateSource } = await listRowRead(liveRoot, repoRoot, slug, policy, roots);
  const files = migrationFiles(migrationDir);
  const reads = new Map([
    [files.manifest, manifestSource],
    [files.state, stateSource],
  ]);
  let deps: Fingerprint[] | null;
  try {
    deps = (await dependencies(migrationDir, repoRoot, row, policy, stateSource)).map((dep) => depFingerprint(dep, reads));
  } catch {
    deps = null;
  }
  return { slug, deps, row, recordedAtMs };
}

/**
 * Every visible migration's list row, served from the store's index where
 * nothing it was computed from has changed (stat fields, git-index style,
 * with racy-timestamp care) and recomputed elsewhere. Identical to a full
 * scan by construction; without a store it is a full scan. The store is only
 * a cache: when it cannot be read (locked by another process, damaged) the
 * rows come from a full scan, and when it cannot be written the rows stand;
 * either way `warn` is told why. `stored` hears how many recomputed rows
 * each write put in the index.
 */
export async function listMigrations(
  liveRoot: string,
  repoRoot: string,
  store: Store | null,
  policy: ReviewPolicy = 'when-flagged',
  warn: (message: string) => void = () => {},
  stored: (count: number) => void = () => {},
): Promise<ListRow[]> {
  // The directory is read on the thread pool while the index is checked here.
  const listing = listMigrationDirectories(liveRoot);
  const cached = store === null ? null : readIndex(store, liveRoot, warn);
  const { slugs, unsafeNames } = await listing;
  const rows = store === null || cached === null ? await readListRows(liveRoot, repoRoot, slugs, policy) : await safeRows(liveRoot, repoRoot, store, cached, slugs, policy, warn, stored);
  return withUnsafeNameRows(rows, unsafeNames);
}

/** The fresh rows of the index, or null (after a warning) when it cannot be read. */
function readIndex(store: Store, liveRoot: string, warn: (message: string) => void): FreshIndexRows | null {
  try {
    return store.freshIndexRows(liveRoot);
  } catch (error) {
    warn(`the list index could not be read (${messageOf(error)}); listing by a full scan.`);
    return null;
  }
}

/** The rows of the migrations with safe slugs, from the index where it is fresh. */
async function safeRows(
  liveRoot: string,
  repoRoot: string,
  store: Store,
  cached: FreshIndexRows,
  slugs: string[],
  policy: ReviewPolicy,
  warn: (message: string) => void,
  stored: (count: number) => void,
): Promise<ListRow[]> {
  // Recomputed entries are written in batches, so they do not all wait in memory.
  let pending: IndexEntryInput[] = [];
  let writeFailure: unknown = null;
  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0 || writeFailure !== null) return;
    try {
      stored(store.storeIndexMany(liveRoot, batch));
    } catch (error) {
      writeFailure = error;
    }
  };
  const rows = slugs.map((slug) => {
    const row = cached.rows.get(slug);
    return row === undefined ? null : rowFromJson(row, policy);
  });
  const stale = slugs.filter((_, index) => rows[index] === null);
  const roots = resolvedRoots(repoRoot, liveRoot);
  const recomputed = await mapPrefetched(stale, (slug) => path.join(liveRoot, slug), LIST_ROW_FILES, async (slug) => {
    const computed = await computeEntry(liveRoot, repoRoot, slug, policy, roots);
    if (computed.deps !== null) {
      pending.push({ slug, deps: computed.deps, row: rowToJson(computed.row, policy), recordedAtMs: computed.recordedAtMs });
      if (pending.length >= WRITE_BATCH) flush();
    }
    return computed.row;
  });
  flush();
  let next = 0;
  const merged = rows.map((row) => row ?? (recomputed[next++] as ListRow));
  if (writeFailure === null) {
    try {
      // Pruning takes the write lock: only when a migration has gone.
      const listed = new Set(slugs);
      if (cached.slugs.some((slug) => !listed.has(slug))) store.deleteIndexExcept(liveRoot, slugs);
    } catch (error) {
      writeFailure = error;
    }
  }
  if (writeFailure !== null) warn(`the list index could not be updated (${messageOf(writeFailure)}); the next list scans again.`);
  return merged;
}
