import path from 'node:path';
import type { ProjectContext } from '../config/index.js';
import { checkCanCommit, commitMigration } from '../planning/index.js';

/** `--commit`: what a command does with a migration it has published. */
export interface PostPublishCommit {
  /** Commits the migration directory of `slug` for `operation` and returns the commit id; null when `--commit` is off. */
  after(slug: string, operation: string): string | null;
}

/**
 * The `--commit` of a command. Asked for outside a dry run it is checked
 * before anything else is done (a repository that is not a git work tree is
 * refused); in a dry run, or when not asked for, nothing is committed.
 */
export function postPublishCommit(context: ProjectContext, options: { commit?: boolean | undefined; dryRun: boolean }): PostPublishCommit {
  if (options.commit !== true || options.dryRun) return { after: () => null };
  checkCanCommit(context.repoRoot);
  return { after: (slug, operation) => commitMigration(context.repoRoot, path.join(context.liveRoot, slug), slug, operation) };
}
