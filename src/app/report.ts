import path from 'node:path';
import type { ProjectContext } from '../config/index.js';
import { closeVerifiedDigests, doctorAll, doctorChunk, transactionIncompleteInspector, type DoctorChunkSetup, type DoctorGroup, type InspectedFiles } from '../consistency/index.js';
import { readRegularTextSync } from '../fs/index.js';
import { readReviewRecords, reviewRecordsOf, type Finding, type Manifest, type PlanningState, type ReviewRecord } from '../migration/index.js';
import { describeMigration, type ReviewPolicy } from '../planning/index.js';
import { hasParentTraversal, messageOf, resolvedRoots, toPosix } from '../util/index.js';
import { doctorThreads, verifiedDigestStore } from './doctor.js';

/*
 * What `cairn report` shows, read with the calls `status` and `doctor` use:
 * each migration's manifest, planning state and review state, its review
 * records, its plan and phase docs, and doctor's findings.
 */

/** A Markdown document of a migration, path relative to the migration. */
export interface ReportDoc {
  file: string;
  text: string;
}

/** One migration as the report sees it. */
export interface ReportMigration {
  slug: string;
  /** Repository-relative directory, `/`-separated. */
  dir: string;
  /** Null when the manifest is missing or cannot be read (`manifestError` says why). */
  manifest: Manifest | null;
  manifestError: string | null;
  state: PlanningState | null;
  stateError: string | null;
  /** Why the migration awaits a human review, or null. */
  awaitingReview: string | null;
  reviews: ReviewRecord[];
  /** The plan and phase docs, read when the page has room for them (`ReportInput.readDocs`); null when the manifest could not be read or none of them can be. */
  docs: ReportDocs | null;
  findings: Finding[];
}

/** Which docs a migration has: the files to read for its page. */
export interface ReportDocs {
  /** Plan first, then the phase docs in manifest order, relative to the migration. */
  files: string[];
}

export interface ReportInput {
  migrations: ReportMigration[];
  /** Doctor's groups that are not a migration (config, lock, leftover transactions) and hold findings. */
  projectGroups: DoctorGroup[];
  /** The docs of `migration` that can be read now, in its order (none when it has none). */
  readDocs(migration: Pick<ReportMigration, 'slug' | 'dir' | 'docs'>): ReportDoc[];
}

/** Largest single doc read into a report. */
const DOC_MAX_BYTES = 1024 * 1024;

function readDoc(migrationDir: string, file: string): ReportDoc | null {
  if (path.isAbsolute(file) || hasParentTraversal(file)) return null;
  try {
    return { file: toPosix(file), text: readRegularTextSync(path.join(migrationDir, file), { noFollow: true, maxBytes: DOC_MAX_BYTES }) };
  } catch {
    return null;
  }
}

function readDocs(migrationDir: string, files: readonly string[]): ReportDoc[] {
  return files.map((file) => readDoc(migrationDir, file)).filter((doc): doc is ReportDoc => doc !== null);
}

/**
 * The docs of a migration, or null when none can be read. Only the first
 * readable one is read now: most migrations of a large project only get a
 * note on the page, and their docs are never needed.
 */
function docsOf(migrationDir: string, manifest: Manifest): ReportDocs | null {
  const files = ['plan.md', ...manifest.phases.map((phase) => phase.file)];
  return files.some((file) => readDoc(migrationDir, file) !== null) ? { files } : null;
}

/** `text` with the repository's absolute path taken out, so the same files give the same report wherever they are checked out. */
function repoRelative(text: string, repoRoot: string): string {
  return text.split(`${repoRoot}${path.sep}`).join('');
}

/** What reading a migration for the report needs of the project; structured-cloneable, for worker threads. */
interface ReportSetup {
  repoRoot: string;
  reviewPolicy: ReviewPolicy;
}

async function migrationInput(context: ReportSetup, group: DoctorGroup, roots: ReadonlyMap<string, string>, read?: InspectedFiles): Promise<ReportMigration> {
  const dir = toPosix(path.relative(context.repoRoot, group.path));
  const findings = group.findings.map((finding) => ({ ...finding, message: repoRelative(finding.message, context.repoRoot) }));
  const base = { slug: group.slug, dir, findings };
  const unreadable = { manifest: null, state: null, stateError: null, awaitingReview: null, reviews: [], docs: null };
  if (group.findings.some((finding) => finding.code === 'unsafe-migration-name')) {
    return { ...base, ...unreadable, manifestError: 'the directory name holds unsafe characters' };
  }
  try {
    const description = await describeMigration(group.slug, group.path, context.repoRoot, context.reviewPolicy, roots, read);
    let reviews: ReviewRecord[] = [];
    try {
      // The check's own read of reviews.jsonl, decoded as readReviewRecords decodes a fresh one.
      if (read?.reviews === undefined) reviews = await readReviewRecords(group.path);
      else if ('bytes' in read.reviews) reviews = await reviewRecordsOf(read.reviews.bytes.toString('utf8'));
    } catch {
      // An unreadable reviews.jsonl is one of doctor's findings; the report shows none.
    }
    return {
      ...base,
      manifest: description.manifest,
      manifestError: null,
      state: description.state,
      stateError: description.stateError === null ? null : repoRelative(description.stateError, context.repoRoot),
      awaitingReview: description.awaitingReview,
      reviews,
      docs: docsOf(group.path, description.manifest),
    };
  } catch (error) {
    return { ...base, ...unreadable, manifestError: repoRelative(messageOf(error), context.repoRoot) };
  }
}

/** A doctor group with the report's view of its migration. */
export interface ReportGroup extends DoctorGroup {
  report?: ReportMigration;
}

/**
 * Doctor's check of the migrations `names` with each one's report input
 * added, read in the same thread right after the check, from the manifest
 * and state the check loaded: run by `report` in every thread
 * (`app/report-worker.ts`).
 */
export async function reportChunk(names: string[], setup: DoctorChunkSetup): Promise<ReportGroup[]> {
  const context = setup.extra as ReportSetup;
  const roots = new Map(setup.roots);
  return doctorChunk(names, setup, async (group, read): Promise<ReportGroup> => ({ ...group, report: await migrationInput(context, group, roots, read) }));
}

/**
 * Every migration of the project, in doctor's order (by slug), with
 * doctor's findings, and doctor's other groups that hold findings. Each
 * migration is read in the thread that checked it (`jobs` as for
 * `doctorThreads`). Never throws for a broken
 * migration: it is reported with what could be read. With `each`, every
 * migration is handed to it as soon as it is ready, in order, and not kept
 * (`migrations` is then empty): a large project's need not all be held.
 */
export async function collectReport(context: ProjectContext, jobs?: number, each?: (migration: ReportMigration) => void): Promise<ReportInput> {
  const migrations: ReportMigration[] = [];
  const projectGroups: DoctorGroup[] = [];
  const setup: ReportSetup = { repoRoot: context.repoRoot, reviewPolicy: context.reviewPolicy };
  const roots = resolvedRoots(context.repoRoot, context.liveRoot);
  const groups = doctorAll({
    repoRoot: context.repoRoot,
    liveRoot: context.liveRoot,
    configPath: context.configPath ?? undefined,
    inspectTransactionDirs: transactionIncompleteInspector(context.liveRoot),
    digestStore: verifiedDigestStore(context.repoRoot),
    threads: { ...doctorThreads(jobs), workerUrl: new URL('./report-worker.js', import.meta.url) },
    checkChunk: reportChunk,
    chunkExtra: setup,
  }) as AsyncIterable<ReportGroup>;
  try {
    for await (const group of groups) {
      if (group.kind === 'migration') {
        const migration = group.report ?? (await migrationInput(setup, group, roots));
        if (each === undefined) migrations.push(migration);
        else each(migration);
      }
      else if (group.findings.length > 0) projectGroups.push(group);
    }
  } finally {
    closeVerifiedDigests();
  }
  const readDocsNow = (migration: Pick<ReportMigration, 'dir' | 'docs'>): ReportDoc[] =>
    migration.docs === null ? [] : readDocs(path.join(context.repoRoot, ...migration.dir.split('/')), migration.docs.files);
  return { migrations, projectGroups, readDocs: readDocsNow };
}
