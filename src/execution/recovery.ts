import { shellWord } from '../util/index.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { reapAbandonedAgents } from '../agent/index.js';
import { anyLiveRunLease } from '../planning/index.js';
import type { PublishRecorder } from '../publish/index.js';
import { deleteBranch, isAncestor, refCommit, removeWorktree } from './git.js';
import { INTEGRATION_JOURNAL_FILE, recoverIntegrations, type IntegrationRecovery } from './integration.js';
import { listExecutionDirs, ownerAlive, readExecutionRecord, removeExecutionDir, type ExecutionPaths, type ExecutionRecord } from './run-dir.js';
import { procPids, procStat, runGit } from '../fs/index.js';

/*
 * What a killed `cairn run` leaves, put right by the next cairn: an
 * interrupted fast-forward is finished (integration.ts), the agent's
 * process group and anything else still running for the run are stopped,
 * the worktree is removed and git's record of it pruned, and a phase branch
 * is deleted when it holds nothing or its commit already reached the user's
 * branch, or named when it holds a phase commit that was never integrated.
 */

/**
 * How long a run directory without its record is taken for one a live
 * cairn is still creating (it writes the record right after the
 * directory); only older ones are abandoned.
 */
const RECORDLESS_GRACE_MS = 60_000;

function justCreated(runDir: string): boolean {
  try {
    return Date.now() - statSync(runDir).mtimeMs < RECORDLESS_GRACE_MS;
  } catch {
    return false;
  }
}

/** One abandoned run and what became of it. */
export interface AbandonedRun {
  runId: string;
  slug: string | null;
  phase: string | null;
  /** A branch the run left holding a commit, or null. */
  branchLeft: string | null;
  message: string;
}

export interface ExecutionRecoveryReport {
  integrations: IntegrationRecovery[];
  runs: AbandonedRun[];
}

/** An execution run that recovery and `cairn clean` leave alone, and why. */
export interface LiveExecutionRun {
  runId: string;
  runDir: string;
  slug: string | null;
  phase: string | null;
  reason: string;
}

/**
 * Why an execution run stays, or null when it is abandoned: its cairn still
 * runs, it holds an interrupted integration (which recovery finishes
 * first), or it is a manual run (MCP next_phase) waiting for finish_phase,
 * unless `includeManual`.
 */
async function liveReason(paths: ExecutionPaths, record: ExecutionRecord | null, includeManual: boolean, repoRoot: string): Promise<string | null> {
  if (existsSync(path.join(paths.runDir, INTEGRATION_JOURNAL_FILE))) return 'it holds an interrupted integration: run `cairn recover`';
  // A directory without its record may be one a live cairn is setting up: every run holds its migration's lease meanwhile.
  if (record === null) return justCreated(paths.runDir) && (await anyLiveRunLease(repoRoot)) ? 'a running cairn is setting it up' : null;
  if (record.mode === 'manual') return includeManual ? null : 'a phase prepared by next_phase, waiting for finish_phase (--all removes it)';
  return ownerAlive(record) ? `its cairn run (pid ${record.cairn_pid}) is still running` : null;
}

/** The execution runs under `.planning/work/.execute` that are not abandoned (see {@link recoverExecutions}). */
export async function liveExecutionRuns(repoRoot: string, options: { includeManual?: boolean } = {}): Promise<LiveExecutionRun[]> {
  const live: LiveExecutionRun[] = [];
  for (const paths of await listExecutionDirs(repoRoot)) {
    const record = readExecutionRecord(paths.runDir);
    const reason = await liveReason(paths, record, options.includeManual === true, repoRoot);
    if (reason !== null) live.push({ runId: paths.runId, runDir: paths.runDir, slug: record?.slug ?? null, phase: record?.phase ?? null, reason });
  }
  return live;
}

/**
 * Cleans up after every execution run whose cairn is gone. A dry run only
 * lists them. Runs whose cairn still runs are left alone, and so are manual
 * runs unless `includeManual` (`cairn clean --all`). Interrupted
 * integrations are finished first unless `finishIntegrations` is false.
 */
export async function recoverExecutions(input: {
  repoRoot: string;
  liveRoot: string;
  lockTimeoutMs: number;
  recorder?: PublishRecorder | undefined;
  dryRun?: boolean;
  includeManual?: boolean;
  /** False: leave interrupted integrations (and so their runs) for `cairn recover`. */
  finishIntegrations?: boolean;
}): Promise<ExecutionRecoveryReport> {
  const integrations = input.finishIntegrations === false ? [] : await recoverIntegrations(input);
  const runs: AbandonedRun[] = [];
  for (const paths of await listExecutionDirs(input.repoRoot)) {
    const record = readExecutionRecord(paths.runDir);
    if ((await liveReason(paths, record, input.includeManual === true, input.repoRoot)) !== null) continue;
    const base = { runId: paths.runId, slug: record?.slug ?? null, phase: record?.phase ?? null };
    if (input.dryRun === true) {
      runs.push({ ...base, branchLeft: null, message: `would clean up the abandoned run ${paths.runId}${record !== null ? ` (${record.slug}, phase ${record.phase})` : ''}` });
      continue;
    }
    await reapAbandonedAgents([paths.runDir]);
    const stopped = await stopWorktreeProcesses(paths.tree);
    removeWorktree(input.repoRoot, paths.tree);
    let branchLeft: string | null = null;
    let message = `cleaned up the abandoned run ${paths.runId}${stopped > 0 ? ` (stopped ${stopped} process group${stopped === 1 ? '' : 's'} still running in its worktree)` : ''}`;
    if (record !== null) {
      const tip = refCommit(input.repoRoot, `refs/heads/${record.branch}`);
      if (tip === null) {
        message += ` (${record.slug}, phase ${record.phase})`;
      } else if (tip === record.base_commit) {
        deleteBranch(input.repoRoot, record.branch);
        message += ` (${record.slug}, phase ${record.phase}); its empty branch ${record.branch} was deleted`;
      } else if (integratedInto(input.repoRoot, tip, record.user_branch)) {
        // Killed after the fast-forward, before the branch was deleted: nothing is left to merge.
        deleteBranch(input.repoRoot, record.branch);
        message += ` (${record.slug}, phase ${record.phase}); its phase commit ${tip.slice(0, 12)} is on ${(record.user_branch as string).slice('refs/heads/'.length)}, so branch ${record.branch} was deleted`;
      } else {
        branchLeft = record.branch;
        message += ` (${record.slug}, phase ${record.phase}); branch ${record.branch} holds its phase commit ${tip.slice(0, 12)}, never integrated: merge it with \`git merge --ff-only ${shellWord(record.branch)}\` or delete it with \`git branch -D ${shellWord(record.branch)}\``;
      }
    }
    await removeExecutionDir(input.repoRoot, paths);
    runs.push({ ...base, branchLeft, message });
  }
  if (runs.length > 0 && input.dryRun !== true) runGit(input.repoRoot, ['worktree', 'prune']);
  return { integrations, runs };
}

/** True when `commit` is already on the user's branch `userBranch` (`refs/heads/…`). */
function integratedInto(repoRoot: string, commit: string, userBranch: string | null): boolean {
  if (userBranch === null) return false;
  const tip = refCommit(repoRoot, userBranch);
  return tip !== null && isAncestor(repoRoot, commit, tip);
}

const STOP_GRACE_MS = 2000;

/** Live processes (not this one, nor its group) whose environment holds `CAIRN_WORKTREE=<tree>`, by process group. */
function worktreeProcessGroups(tree: string): Set<number> {
  const marker = Buffer.from(`\0CAIRN_WORKTREE=${path.resolve(tree)}\0`);
  const ownGroup = procStat(process.pid)?.pgrp;
  const groups = new Set<number>();
  for (const pid of procPids() ?? []) {
    if (pid === process.pid) continue;
    const stat = procStat(pid);
    if (stat === null || stat.zombie || stat.pgrp <= 1 || stat.pgrp === ownGroup) continue;
    try {
      if (Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]).includes(marker)) groups.add(stat.pgrp);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return groups;
}

function signalGroups(groups: Iterable<number>, signal: NodeJS.Signals): void {
  for (const group of groups) {
    try {
      process.kill(-group, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Stops what still runs for a killed run although agent.json does not name
 * it: the validation command, an agent started just before cairn died (not
 * recorded yet), a child its agent left behind. Each carries the run's
 * `CAIRN_WORKTREE`, a path unique to the run. SIGTERM, then SIGKILL after a
 * grace period. Returns how many process groups were signalled.
 */
async function stopWorktreeProcesses(tree: string): Promise<number> {
  const groups = worktreeProcessGroups(tree);
  if (groups.size === 0) return 0;
  signalGroups(groups, 'SIGTERM');
  for (let waited = 0; waited < STOP_GRACE_MS && worktreeProcessGroups(tree).size > 0; waited += 50) await sleep(50);
  signalGroups(worktreeProcessGroups(tree), 'SIGKILL');
  return groups.size;
}
