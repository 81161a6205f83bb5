import { lstatSync } from 'node:fs';
import path from 'node:path';
import { messageOf, collapseWhitespace, resolvedRoots, compareCodePoints, tsvField, withoutWorkflowCommands } from '../util/index.js';
import { MIGRATION_FILES, listMigrationDirectories, loadManifest, loadState, migrationFiles, type Manifest, type MigrationStatus } from '../migration/index.js';
import { isMissing, mapPrefetched, type PrefetchScope } from '../fs/index.js';
import { readJsonSource, type JsonSource } from '../json/index.js';
import { conflictFilesText, mergeConflictFiles } from '../consistency/index.js';
import type { ReviewPolicy } from './accept-step.js';
import { awaitingReviewReason } from './review-pending.js';

/** One migration as `cairn list` shows it (the v1 tool's columns, typed). */
export interface ListRow {
  slug: string;
  /** The manifest status, or `invalid-manifest` when it is missing or unreadable. */
  status: MigrationStatus | 'invalid-manifest';
  /** `planning:<step>`, `planning:blocked`, a phase file, `blocked` or `(none)`. */
  cursor: string;
  /** Awaiting a human review under the project's policy (`awaitingReviewReason`). */
  awaitingReview: boolean;
  lastTouch: string | null;
  cooldownUntil: string | null;
  /** Why the row is blocked, else the human review reason, else null. */
  reason: string | null;
  /** True when cairn cannot act on the migration until it is repaired. */
  blocked: boolean;
  /**
   * The files holding git conflict markers (`manifest.json`,
   * `.planning/state.json`), or null. The other fields stay what the v1 tool
   * shows (its TSV); text and JSON show the row through {@link shownListRow}.
   */
  mergeConflict: string[] | null;
}

/** A list row as text and JSON show it: a merge conflict is its own status. */
export type ShownListRow = Omit<ListRow, 'status'> & { status: ListRow['status'] | 'merge-conflict' };

/** `row` as text and JSON show it: status `merge-conflict`, blocked, and a reason naming the files and `cairn resolve`. */
export function shownListRow(row: ListRow): ShownListRow {
  if (row.mergeConflict === null) return row;
  return {
    ...row,
    status: 'merge-conflict',
    cursor: 'blocked',
    reason: `merge conflict in ${conflictFilesText(row.mergeConflict)}: cairn resolve ${row.slug} --ours|--theirs`,
    blocked: true,
  };
}

export interface ListFilter {
  /** One status, or any of several. */
  status?: string | readonly string[] | undefined;
  awaitingReview?: boolean | undefined;
}

function blockedManifestRow(slug: string, reason: string): ListRow {
  return {
    slug,
    status: 'invalid-manifest',
    cursor: 'blocked',
    awaitingReview: false,
    lastTouch: null,
    cooldownUntil: null,
    reason,
    blocked: true,
    mergeConflict: null,
  };
}

async function cursorOf(
  manifest: Manifest,
  migrationDir: string,
  repoRoot: string,
  stateSource: JsonSource,
  roots: ReadonlyMap<string, string>,
): Promise<{ cursor: string; reason: string | null }> {
  if (manifest.status === 'planning') {
    const stateFile = migrationFiles(migrationDir).state;
    if (isAbsentAfter(stateSource, stateFile)) return { cursor: 'planning:blocked', reason: 'planning-state-missing' };
    try {
      const state = await loadState(stateFile, { repoRoot, stateFile, publishedRoot: migrationDir, realpaths: new Map(roots) }, stateSource);
      return { cursor: `planning:${state.next_step}`, reason: null };
    } catch {
      return { cursor: 'planning:blocked', reason: 'planning-state-invalid' };
    }
  }
  if (manifest.status === 'ready' || manifest.status === 'in-progress') {
    if (manifest.current_phase === '') return { cursor: '(none)', reason: null };
    const phase = manifest.phases.find((candidate) => candidate.name === manifest.current_phase);
    if (phase === undefined) return { cursor: 'blocked', reason: 'invalid-current-phase' };
    return { cursor: phase.file.split(path.sep).join('/'), reason: null };
  }
  return { cursor: '(none)', reason: null };
}

/**
 * True only when `file` (or its directory) does not exist: a manifest that
 * cannot be looked at (a directory the user may not enter) is not missing,
 * its load fails and says why.
 */
function isAbsent(file: string): boolean {
  try {
    lstatSync(file);
    return false;
  } catch (error) {
    return isMissing(error);
  }
}

/**
 * `isAbsent(file)`, knowing the read of `file` gave `source`: a file that was
 * read exists; a read that found nothing is confirmed with `lstat` (a
 * dangling symlink exists but cannot be opened).
 */
function isAbsentAfter(source: JsonSource, file: string): boolean {
  return 'error' in source && isMissing(source.error) && isAbsent(file);
}

/** The list row of one visible migration directory under review policy `policy`. Never throws for bad files. */
export async function listRow(liveRoot: string, repoRoot: string, slug: string, policy: ReviewPolicy, roots?: ReadonlyMap<string, string>): Promise<ListRow> {
  return (await listRowRead(liveRoot, repoRoot, slug, policy, roots)).row;
}


/**
 * `listRow`, with the reads of the migration's manifest and state file it
 * was computed from (the state's is null when the manifest is missing and
 * the state was not read), so a caller that needs their contents or stat
 * fields too does not read them again. Each of manifest.json and state.json
 * is read once.
 */
export async function listRowRead(
  liveRoot: string,
  repoRoot: string,
  slug: string,
  policy: ReviewPolicy,
  roots: ReadonlyMap<string, string> = new Map(),
): Promise<{ row: ListRow; manifestSource: JsonSource; stateSource: JsonSource | null }> {
  const migrationDir = path.join(liveRoot, slug);
  const files = migrationFiles(migrationDir);
  const manifestSource = readJsonSource(files.manifest);
  if (isAbsentAfter(manifestSource, files.manifest)) return { row: blockedManifestRow(slug, 'missing-manifest'), manifestSource, stateSource: null };
  const stateSource = readJsonSource(files.state);
  const row = await manifestRow(migrationDir, files.manifest, manifestSource, stateSource, repoRoot, slug, policy, roots);
  const conflicted = mergeConflictFiles(files, { manifest: manifestSource, state: stateSource });
  return { row: conflicted.length > 0 ? { ...row, mergeConflict: conflicted } : row, manifestSource, stateSource };
}

async function manifestRow(
  migrationDir: string,
  manifestPath: string,
  manifestSource: JsonSource,
  stateSource: JsonSource,
  repoRoot: string,
  slug: string,
  policy: ReviewPolicy,
  roots: ReadonlyMap<string, string>,
): Promise<ListRow> {
  let manifest: Manifest;
  try {
    manifest = await loadManifest(manifestPath, manifestSource);
  } catch (error) {
    return blockedManifestRow(slug, `invalid-manifest: ${collapseWhitespace(messageOf(error))}`);
  }
  const { cursor, reason } = await cursorOf(manifest, migrationDir, repoRoot, stateSource, roots);
  const reviewReason = await awaitingReviewReason(migrationDir, manifest, policy);
  const recordedReason = manifest.human_review_reason !== null && manifest.human_review_reason !== '' ? manifest.human_review_reason : null;
  return {
    slug,
    status: manifest.status,
    cursor,
    awaitingReview: reviewReason !== null,
    lastTouch: manifest.last_touch,
    cooldownUntil: manifest.cooldown_until,
    reason: reason ?? reviewReason ?? recordedReason,
    blocked: reason !== null,
    mergeConflict: null,
  };
}

export function filterRows(rows: ListRow[], filter: ListFilter): ListRow[] {
  return rows.filter(
    (row) =>
      (filter.status === undefined || (typeof filter.status === 'string' ? row.status === filter.status : filter.status.includes(row.status))) &&
      (filter.awaitingReview !== true || row.awaitingReview),
  );
}

/**
 * The row of a migration directory whose name holds control, bidi or
 * invisible characters: blocked, reason `unsafe-migration-name`; none of its
 * files are read.
 */
export function unsafeNameRow(name: string): ListRow {
  return blockedManifestRow(name, 'unsafe-migration-name');
}

/** `rows` with a blocked row for each unsafe directory name, in code point order of the slug. */
export function withUnsafeNameRows(rows: ListRow[], unsafeNames: readonly string[]): ListRow[] {
  if (unsafeNames.length === 0) return rows;
  return [...rows, ...unsafeNames.map(unsafeNameRow)].sort((a, b) => compareCodePoints(a.slug, b.slug));
}

/** The files a list row is read from, relative to the migration directory: what a scan prefetches. */
export const LIST_ROW_FILES: PrefetchScope = { files: [MIGRATION_FILES.manifest, MIGRATION_FILES.state] };

/** The rows of `slugs` under `liveRoot` by reading their files, in order. */
export function readListRows(liveRoot: string, repoRoot: string, slugs: readonly string[], policy: ReviewPolicy): Promise<ListRow[]> {
  const roots = resolvedRoots(repoRoot, liveRoot);
  return mapPrefetched(slugs, (slug) => path.join(liveRoot, slug), LIST_ROW_FILES, (slug) => listRow(liveRoot, repoRoot, slug, policy, roots));
}

/** Every visible migration's row under review policy `policy` (default `when-flagged`), sorted by slug (a full scan of the files). */
export async function scanMigrations(liveRoot: string, repoRoot: string, policy: ReviewPolicy = 'when-flagged'): Promise<ListRow[]> {
  const { slugs, unsafeNames } = await listMigrationDirectories(liveRoot);
  return withUnsafeNameRows(await readListRows(liveRoot, repoRoot, slugs, policy), unsafeNames);
}

const NONE = '(none)';

/**
 * The v1 tool's TSV: header unless disabled, one line per row. Each field is
 * escaped ({@link tsvField}: `\\`, `\t`, `\n`, `\r`, other controls
 * visible), so a row never splits; ordinary fields are byte for byte the v1
 * tool's.
 */
export function formatListTsv(rows: ListRow[], options: { headers: boolean }): string {
  const lines: string[] = [];
  if (options.headers) lines.push(['slug', 'status', 'cursor', 'awaiting_review', 'last_touch', 'cooldown', 'reason'].join('\t'));
  for (const row of rows) {
    lines.push(
      [
        row.slug,
        row.status,
        row.cursor,
        row.awaitingReview ? 'yes' : 'no',
        row.lastTouch ?? NONE,
        row.cooldownUntil ?? NONE,
        row.reason ?? NONE,
      ]
        .map(tsvField)
        .join('\t'),
    );
  }
  return lines.length === 0 ? '' : withoutWorkflowCommands(`${lines.join('\n')}\n`);
}
