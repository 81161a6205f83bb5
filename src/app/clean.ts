import path from 'node:path';
import type { ProjectContext } from '../config/index.js';
import { EXECUTE_RELATIVE_DIR, liveExecutionRuns, recoverExecutions } from '../execution/index.js';
import { findPlanningLeftovers, removePlanningLeftover, type PlanningRunDir } from '../planning/index.js';
import { toPosix } from '../util/index.js';

/*
 * `cairn clean`: the workspaces under `.planning/work/` of runs that are
 * over (finished, failed, refused, abandoned) are removed; a live run's
 * never is. Planning runs are judged by planning/leftover-runs.ts;
 * execution runs (`.planning/work/.execute/<run-id>/`) are the ones
 * `cairn recover` cleans up (their cairn is gone and they hold no
 * interrupted integration), removed the same way: worktree, empty branch,
 * directory. Manual runs stay unless `all`.
 */

/** What became (or, in a dry run, would become) of one workspace. */
export type CleanAction = 'removed' | 'would-remove' | 'kept' | 'failed';

export interface CleanedWorkspace {
  kind: 'planning' | 'execution';
  slug: string | null;
  runId: string;
  /** The run directory, relative to the repository, `/`-separated. */
  path: string;
  action: CleanAction;
  /** What the run was, why it stays, or why it could not be removed. */
  reason: string;
}

export interface CleanReport {
  dryRun: boolean;
  /** Manual runs were removed too (`--all`). */
  all: boolean;
  /** Removed (or would-remove) first, then failed, then kept; each in path order. */
  workspaces: CleanedWorkspace[];
}

export interface CleanOptions {
  dryRun: boolean;
  all: boolean;
}

function relative(repoRoot: string, dir: string): string {
  return toPosix(path.relative(repoRoot, dir));
}

function planningEntry(repoRoot: string, run: PlanningRunDir, action: CleanAction, reason = run.reason): CleanedWorkspace {
  return { kind: 'planning', slug: run.slug === '' ? null : run.slug, runId: run.runId, path: relative(repoRoot, run.runDir), action, reason };
}

const ORDER: Record<CleanAction, number> = { removed: 0, 'would-remove': 0, failed: 1, kept: 2 };

/** Removes the workspaces of runs that are over (a dry run only says which it would remove). */
export async function cleanWorkspaces(context: ProjectContext, options: CleanOptions): Promise<CleanReport> {
  const repoRoot = context.repoRoot;
  const workspaces: CleanedWorkspace[] = [];
  const planning = await findPlanningLeftovers(repoRoot, { includeManual: options.all });
  for (const run of planning.leftovers) {
    if (options.dryRun) {
      workspaces.push(planningEntry(repoRoot, run, 'would-remove'));
      continue;
    }
    const problem = await removePlanningLeftover(repoRoot, run);
    workspaces.push(problem === null ? planningEntry(repoRoot, run, 'removed') : planningEntry(repoRoot, run, 'failed', problem));
  }
  for (const run of planning.refused) workspaces.push(planningEntry(repoRoot, run, 'failed', `not removed: ${run.reason}`));
  for (const run of planning.kept) workspaces.push(planningEntry(repoRoot, run, 'kept'));

  const executions = await recoverExecutions({
    repoRoot,
    liveRoot: context.liveRoot,
    lockTimeoutMs: context.lockTimeoutMs,
    dryRun: options.dryRun,
    includeManual: options.all,
    // An interrupted fast-forward is `cairn recover`'s to finish; its run is kept and says so.
    finishIntegrations: false,
  });
  for (const run of executions.runs) {
    workspaces.push({
      kind: 'execution',
      slug: run.slug,
      runId: run.runId,
      path: toPosix(path.join(EXECUTE_RELATIVE_DIR, run.runId)),
      action: options.dryRun ? 'would-remove' : 'removed',
      reason: run.message,
    });
  }
  for (const run of await liveExecutionRuns(repoRoot, { includeManual: options.all })) {
    workspaces.push({ kind: 'execution', slug: run.slug, runId: run.runId, path: relative(repoRoot, run.runDir), action: 'kept', reason: run.reason });
  }
  workspaces.sort((a, b) => ORDER[a.action] - ORDER[b.action] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { dryRun: options.dryRun, all: options.all, workspaces };
}

/**
 * How many workspaces `cairn clean` would remove (manual runs waiting for
 * `cairn accept` not counted). Reads only; for `cairn info` and `cairn doctor`.
 */
export async function countLeftoverWorkspaces(context: ProjectContext): Promise<number> {
  const planning = await findPlanningLeftovers(context.repoRoot, { includeManual: false });
  const executions = await recoverExecutions({
    repoRoot: context.repoRoot,
    liveRoot: context.liveRoot,
    lockTimeoutMs: context.lockTimeoutMs,
    dryRun: true,
    finishIntegrations: false,
  });
  return planning.leftovers.length + executions.runs.length;
}
