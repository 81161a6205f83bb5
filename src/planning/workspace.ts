import { randomBytes } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CairnError, messageOf, compareCodePoints, localTimestamp } from '../util/index.js';
import { encodeJson, jsonObject, readTextFile } from '../json/index.js';
import { assertConfined, mkdirDurable, writeFileDurable, copyTreeDurable, isDirectory, pathExists } from '../fs/index.js';
import { WORKSPACES_RELATIVE_DIR } from './new-migration.js';
import { STEPS, isSafeSlug } from '../migration/index.js';

/*
 * Planning runs (docs/format.md §9.1): every mutation is prepared in a workspace,
 * `<repo>/.planning/work/<slug>/<run-id>/<slug>`, a full copy of the live
 * migration, next to a `run.json` that says what the run is for and which
 * live snapshot it started from. A manual run keeps its workspace until
 * `cairn accept` publishes it; a successful run's directory is removed; a
 * failed one is kept for inspection.
 */

export const RUN_RECORD_FILE = 'run.json';

/** How the step's output arrives: from an agent process, or later through `cairn accept`. */
export type RunMode = 'agent' | 'manual';

/** `<run-dir>/run.json`. */
export const RunRecordSchema = z
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
  })
  .strict();

export type RunRecord = z.infer<typeof RunRecordSchema>;

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
 * Creates a run directory under `workRoot` and copies the live migration
 * dir into its workspace (a missing live dir gives an empty workspace).
 * Throws `CairnError('invalid-input')` for an unsafe slug, and the copy's
 * errors (`CairnError('snapshot')` for a symlink in the live tree).
 */
export async function createRunWorkspace(workRoot: string, slug: string, liveDir: string, now: Date = new Date()): Promise<RunPaths> {
  if (!isSafeSlug(slug)) throw new CairnError('invalid-input', `Migration slug is not a safe path segment: '${slug}'`);
  const paths = runPaths(workRoot, slug, newRunId(now));
  await mkdirDurable(paths.runDir);
  if (await pathExists(liveDir)) {
    await copyTreeDurable(liveDir, paths.workspaceDir);
  } else {
    await mkdir(paths.workspaceDir);
  }
  return paths;
}

/** Writes `<runDir>/run.json` (sorted keys, 2-space indent, trailing newline). */
export async function writeRunRecord(runDir: string, record: RunRecord): Promise<void> {
  const checked = RunRecordSchema.parse(record);
  const object = jsonObject();
  for (const [key, value] of Object.entries(checked)) object[key] = value as string | number | null;
  await writeFileDurable(path.join(runDir, RUN_RECORD_FILE), encodeJson(object));
}

/** Reads and checks `<runDir>/run.json`; null when it is missing or not a run record. */
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
  const parsed = RunRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A run found on disk. */
export interface FoundRun extends RunPaths {
  record: RunRecord;
}

/** Every readable run of `slug` under its work dir, oldest first. */
export async function listRuns(repoRoot: string, slug: string): Promise<FoundRun[]> {
  const workRoot = slugWorkDir(repoRoot, slug);
  let names: string[];
  try {
    names = (await readdir(workRoot, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
  const runs: FoundRun[] = [];
  for (const name of names.sort(compareCodePoints)) {
    const paths = runPaths(workRoot, slug, name);
    const record = await readRunRecord(paths.runDir);
    if (record === null || record.slug !== slug || record.run_id !== name) continue;
    if (!(await isDirectory(paths.workspaceDir))) continue;
    runs.push({ ...paths, record });
  }
  return runs.sort((a, b) => {
    const byTime = Date.parse(a.record.created_at) - Date.parse(b.record.created_at);
    return byTime !== 0 && !Number.isNaN(byTime) ? byTime : compareCodePoints(a.runId, b.runId);
  });
}

/**
 * The newest manual run of `slug` that is waiting for `cairn accept`, or
 * null when there is none.
 */
export async function latestManualRun(repoRoot: string, slug: string): Promise<FoundRun | null> {
  confinedWorkRoot(repoRoot, slug);
  const runs = (await listRuns(repoRoot, slug)).filter((run) => run.record.mode === 'manual' && run.record.step !== null);
  return runs[runs.length - 1] ?? null;
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

/** The run record of a new run, stamped now. */
export function newRunRecord(fields: Omit<RunRecord, 'schema_version' | 'created_at'>, now: Date = new Date()): RunRecord {
  return { schema_version: 1, ...fields, created_at: localTimestamp(now) };
}

