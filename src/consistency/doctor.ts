import path from 'node:path';
import { compareCodePoints, mapInThreads, messageOf, resolvedRoots, visibleText, workerModuleExists, yieldToEventLoop } from '../util/index.js';
import { MIGRATION_FILES, listMigrationDirectories, type Finding } from '../migration/index.js';
import { startPrefetch, type PrefetchScope } from '../fs/index.js';
import { TRANSACTIONS_DIR } from '../publish/index.js';
import { CONFIG_SLUG, configFindings } from './config-rules.js';
import { inspectMigration, type InspectOptions, type InspectedFiles } from './migration.js';
import { makeFinding } from './rules.js';
import { TRANSACTIONS_SLUG, transactionFindings, type TransactionCheckOptions } from './transactions.js';
import { committedWorkFindings } from './work-rules.js';
import { verifiedDigestsAt } from './verified-digests.js';

/** The findings of one checked unit: a migration, the live root's transactions, or the project config. */
export interface DoctorGroup {
  /** The migration slug, `__transactions__` or `.planning`. */
  slug: string;
  /** The directory or file that was checked. */
  path: string;
  kind: 'migration' | 'transactions' | 'config' | 'live-root';
  findings: Finding[];
}

/**
 * The files a migration's check reads: the manifest, plan and phase docs at
 * its top, the state, sums and review records, and the stage outputs when a
 * sums file has them checked (not the approach notes the rules never open).
 */
const DOCTOR_READS: PrefetchScope = {
  // Read by doctor and report, not by list: a cached plan says doctor's files were read lately.
  probe: 'plan.md',
  topLevel: true,
  files: [MIGRATION_FILES.state, MIGRATION_FILES.sums, MIGRATION_FILES.reviews],
  subdirs: [{ dir: MIGRATION_FILES.stages, when: MIGRATION_FILES.sums }],
};

/**
 * {@link DOCTOR_READS} when the store holds verified digests of stage
 * outputs (`cairn index`): the sums rule takes those instead of reading the
 * files, so reading them ahead would only cost the disk.
 */
const DOCTOR_READS_WITH_DIGESTS: PrefetchScope = { probe: 'plan.md', topLevel: true, files: DOCTOR_READS.files ?? [] };

/** How many migrations `doctorAll` checks at once by default. */
export const DOCTOR_CONCURRENCY = 32;

/**
 * `cairn doctor <target>`: the `doctor`-mode rules plus the planning-state
 * findings for one migration directory. No transaction checks. Never
 * throws: an unexpected failure becomes a `check-failed` finding.
 */
export async function doctorMigration(
  target: { slug: string; path: string },
  options: { repoRoot: string; realpaths?: Map<string, string>; digestStore?: string | undefined; onLoaded?: InspectOptions['onLoaded'] },
): Promise<DoctorGroup> {
  let findings: Finding[];
  try {
    findings = await inspectMigration(target.path, {
      mode: 'doctor',
      repoRoot: options.repoRoot,
      slug: target.slug,
      planningState: true,
      realpaths: options.realpaths,
      digestStore: options.digestStore,
      onLoaded: options.onLoaded,
    });
  } catch (error) {
    findings = [
      makeFinding('check-failed', {
        mode: 'doctor',
        slug: target.slug,
        path: target.path,
        message: `Checking ${target.slug} failed: ${messageOf(error)}`,
      }),
    ];
  }
  return { slug: target.slug, path: target.path, kind: 'migration', findings };
}

/**
 * A migration directory whose name is not a safe slug because of the
 * characters it holds: one `unsafe-migration-name` finding, and none of its
 * files are read.
 */
export function unsafeNameGroup(target: { slug: string; path: string }): DoctorGroup {
  const finding = makeFinding('unsafe-migration-name', {
    mode: 'doctor',
    slug: target.slug,
    path: target.path,
    message: `Migration directory name '${visibleText(target.slug)}' holds control, bidi or invisible characters; cairn does not work on it.`,
  });
  return { slug: target.slug, path: target.path, kind: 'migration', findings: [finding] };
}

export interface DoctorAllOptions extends TransactionCheckOptions {
  repoRoot: string;
  liveRoot: string;
  /** `.planning/config.json`, checked first (slug `.planning`) when given. */
  configPath?: string | undefined;
  /** Migrations checked at once (default {@link DOCTOR_CONCURRENCY}). */
  concurrency?: number;
  /**
   * The local store (`.planning/cairn.db`) whose verified digests of stage
   * outputs may stand for hashing them: a path, so each thread that checks
   * migrations opens its own read-only reader (`provideVerifiedDigests`).
   */
  digestStore?: string | undefined;
  /** Called after each migration's group is ready, with the count done and the total. */
  onProgress?: (done: number, total: number, slug: string) => void;
  /** Worker threads that check migrations besides this one; without it every check runs in this thread. */
  threads?: DoctorThreads;
  /**
   * Checks safe migrations in this thread: {@link doctorChunk} unless the
   * caller adds its own work to each group (the worker of `threads` must
   * then run the same function).
   */
  checkChunk?: (names: string[], setup: DoctorChunkSetup) => Promise<DoctorGroup[]>;
  /** Given to `checkChunk` (in every thread) as `setup.extra`; structured-cloneable. */
  chunkExtra?: unknown;
}

/** Worker threads for {@link doctorAll}: a module that serves {@link doctorChunk}, and how many to start. */
export interface DoctorThreads {
  workerUrl: URL;
  /** Worker threads to start besides the calling thread. */
  workers: number;
  /** Start them even for a project below {@link THREADED_MIN_MIGRATIONS} (an explicit request). */
  always?: boolean;
}

/** Fewer migrations than this are checked in the calling thread alone: starting threads costs more than it saves. */
export const THREADED_MIN_MIGRATIONS = 400;

/** The most migrations a thread checks per chunk; fewer when there are few, so every thread gets some. */
const THREAD_CHUNK = 48;

/** What every check of one `doctorAll` run shares; structured-cloneable, for worker threads. */
export interface DoctorChunkSetup {
  repoRoot: string;
  liveRoot: string;
  /** The repository and live root, resolved once (see `MigrationContext.realpaths`). */
  roots: [string, string][];
  /** `DoctorAllOptions.digestStore`. */
  digestStore?: string | undefined;
  /** `DoctorAllOptions.chunkExtra`. */
  extra?: unknown;
}

/**
 * Checks the migrations named `names` (safe slugs) under `setup.liveRoot`,
 * in order. `then`, when given, runs right after each check with its group
 * and what the check read of the migration (undefined when the manifest
 * could not be loaded), and its result is that migration's entry.
 */
export async function doctorChunk<G extends DoctorGroup = DoctorGroup>(
  names: readonly string[],
  setup: DoctorChunkSetup,
  then?: (group: DoctorGroup, read: InspectedFiles | undefined) => Promise<G>,
): Promise<G[]> {
  const groups: G[] = [];
  for (const name of names) {
    const target = { slug: name, path: path.join(setup.liveRoot, name) };
    let read: InspectedFiles | undefined;
    const onLoaded = then === undefined ? undefined : (files: InspectedFiles) => void (read = files);
    const group = await doctorMigration(target, { repoRoot: setup.repoRoot, realpaths: new Map(setup.roots), digestStore: setup.digestStore, onLoaded });
    // A check that failed part way says nothing reliable about what it read.
    const reliable = group.findings.some((finding) => finding.code === 'check-failed') ? undefined : read;
    groups.push(then === undefined ? (group as G) : await then(group, reliable));
  }
  return groups;
}

/**
 * Runs `producer` over `items` with at most `limit` in flight and yields the
 * results in input order, so no more than `limit` results wait in memory.
 * `producer` must not reject.
 */
async function* orderedWindow<T, R>(items: readonly T[], limit: number, producer: (item: T) => Promise<R>): AsyncGenerator<R> {
  const window: Promise<R>[] = [];
  let next = 0;
  const fill = () => {
    while (next < items.length && window.length < limit) window.push(producer(items[next++] as T));
  };
  fill();
  while (window.length > 0) {
    await yieldToEventLoop();
    const result = await (window.shift() as Promise<R>);
    fill();
    yield result;
  }
}

/**
 * The groups of `directories` (in their order), the safe ones checked on
 * worker threads and this one, the unsafe names answered here.
 */
async function* threadedGroups(
  directories: readonly { name: string; safe: boolean }[],
  safe: readonly string[],
  setup: DoctorChunkSetup,
  threads: DoctorThreads,
  checkChunk: (names: string[], setup: DoctorChunkSetup) => Promise<DoctorGroup[]>,
  counted: (group: DoctorGroup) => DoctorGroup,
): AsyncGenerator<DoctorGroup> {
  const checked = mapInThreads(safe, {
    workerUrl: threads.workerUrl,
    workerData: setup,
    workers: threads.workers,
    chunkSize: Math.min(THREAD_CHUNK, Math.ceil(safe.length / (threads.workers + 1) / 4)),
    runLocal: (names: string[]) => checkChunk(names, setup),
  });
  try {
    for (const directory of directories) {
      if (!directory.safe) {
        yield counted(unsafeNameGroup({ slug: directory.name, path: path.join(setup.liveRoot, directory.name) }));
        continue;
      }
      const next = await checked.next();
      if (next.done === true) throw new Error(`no group came back for ${directory.name}`);
      yield counted(next.value);
    }
  } finally {
    await checked.return(undefined);
  }
}

/**
 * `cairn doctor --all`: the project group (slug `.planning`: the config when
 * `configPath` is given, and run files git tracks under `.planning/work/`), then
 * one group per visible migration in slug order, then the transaction group
 * (`__transactions__`). Migrations are checked with bounded concurrency and
 * yielded as soon as all before them are done, so memory stays bounded by
 * the window. Never throws for bad content.
 */
export async function* doctorAll(options: DoctorAllOptions): AsyncGenerator<DoctorGroup> {
  const committedWork = committedWorkFindings(options.repoRoot);
  if (options.configPath !== undefined) {
    yield {
      slug: CONFIG_SLUG,
      path: options.configPath,
      kind: 'config',
      findings: [...(await configFindings(options.repoRoot, options.configPath)), ...committedWork],
    };
  } else if (committedWork.length > 0) {
    yield { slug: CONFIG_SLUG, path: path.join(options.repoRoot, '.planning'), kind: 'config', findings: committedWork };
  }
  let directories: { name: string; safe: boolean }[];
  try {
    const listed = await listMigrationDirectories(options.liveRoot);
    directories = [
      ...listed.slugs.map((name) => ({ name, safe: true })),
      ...listed.unsafeNames.map((name) => ({ name, safe: false })),
    ].sort((a, b) => compareCodePoints(a.name, b.name));
  } catch (error) {
    directories = [];
    const finding = makeFinding('path-unreadable', {
      mode: 'doctor',
      slug: path.basename(options.liveRoot),
      path: options.liveRoot,
      message: `Could not list the migrations directory ${options.liveRoot}: ${messageOf(error)}`,
    });
    yield { slug: finding.slug, path: options.liveRoot, kind: 'live-root', findings: [finding] };
  }
  let done = 0;
  const setup: DoctorChunkSetup = {
    repoRoot: options.repoRoot,
    liveRoot: options.liveRoot,
    roots: [...resolvedRoots(options.repoRoot, options.liveRoot)],
    digestStore: options.digestStore,
    extra: options.chunkExtra,
  };
  const checkChunk = options.checkChunk ?? doctorChunk;
  const safe = directories.filter((directory) => directory.safe).map((directory) => directory.name);
  // Files on the disk are read ahead while the rules run; files already in the page cache are not.
  const prefetch = startPrefetch(
    safe.map((name) => path.join(options.liveRoot, name)),
    verifiedDigestsAt(options.digestStore)?.holdsAny(options.liveRoot) === true ? DOCTOR_READS_WITH_DIGESTS : DOCTOR_READS,
  );
  const counted = (group: DoctorGroup): DoctorGroup => {
    done++;
    options.onProgress?.(done, directories.length, group.slug);
    if (done % 64 === 0) prefetch.advance(done);
    return group;
  };
  try {
    const threads = options.threads;
    // Unasked, checks run on more threads only when the files are cached: while reading ahead, the
    // reads already keep the second core busy, and more threads checking only slowed the run.
    const threaded =
      threads !== undefined &&
      threads.workers > 0 &&
      (threads.always === true || (safe.length >= THREADED_MIN_MIGRATIONS && !prefetch.reading)) &&
      workerModuleExists(threads.workerUrl);
    if (threaded) {
      yield* threadedGroups(directories, safe, setup, threads, checkChunk, counted);
    } else {
      const check = async (directory: { name: string; safe: boolean }) => {
        if (!directory.safe) return counted(unsafeNameGroup({ slug: directory.name, path: path.join(options.liveRoot, directory.name) }));
        const [group] = await checkChunk([directory.name], setup);
        if (group === undefined) throw new Error(`no group came back for ${directory.name}`);
        return counted(group);
      };
      yield* orderedWindow(directories, Math.max(1, options.concurrency ?? DOCTOR_CONCURRENCY), check);
    }
  } finally {
    prefetch.stop();
  }
  let findings: Finding[];
  try {
    findings = await transactionFindings(options.liveRoot, options);
  } catch (error) {
    findings = [
      makeFinding('check-failed', {
        mode: 'doctor',
        slug: TRANSACTIONS_SLUG,
        path: path.join(options.liveRoot, TRANSACTIONS_DIR),
        message: `Checking ${TRANSACTIONS_DIR} failed: ${messageOf(error)}`,
      }),
    ];
  }
  yield { slug: TRANSACTIONS_SLUG, path: path.join(options.liveRoot, TRANSACTIONS_DIR), kind: 'transactions', findings };
}
