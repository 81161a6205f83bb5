import { existsSync } from 'node:fs';
import path from 'node:path';
import { reapAbandonedAgents } from '../agent/index.js';
import type { PublishRecorder } from '../publish/index.js';
import { deleteBranch, refCommit, removeWorktree } from './git.js';
import { INTEGRATION_JOURNAL_FILE, recoverIntegrations, type IntegrationRecovery } from './integration.js';
import { listExecutionDirs, ownerAlive, readExecutionRecord, removeExecutionDir, type ExecutionPaths, type ExecutionRecord } from './run-dir.js';
import { runGit } from '../fs/index.js';

/*
 * What a killed `cairn run` leaves, put right by the next cairn: an
 * interrupted fast-forward is finished (integration.ts), the agent's
 * process group is stopped, the worktree is removed and git's record of it
 * pruned, and a phase branch is deleted when it holds nothing, or named
 * when it holds a phase commit that was never integrated.
 */

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
function liveReason(paths: ExecutionPaths, record: ExecutionRecord | null, includeManual: boolean): string | null {
  if (existsSync(path.join(paths.runDir, INTEGRATION_JOURNAL_FILE))) return 'it holds an interrupted integration: run `cairn recover`';
  if (record === null) return null;
  if (record.mode === 'manual') return includeManual ? null : 'a phase prepared by next_phase, waiting for finish_phase (--all removes it)';
  return ownerAlive(record) ? `its cairn run (pid ${record.cairn_pid}) is still running` : null;
}

/** The execution runs under `.planning/work/.execute` that are not abandoned (see {@link recoverExecutions}). */
export async function liveExecutionRuns(repoRoot: string, options: { includeManual?: boolean } = {}): Promise<LiveExecutionRun[]> {
  const live: LiveExecutionRun[] = [];
  for (const paths of await listExecutionDirs(repoRoot)) {
    const record = readExecutionRecord(paths.runDir);
    const reason = liveReason(paths, record, options.includeManual === true);
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
    if (liveReason(paths, record, input.includeManual === true) !== null) continue;
    const base = { runId: paths.runId, slug: record?.slug ?? null, phase: record?.phase ?? null };
    if (input.dryRun === true) {
      runs.push({ ...base, branchLeft: null, message: `would clean up the abandoned run ${paths.runId}${record !== null ? ` (${record.slug}, phase ${record.phase})` : ''}` });
      continue;
    }
    await reapAbandonedAgents([paths.runDir]);
    removeWorktree(input.repoRoot, paths.tree);
    let branchLeft: string | null = null;
    let message = `cleaned up the abandoned run ${paths.runId}`;
    if (record !== null) {
      const tip = refCommit(input.repoRoot, `refs/heads/${record.branch}`);
      if (tip === null) {
        message += ` (${record.slug}, phase ${record.phase})`;
      } else if (tip === record.base_commit) {
        deleteBranch(input.repoRoot, record.branch);
        message += ` (${record.slug}, phase ${record.phase}); its empty branch ${record.branch} was deleted`;
      } else {
        branchLeft = record.branch;
        message += ` (${record.slug}, phase ${record.phase}); branch ${record.branch} holds its phase commit ${tip.slice(0, 12)}, never integrated: merge it with \`git merge --ff-only ${record.branch}\` or delete it with \`git branch -D ${record.branch}\``;
      }
    }
    await removeExecutionDir(input.repoRoot, paths);
    runs.push({ ...base, branchLeft, message });
  }
  if (runs.length > 0 && input.dryRun !== true) runGit(input.repoRoot, ['worktree', 'prune']);
  return { integrations, runs };
}
