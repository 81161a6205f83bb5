import type { Command } from 'commander';
import { resolveProjectContext, type ProjectContext } from '../config/context.js';

export interface GlobalOptions {
  repo?: string;
  migrationsDir?: string;
}

/** The global `--repo` / `--migrations-dir` flags, wherever they were given. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

export function projectContext(command: Command): Promise<ProjectContext> {
  const options = globalOptions(command);
  return resolveProjectContext({ cwd: process.cwd(), repo: options.repo, migrationsDir: options.migrationsDir });
}
