import { readdirSync } from 'node:fs';
import path from 'node:path';
import { reapAbandonedAgents, type AbandonedAgent } from '../agent/index.js';
import { confinementProblem } from '../fs/index.js';
import { WORKSPACES_RELATIVE_DIR } from './workspace.js';

/*
 * Agents left running by a cairn that was killed: found by the agent.json
 * of their run directories under `.planning/work/`, stopped by the next
 * run of their migration and by `cairn recover`.
 */

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(dir, entry.name));
  } catch {
    return [];
  }
}

/** The run directories of `slug` (every migration's when null), only where `.planning/work` is a real directory of the repository. */
function runDirectories(repoRoot: string, slug: string | null): string[] {
  const workRoot = path.join(repoRoot, WORKSPACES_RELATIVE_DIR);
  if (confinementProblem(repoRoot, workRoot, 'directory') !== null) return [];
  const slugDirs = slug === null ? subdirectories(workRoot) : [path.join(workRoot, slug)];
  return slugDirs.flatMap((dir) => (confinementProblem(repoRoot, dir, 'directory') === null ? subdirectories(dir) : []));
}

/** Stops the agent groups of `slug` (of every migration when null) whose cairn was killed; see `reapAbandonedAgents`. */
export async function reapAbandonedRuns(repoRoot: string, slug: string | null, options: { dryRun?: boolean } = {}): Promise<AbandonedAgent[]> {
  return reapAbandonedAgents(runDirectories(repoRoot, slug), options);
}

/** One line per group that was (or, in a dry run, would be) stopped. */
export function abandonedAgentLines(repoRoot: string, agents: readonly AbandonedAgent[], dryRun = false): string[] {
  return agents
    .filter((agent) => agent.outcome === 'stopped')
    .map(
      (agent) =>
        `${dryRun ? 'would stop' : 'stopped'} agent process group ${agent.pgid} left running by a cairn that was killed (run ${path.relative(repoRoot, agent.runDir)})`,
    );
}
