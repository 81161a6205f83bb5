import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { reapAbandonedAgents } from '../agent/index.js';
import type { PublishRecorder } from '../publish/index.js';
import { deleteBranch, isAncestor, refCommit, removeWorktree } from './git.js';
import { INTEGRATION_JOURNAL_FILE, recoverIntegrations, type IntegrationRecovery } from './integration.js';
import { listExecutionDirs, ownerAlive, readExecutionRecord, removeExecutionDir } from './run-dir.js';
import { runGit } from '../fs/index.js';

/*
 * What a killed `cairn run` leaves, put right by the next cairn: an
 * interrupted fast-forward is finished (integration.ts), the agent's
 * process group is stopped, the worktree is removed and git's record of it
 * pruned, and a phase branch is deleted when it holds nothing, or named
 * when it holds a phase commit that was never integrated.
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

/**
 * Cleans up after every execution run whose cairn is gone. A dry run only
 * lists them. Runs whose cairn still runs are left alone.
 */
export async function recoverExecutions(input: { repoRoot: string; liveRoot: string; lockTimeoutMs: number; recorder?: PublishRecorder | undefined; dryRun?: boolean }): Promise<ExecutionRecoveryReport> {
  const integrations = await recoverIntegrations(input);
  const runs: AbandonedRun[] = [];
  for (const paths of await listExecutionDirs(input.repoRoot)) {
    const record = readExecutionRecord(paths.runDir);
    if (record !== null && ownerAlive(record)) continue;
    if (record === null && justCreated(paths.runDir)) continue;
    if (existsSync(path.join(paths.runDir, INTEGRATION_JOURNAL_FILE))) continue;
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
      } else if (record.user_branch !== null && isAncestor(input.repoRoot, tip, record.user_branch)) {
        deleteBranch(input.repoRoot, record.branch);
        message += ` (${record.slug}, phase ${record.phase}); its phase commit ${tip.slice(0, 12)} is already in ${record.user_branch.slice('refs/heads/'.length)}, so branch ${record.branch} was deleted`;
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
