import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { AGENT_RECORD_FILE, reapAbandonedAgents } from '../agent/index.js';
import { confinementProblem } from '../fs/index.js';
import { compareCodePoints } from '../util/index.js';
import { runOwnerAlive } from './run-owner.js';
import { readRunRecord, removeRun, scanRuns, slugWorkDir, WORKSPACES_RELATIVE_DIR } from './workspace.js';

/*
 * Planning run directories that nothing will use again (`cairn clean`):
 * `.planning/work/<slug>/<run-id>/` of a failed, refused or interrupted run
 * (kept for inspection), of a manual run superseded by a newer one, or of
 * one that never got a run record. A run is never counted while it is live:
 * its cairn still runs (run-owner.ts, or the agent.json of its agent), or it
 * is the manual run `cairn accept` would continue (unless `includeManual`).
 * Directories that hold files git tracks are the repository's, not cairn's,
 * and are left alone.
 */

/** One planning run directory and what `cairn clean` makes of it. */
export interface PlanningRunDir {
  slug: string;
  runId: string;
  runDir: string;
  /** Why it goes, or why it stays. */
  reason: string;
}

export interface PlanningLeftovers {
  /** Runs nothing will use again, oldest first per migration. */
  leftovers: PlanningRunDir[];
  /** Runs that stay: live, waiting for `cairn accept`, or tracked by git. */
  kept: PlanningRunDir[];
  /** Directories cairn may not delete (a symlink, something that is not a directory). */
  refused: PlanningRunDir[];
}

function directoryNames(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort(compareCodePoints);
  } catch {
    return [];
  }
}

/** Why a live run stays, or null when nothing still works in it. */
async function liveReason(runDir: string): Promise<string | null> {
  if (runOwnerAlive(runDir)) return 'a cairn that is still running works in it';
  if (!existsSync(path.join(runDir, AGENT_RECORD_FILE))) return null;
  const [agent] = await reapAbandonedAgents([runDir], { dryRun: true });
  // No verdict: the record belongs to another host, which cannot be judged from here.
  if (agent === undefined || agent.outcome === 'running') return 'its agent is still running';
  return null;
}

/**
 * The planning run directories under `.planning/work/`, sorted into
 * leftovers, kept runs and refused paths. Reads only; `.published` and
 * `.execute` (names no slug can take) are not planning runs.
 */
export async function findPlanningLeftovers(repoRoot: string, options: { includeManual: boolean }): Promise<PlanningLeftovers> {
  const found: PlanningLeftovers = { leftovers: [], kept: [], refused: [] };
  const workRoot = path.join(repoRoot, WORKSPACES_RELATIVE_DIR);
  const rootProblem = confinementProblem(repoRoot, workRoot, 'directory', 'refuse');
  if (rootProblem !== null) {
    if (existsSync(workRoot)) found.refused.push({ slug: '', runId: '', runDir: workRoot, reason: rootProblem.message });
    return found;
  }
  for (const slug of directoryNames(workRoot).filter((name) => !name.startsWith('.'))) {
    const slugDir = slugWorkDir(repoRoot, slug);
    const scan = await scanRuns(repoRoot, slug);
    const tracked = new Set(scan.ignored.filter((run) => run.why === 'its files are tracked by git').map((run) => run.runId));
    const waiting = await newestManualRun(slugDir, slug, tracked);
    for (const runId of directoryNames(slugDir)) {
      const runDir = path.join(slugDir, runId);
      const entry = (reason: string): PlanningRunDir => ({ slug, runId, runDir, reason });
      const problem = confinementProblem(repoRoot, runDir, 'directory', 'refuse');
      if (problem !== null) {
        found.refused.push(entry(problem.message));
        continue;
      }
      if (tracked.has(runId)) {
        found.kept.push(entry('git tracks files in it'));
        continue;
      }
      const live = await liveReason(runDir);
      if (live !== null) {
        found.kept.push(entry(live));
        continue;
      }
      if (runId === waiting && !options.includeManual) {
        found.kept.push(entry('a manual run waiting for `cairn accept` (--all removes it)'));
        continue;
      }
      found.leftovers.push(entry(await leftoverReason(runDir, runId === waiting)));
    }
  }
  return found;
}

/**
 * The newest manual run of `slug` with a readable record: the one `cairn
 * accept` continues. Its seal is not asked for, so a run sealed under
 * another configuration directory (which accept would ignore now) is not
 * taken for abandoned either.
 */
async function newestManualRun(slugDir: string, slug: string, tracked: ReadonlySet<string>): Promise<string | null> {
  let newest: { runId: string; createdAt: number } | null = null;
  for (const runId of directoryNames(slugDir)) {
    if (tracked.has(runId)) continue;
    const record = await readRunRecord(path.join(slugDir, runId));
    if (record === null || record.slug !== slug || record.run_id !== runId || record.mode !== 'manual' || record.step === null) continue;
    const createdAt = Date.parse(record.created_at);
    const newer = newest === null || createdAt > newest.createdAt || (createdAt === newest.createdAt && compareCodePoints(runId, newest.runId) > 0);
    if (newer) newest = { runId, createdAt };
  }
  return newest?.runId ?? null;
}

/** What a leftover run was, in words. */
async function leftoverReason(runDir: string, waiting: boolean): Promise<string> {
  const record = await readRunRecord(runDir);
  if (record === null) return 'an unfinished or refused run without a run record';
  if (record.mode === 'agent') return `a failed, refused or interrupted ${record.operation} run`;
  if (waiting) return `a manual ${record.operation} run waiting for \`cairn accept\``;
  return `a manual ${record.operation} run that \`cairn accept\` will not continue`;
}

/**
 * Removes a leftover run directory (and the slug's work directory when it
 * is left empty), after stopping an agent its killed cairn left running.
 * Checked against the path rule again first: nothing is deleted through a
 * symbolic link. Returns why it could not be removed, or null.
 */
export async function removePlanningLeftover(repoRoot: string, leftover: PlanningRunDir): Promise<string | null> {
  const problem = confinementProblem(repoRoot, leftover.runDir, 'directory', 'refuse');
  if (problem !== null) return `did not remove ${leftover.runDir}: ${problem.message}`;
  await reapAbandonedAgents([leftover.runDir]);
  return removeRun(leftover.runDir);
}
