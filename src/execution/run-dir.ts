import { randomBytes } from 'node:crypto';
import { readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { assertConfined, confinementProblem, mkdirDurable, procStat, readRegularTextSync, writeFileDurable } from '../fs/index.js';
import { encodeJson, parseJson, toPlainJson } from '../json/index.js';
import { isProcessAlive } from '../publish/index.js';
import { WORKSPACES_RELATIVE_DIR } from '../planning/index.js';
import { localTimestamp } from '../util/index.js';

/*
 * Where a phase runs: `.planning/work/.execute/<run-id>/` holds
 * `execution.json` (who runs it and on what) and `tree/`, the git worktree
 * the agent works in. Nested inside the repository on purpose: tools that
 * look up the directory tree (node's module resolution, npm's `.bin` path)
 * find the project's installed dependencies from the worktree too.
 */

export const EXECUTE_RELATIVE_DIR = path.join(WORKSPACES_RELATIVE_DIR, '.execute');
export const EXECUTION_RECORD_FILE = 'execution.json';
const TREE_DIR = 'tree';

export const ExecutionRecordSchema = z
  .object({
    schema_version: z.literal(1),
    run_id: z.string(),
    slug: z.string(),
    phase: z.string(),
    branch: z.string(),
    base_commit: z.string(),
    /** The branch the run started from (`refs/heads/…`), null when HEAD was detached. */
    user_branch: z.string().nullable(),
    worktree: z.string(),
    /** `agent`: a `cairn run` process drives it; `manual`: prepared by the MCP tool next_phase and finished by finish_phase. */
    mode: z.enum(['agent', 'manual']),
    /** The validation command the run is held to (manual runs are finished with the same one). */
    validation_command: z.string().nullable(),
    cairn_pid: z.number().int(),
    /** /proc start time of that process, so a reused pid is never taken for it; null without /proc. */
    cairn_start_time: z.string().nullable(),
    created_at: z.string(),
  })
  .strict();
export type ExecutionRecord = z.infer<typeof ExecutionRecordSchema>;

export interface ExecutionPaths {
  runId: string;
  runDir: string;
  /** The git worktree. */
  tree: string;
}

export function executeRoot(repoRoot: string): string {
  return path.join(repoRoot, EXECUTE_RELATIVE_DIR);
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function newExecutionRunId(date: Date): string {
  const stamp =
    `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}${pad(date.getUTCMilliseconds(), 3)}`;
  return `${stamp}-${randomBytes(6).toString('hex')}`;
}

export function executionPaths(repoRoot: string, runId: string): ExecutionPaths {
  const runDir = path.join(executeRoot(repoRoot), runId);
  return { runId, runDir, tree: path.join(runDir, TREE_DIR) };
}

/** Creates a new run directory (checked to stay inside the repository) and returns its paths. */
export async function createExecutionDir(repoRoot: string, now: Date = new Date()): Promise<ExecutionPaths> {
  const root = executeRoot(repoRoot);
  assertConfined(repoRoot, root, 'the execution work directory', 'directory');
  const paths = executionPaths(repoRoot, newExecutionRunId(now));
  await mkdirDurable(paths.runDir);
  return paths;
}

export async function writeExecutionRecord(paths: ExecutionPaths, record: Omit<ExecutionRecord, 'schema_version' | 'run_id' | 'worktree' | 'cairn_pid' | 'cairn_start_time' | 'created_at'>, now = new Date()): Promise<ExecutionRecord> {
  const full: ExecutionRecord = {
    schema_version: 1,
    run_id: paths.runId,
    ...record,
    worktree: paths.tree,
    cairn_pid: process.pid,
    cairn_start_time: procStat(process.pid)?.startTime ?? null,
    created_at: localTimestamp(now),
  };
  await writeFileDurable(path.join(paths.runDir, EXECUTION_RECORD_FILE), encodeJson(full as never));
  return full;
}

export function readExecutionRecord(runDir: string): ExecutionRecord | null {
  try {
    const text = readRegularTextSync(path.join(runDir, EXECUTION_RECORD_FILE));
    const parsed = ExecutionRecordSchema.safeParse(toPlainJson(parseJson(text)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** True while the cairn process that wrote the record still runs (a manual run is never abandoned by itself). */
export function ownerAlive(record: ExecutionRecord): boolean {
  if (record.mode === 'manual') return true;
  if (!isProcessAlive(record.cairn_pid)) return false;
  if (record.cairn_start_time === null) return true;
  const stat = procStat(record.cairn_pid);
  return stat === null || stat.startTime === record.cairn_start_time;
}

/**
 * Run directories under `.planning/work/.execute`, oldest first: only real
 * directories, and none when a component of that path is a symbolic link
 * (whatever it names is not cairn's to clean up).
 */
export async function listExecutionDirs(repoRoot: string): Promise<ExecutionPaths[]> {
  const root = executeRoot(repoRoot);
  if (confinementProblem(repoRoot, root, 'directory', 'refuse') !== null) return [];
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
  return names.sort().map((name) => executionPaths(repoRoot, name));
}

/** Removes a run directory and `.execute` when it is left empty; never through a symbolic link. */
export async function removeExecutionDir(repoRoot: string, paths: ExecutionPaths): Promise<void> {
  assertConfined(repoRoot, paths.runDir, 'the execution run directory', 'directory');
  if (confinementProblem(repoRoot, paths.runDir, 'directory', 'refuse') !== null) return;
  await rm(paths.runDir, { recursive: true, force: true });
  await rmdir(executeRoot(repoRoot)).catch(() => undefined);
}
