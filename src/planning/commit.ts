import path from 'node:path';
import { CairnError, toPosix, shellWord } from '../util/index.js';
import { runGit, type GitResult } from '../fs/index.js';

/*
 * `--commit`: after a successful publish, commit the migration directory,
 * and only it, so the next step starts from a clean tree (the v1 tool's
 * planning tick commits the same way).
 */

/** The commit message of a published operation: `cairn: <slug>: <operation>`. */
export function commitMessage(slug: string, operation: string): string {
  return `cairn: ${slug}: ${operation}`;
}

function gitOutput(result: GitResult): string {
  return [result.stdout.trim(), result.stderr.trim()].filter((text) => text !== '').join('\n');
}

/**
 * Refuses `--commit` outside a git work tree (`CairnError('usage')`),
 * before anything is done.
 */
export function checkCanCommit(repoRoot: string): void {
  const result = runGit(repoRoot, ['rev-parse', '--is-inside-work-tree']);
  if (result.error !== undefined) {
    throw new CairnError('usage', `--commit needs git, and git could not be run: ${result.error.message}`);
  }
  if (result.status !== 0 || result.stdout.trim() !== 'true') {
    throw new CairnError('usage', `--commit needs a git repository, and ${repoRoot} is not in one.`, {
      hint: 'Run the command without --commit, or `git init` the repository first.',
    });
  }
}

/**
 * Stages every change under the migration directory (`git add -A -- <dir>`)
 * and commits only that path with `cairn: <slug>: <operation>`. Returns the
 * new commit's id. Throws `CairnError('failed')` with git's output when git
 * refuses (the publish itself stands).
 */
export function commitMigration(repoRoot: string, liveDir: string, slug: string, operation: string): string {
  const relative = toPosix(path.relative(repoRoot, liveDir)) || '.';
  const fail = (what: string, result: GitResult): CairnError =>
    new CairnError('failed', `The publish succeeded, but ${what} failed: ${gitOutput(result) || `git exited with ${String(result.status)}`}`, {
      hint: `Commit ${relative} yourself (git add -A -- ${shellWord(relative)} && git commit), then continue.`,
    });
  const add = runGit(repoRoot, ['add', '-A', '--', relative]);
  if (add.status !== 0) throw fail(`git add -A -- ${shellWord(relative)}`, add);
  const commit = runGit(repoRoot, ['commit', '--quiet', '-m', commitMessage(slug, operation), '--', relative]);
  if (commit.status !== 0) throw fail('git commit', commit);
  const head = runGit(repoRoot, ['rev-parse', 'HEAD']);
  if (head.status !== 0) throw fail('git rev-parse HEAD', head);
  return head.stdout.trim();
}
