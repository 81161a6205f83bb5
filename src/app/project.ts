import { resolveProjectContext, type ProjectContext } from '../config/index.js';
import { rootMovePending } from '../planning/index.js';

/** The global `--repo` / `--migrations-dir` flags of the CLI, and the MCP server's. */
export interface GlobalOptions {
  repo?: string;
  migrationsDir?: string;
}

/**
 * The project a front end works on, found from the working directory unless
 * `--repo` names it. Unless told not to (doctor only reports), an
 * interrupted root move is finished or undone first.
 */
export async function openProject(globals: GlobalOptions, open: { recover: boolean } = { recover: true }): Promise<ProjectContext> {
  const options = { cwd: process.cwd(), repo: globals.repo, migrationsDir: globals.migrationsDir };
  const context = await resolveProjectContext(options);
  if (!open.recover) return context;
  // A root move a crash interrupted is finished or undone first: until then
  // the config may name a root that is not (yet, or any more) the project's.
  if (!(await rootMovePending(context.repoRoot))) return context;
  // Loaded only when needed: the root-move code is large and rarely runs.
  const { recoverRootMove } = await import('../planning/index.js');
  await recoverRootMove(context.repoRoot, context.liveRoot, context.lockTimeoutMs);
  return resolveProjectContext(options);
}
