import { availableParallelism } from 'node:os';
import path from 'node:path';
import { findProjectRoot, CONFIG_RELATIVE_PATH } from '../config/index.js';
import {
  CONFIG_SLUG,
  closeVerifiedDigests,
  configFindings,
  doctorAll,
  doctorMigration,
  provideVerifiedDigests,
  transactionIncompleteInspector,
  type DoctorGroup,
  type DoctorThreads,
} from '../consistency/index.js';
import { openOutputDigestReader, storePathFor } from '../store/index.js';
import { isCairnError, resolvePath } from '../util/index.js';
import { resolveMigrationTarget } from '../planning/index.js';
import { openProject, type GlobalOptions } from './project.js';

/** Tells how far a check of every migration has come. */
export interface DoctorProgress {
  update: (done: number, total: number) => void;
  clear: () => void;
}

/** What one doctor run checks: the repository it reports paths against and the groups, in order. */
export interface DoctorRun {
  repoRoot: string;
  groups: AsyncIterable<DoctorGroup>;
}

/**
 * When the project context fails on `.planning/config.json`, doctor reports
 * `config-invalid` instead of stopping. Returns null for any other error.
 */
async function configGroup(error: unknown, globals: GlobalOptions): Promise<DoctorGroup | null> {
  if (!isCairnError(error) || error.code !== 'invalid-config') return null;
  const repo = globals.repo;
  const found = repo !== undefined ? path.resolve(process.cwd(), repo) : await findProjectRoot(process.cwd());
  if (found === null) return null;
  const repoRoot = resolvePath(found);
  const configPath = path.join(repoRoot, CONFIG_RELATIVE_PATH);
  const findings = await configFindings(repoRoot, configPath);
  if (findings.length === 0) return null;
  return { slug: CONFIG_SLUG, path: configPath, kind: 'config', findings };
}

/**
 * Threads checking migrations at once when not told: one per core, at most
 * this many. Each worker thread adds about 70 MB to the peak RSS at 10,000
 * migrations, so more are used only when `--jobs` asks.
 */
const DEFAULT_MAX_JOBS = 2;

/**
 * The worker threads of a `doctor --all` run: `jobs` threads check
 * migrations in all, this one included (default: one per CPU core, at most
 * two, and only for a large project; a `jobs` given is used whatever the
 * project's size).
 */
export function doctorThreads(jobs?: number): DoctorThreads {
  const total = jobs ?? Math.min(availableParallelism(), DEFAULT_MAX_JOBS);
  return { workerUrl: new URL('./doctor-worker.js', import.meta.url), workers: Math.max(0, total - 1), always: jobs !== undefined };
}

async function* single<T>(value: Promise<T>): AsyncGenerator<T> {
  yield await value;
}

async function* withProgress(groups: AsyncIterable<DoctorGroup>, clear: () => void): AsyncGenerator<DoctorGroup> {
  try {
    yield* groups;
  } finally {
    clear();
  }
}

/** `groups`, with this thread's readers of verified digests closed once they are done. */
async function* closingDigests(groups: AsyncIterable<DoctorGroup>): AsyncGenerator<DoctorGroup> {
  try {
    yield* groups;
  } finally {
    closeVerifiedDigests();
  }
}

/**
 * The store whose verified digests (`cairn index`) let the sums rule skip
 * unchanged stage outputs. Doctor only reads it, without a lock and without
 * creating a file; a missing, locked or damaged store just means every file
 * is hashed, with the same findings.
 */
export function verifiedDigestStore(repoRoot: string): string {
  provideVerifiedDigests(openOutputDigestReader);
  return storePathFor(repoRoot);
}

/**
 * The groups doctor checks: one migration (`target`) or, without a target,
 * every migration, the lock and leftover transactions. A project whose
 * `.planning/config.json` is invalid yields its `config-invalid` finding
 * instead of an error.
 */
export async function doctorRun(target: string | undefined, globals: GlobalOptions, progress: DoctorProgress | null, jobs?: number): Promise<DoctorRun> {
  let context;
  try {
    context = await openProject(globals, { recover: false });
  } catch (error) {
    const group = await configGroup(error, globals);
    if (group === null) throw error;
    return { repoRoot: path.dirname(path.dirname(group.path)), groups: single(Promise.resolve(group)) };
  }
  const repoRoot = context.repoRoot;
  if (target !== undefined) {
    const resolved = resolveMigrationTarget(target, context.liveRoot, repoRoot);
    return { repoRoot, groups: closingDigests(single(doctorMigration(resolved, { repoRoot, digestStore: verifiedDigestStore(repoRoot) }))) };
  }
  const groups = doctorAll({
    repoRoot,
    digestStore: verifiedDigestStore(repoRoot),
    liveRoot: context.liveRoot,
    configPath: context.configPath ?? undefined,
    inspectTransactionDirs: transactionIncompleteInspector(context.liveRoot),
    onProgress: progress === null ? undefined : (done, total) => progress.update(done, total),
    threads: doctorThreads(jobs),
  });
  return { repoRoot, groups: closingDigests(progress === null ? groups : withProgress(groups, progress.clear)) };
}
