import { randomBytes } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { CairnError, messageOf, compareCodePoints, lazily, localTimestamp, toPosix } from '../util/index.js';
import { encodeJson, jsonObject, readTextFile, type JsonObject } from '../json/index.js';
import { assertConfined, mkdirDurable, writeFileDurable, copyTreeDurable, isDirectory, pathExists, runGit, type TreeFingerprint } from '../fs/index.js';
import { STEPS, isSafeSlug } from '../migration/index.js';
import { claimRun } from './run-owner.js';
import { readSealKey, sealKey, sealMatches, sealOf } from './run-seal.js';

/*
 * Planning runs (docs/format.md §9.1): every mutation is prepared in a workspace,
 * `<repo>/.planning/work/<slug>/<run-id>/<slug>`, a full copy of the live
 * migration, next to a `run.json` that says what the run is for and which
 * live snapshot it started from. A manual run keeps its workspace until
 * `cairn accept` publishes it; a successful run's directory is removed; a
 * failed one is kept for inspection.
 */

/** `.planning/work/` under the repository root: workspaces (gitignored). */
export const WORKSPACES_RELATIVE_DIR = path.join('.planning', 'work');

export const RUN_RECORD_FILE = 'run.json';

/** How the step's output arrives: from an agent process, or later through `cairn accept`. */
export type RunMode = 'agent' | 'manual';

/** `<run-dir>/run.json` (built on first use). */
export const runRecordSchema = lazily(() =>
  z
    .object({
      schema_version: z.literal(1),
      run_id: z.string().min(1),
      slug: z.string().min(1),
      /** The planning step the run executes; null for runs that run no step (review, phase done). */
      step: z.enum(STEPS).nullable(),
      /** The publish operation, e.g. `planning.expand` or `migration.refine.revise`. */
      operation: z.string().min(1),
      mode: z.enum(['agent', 'manual']),
      base_snapshot_id: z.string().regex(/^[0-9a-f]{64}$/),
      agent: z.string().nullable(),
      model: z.string().nullable(),
      effort: z.string().nullable(),
      prompt_sha256: z.string().nullable(),
      created_at: z.string().min(1),
      /** The workspace as it was handed to the agent or person: path → fingerprint (fs/tree-fingerprint.ts). */
      prepared_tree: z.record(z.string(), z.string()),
      /**
       * HMAC-SHA256 of the other fields under the user's run seal key
       * (run-seal.ts); null for an agent run when the key cannot be created.
       */
      seal: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
    })
    .strict(),
);

export type RunRecord = z.infer<ReturnType<typeof runRecordSchema>>;

/** A run record before cairn seals it. */
export type UnsealedRunRecord = Omit<RunRecord, 'seal'>;

/** One planning run's directories. */
export interface RunPaths {
  runId: string;
  /** `<repo>/.planning/work/<slug>/<run-id>` */
  runDir: string;
  /** `<runDir>/<slug>`: the candidate tree. */
  workspaceDir: string;
}

/** `<repo>/.planning/work/<slug>`: every run of one migration. */
export function slugWorkDir(repoRoot: string, slug: string): string {
  return path.join(repoRoot, WORKSPACES_RELATIVE_DIR, slug);
}

/**
 * `<repo>/.planning/work/<slug>`, after checking that it leads nowhere
 * outside the repository: a committed `.planning/work` (or `.planning`)
 * symlink would put workspace copies and `run.json` wherever it points.
 * Throws CairnError('unsafe-path') before anything is created.
 */
export function confinedWorkRoot(repoRoot: string, slug: string): string {
  const workRoot = slugWorkDir(repoRoot, slug);
  assertConfined(repoRoot, workRoot, 'the planning work directory', 'directory');
  return workRoot;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `<YYYYMMDDTHHMMSSmmm>-<16 hex>`: sorts by creation time, unique. */
export function newRunId(date: Date = new Date()): string {
  const stamp =
    `${pad(date.getFullYear(), 4)}${pad(date.getMonth() + 1)}${pad(date.getDate())}` +
    `T${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}${pad(date.getMilliseconds(), 3)}`;
  return `${stamp}-${randomBytes(8).toString('hex')}`;
}

/** The paths of run `runId` of `slug` under `workRoot` (default the repository's `.planning/work/<slug>`). */
export function runPaths(workRoot: string, slug: string, runId: string): RunPaths {
  const runDir = path.join(workRoot, runId);
  return { runId, runDir, workspaceDir: path.join(runDir, slug) };
}

/**
 * Creates a run directory under `workRoot`, owned by this process (see
 * run-owner.ts), and copies the live migration dir into its workspace (a missing live dir gives an empty workspace).
 * Throws `CairnError('invalid-input')` for an unsafe slug, and the copy's
 * errors (`CairnError('snapshot')` for a symlink in the live tree).
 */
export async function createRunWorkspace(workRoot: string, slug: string, liveDir: string, now: Date = new Date()): Promise<RunPaths> {
  if (!isSafeSlug(slug)) throw new CairnError('invalid-input', `Migration slug is not a safe path segment: '${slug}'`);
  const paths = runPaths(workRoot, slug, newRunId(now));
  await mkdirDurable(paths.runDir);
  await claimRun(paths.runDir);
  if (await pathExists(liveDir)) {
    await copyTreeDurable(liveDir, paths.workspaceDir);
  } else {
    await mkdir(paths.workspaceDir);
  }
  return paths;
}

/** A run record's fields without its seal as a JSON object (the seal's payload is its encoding). */
function unsealedJson(record: UnsealedRunRecord): JsonObject {
  const object = jsonObject();
  for (const [key, value] of Object.entries(record)) {
    if (key === 'seal') continue;
    if (key === 'prepared_tree') {
      const tree = jsonObject();
      for (const [rel, fingerprint] of Object.entries(value as TreeFingerprint)) tree[rel] = fingerprint;
      object[key] = tree;
    } else {
      object[key] = value as string | number | null;
    }
  }
  return object;
}

/**
 * Seals the record with the user's run seal key (created on first use) and
 * writes `<runDir>/run.json` (sorted keys, 2-space indent, trailing newline).
 * A manual run needs its seal (`cairn accept` uses nothing else); an agent
 * run, which nothing resumes, is written unsealed when the key cannot be
 * created (a read-only home directory in CI).
 */
export async function writeRunRecord(runDir: string, record: UnsealedRunRecord): Promise<void> {
  const payload = encodeJson(unsealedJson(record));
  let seal: string | null;
  try {
    seal = sealOf(await sealKey(), payload);
  } catch (error) {
    if (record.mode === 'manual') throw error;
    seal = null;
  }
  const sealed = runRecordSchema().parse({ ...record, seal });
  const object = unsealedJson(sealed);
  object['seal'] = sealed.seal;
  await writeFileDurable(path.join(runDir, RUN_RECORD_FILE), encodeJson(object));
}

/** Whether the record's seal was made with `key`: the run was prepared by this user on this machine. */
export function hasValidSeal(record: RunRecord, key: Buffer | null): boolean {
  return key !== null && record.seal !== null && sealMatches(key, encodeJson(unsealedJson(record)), record.seal);
}

/** Reads and checks `<runDir>/run.json`; null when it is missing or not a run record. Does not check the seal. */
export async function readRunRecord(runDir: string): Promise<RunRecord | null> {
  let text: string;
  try {
    text = await readTextFile(path.join(runDir, RUN_RECORD_FILE));
  } catch {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = runRecordSchema().safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A run found on disk. */
export interface FoundRun extends RunPaths {
  record: RunRecord;
}

/** A run directory cairn does not use, and why. */
export interface IgnoredRun {
  runId: string;
  runDir: string;
  why: string;
}

/** The runs of one migration: those cairn may use, and those it ignores. */
export interface RunScan {
  /** Runs prepared by this user on this machine, oldest first. */
  runs: FoundRun[];
  /** Run directories with files tracked by git, and manual runs without a valid seal. */
  ignored: IgnoredRun[];
}

/**
 * The run ids under `.planning/work/<slug>` that hold files tracked by git
 * (committed or staged): such a run came from the repository, not from this
 * user. Empty outside git.
 */
function trackedRunIds(repoRoot: string, slug: string): Set<string> {
  const prefix = `${toPosix(WORKSPACES_RELATIVE_DIR)}/${slug}/`;
  const listed = runGit(repoRoot, ['ls-files', '-z', '--', prefix]);
  const ids = new Set<string>();
  if (listed.status !== 0) return ids;
  for (const file of listed.stdout.split('\0')) {
    if (!file.startsWith(prefix)) continue;
    const id = file.slice(prefix.length).split('/')[0];
    if (id !== undefined && id !== '') ids.add(id);
  }
  return ids;
}

/**
 * Every run of `slug` under its work dir. A run is used only when its
 * record is readable, names its slug and id, is sealed with this user's run
 * seal key, its workspace exists, and git tracks none of its files: a run
 * committed to the repository (or forged) is ignored, whatever its
 * `created_at` says.
 */
export async function scanRuns(repoRoot: string, slug: string): Promise<RunScan> {
  const workRoot = slugWorkDir(repoRoot, slug);
  let names: string[];
  try {
    names = (await readdir(workRoot, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return { runs: [], ignored: [] };
  }
  if (names.length === 0) return { runs: [], ignored: [] };
  const tracked = trackedRunIds(repoRoot, slug);
  const key = readSealKey();
  const runs: FoundRun[] = [];
  const ignored: IgnoredRun[] = [];
  for (const name of names.sort(compareCodePoints)) {
    const paths = runPaths(workRoot, slug, name);
    const ignore = (why: string) => ignored.push({ runId: name, runDir: paths.runDir, why });
    if (tracked.has(name)) {
      ignore('its files are tracked by git');
      continue;
    }
    const record = await readRunRecord(paths.runDir);
    if (record === null || record.slug !== slug || record.run_id !== name) continue;
    if (!hasValidSeal(record, key)) {
      // Only a manual run would have been a candidate for `cairn accept`: name those.
      if (record.mode === 'manual') ignore('its run record was not sealed by this user on this machine');
      continue;
    }
    if (!(await isDirectory(paths.workspaceDir))) continue;
    runs.push({ ...paths, record });
  }
  runs.sort((a, b) => {
    const byTime = Date.parse(a.record.created_at) - Date.parse(b.record.created_at);
    return byTime !== 0 && !Number.isNaN(byTime) ? byTime : compareCodePoints(a.runId, b.runId);
  });
  return { runs, ignored };
}

/** Every run of `slug` that cairn may use (see {@link scanRuns}), oldest first. */
export async function listRuns(repoRoot: string, slug: string): Promise<FoundRun[]> {
  return (await scanRuns(repoRoot, slug)).runs;
}

/** The newest manual run waiting for `cairn accept` (null when there is none), and the run dirs ignored. */
export async function findManualRun(repoRoot: string, slug: string): Promise<{ run: FoundRun | null; ignored: IgnoredRun[] }> {
  const scan = await scanRuns(repoRoot, slug);
  const manual = scan.runs.filter((run) => run.record.mode === 'manual' && run.record.step !== null);
  return { run: manual[manual.length - 1] ?? null, ignored: scan.ignored };
}

/**
 * The newest manual run of `slug` that is waiting for `cairn accept`, or
 * null when there is none.
 */
export async function latestManualRun(repoRoot: string, slug: string): Promise<FoundRun | null> {
  confinedWorkRoot(repoRoot, slug);
  return (await findManualRun(repoRoot, slug)).run;
}

/**
 * Removes a run directory, then the slug's work dir and `.planning/work`
 * when they are left empty. Never throws: a leftover run dir is harmless
 * (it is gitignored) and is reported by the caller through the return value.
 */
export async function removeRun(runDir: string): Promise<string | null> {
  // Never delete through a link: the slug's work dir and `.planning/work` must be real directories.
  const linked = [path.dirname(runDir), path.dirname(path.dirname(runDir))].find((dir) => lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink() === true);
  if (linked !== undefined) return `did not remove run directory ${runDir}: ${linked} is a symbolic link`;
  try {
    await rm(runDir, { recursive: true, force: true });
  } catch (error) {
    return `could not remove run directory ${runDir}: ${messageOf(error)}`;
  }
  for (let dir = path.dirname(runDir), i = 0; i < 2; dir = path.dirname(dir), i++) {
    try {
      await rmdir(dir);
    } catch {
      break;
    }
  }
  return null;
}

/** The run record of a new run, stamped now (sealed when written). */
export function newRunRecord(fields: Omit<UnsealedRunRecord, 'schema_version' | 'created_at'>, now: Date = new Date()): UnsealedRunRecord {
  return { schema_version: 1, ...fields, created_at: localTimestamp(now) };
}

