import { resolveProjectContext, type ProjectContext } from '../config/index.js';

/** The global `--repo` / `--migrations-dir` flags of the CLI, and the MCP server's. */
export interface GlobalOptions {
  repo?: string;
  migrationsDir?: string;
}

/** The project a front end works on, found from the working directory unless `--repo` names it. */
export function openProject(globals: GlobalOptions): Promise<ProjectContext> {
  return resolveProjectContext({ cwd: process.cwd(), repo: globals.repo, migrationsDir: globals.migrationsDir });
}
