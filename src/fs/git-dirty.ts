import { existsSync } from 'node:fs';
import path from 'node:path';
import { CairnError, isInside, toPosix } from '../util/index.js';
import { runGit } from './git.js';

/**
 * The uncommitted paths under a live migration directory (docs/format.md §13.3 step
 * 2): `git status --porcelain --ignored=matching -- <dir>` run in the repo
 * root, each non-blank line minus its 3-character status prefix, so
 * modified, untracked and ignored files all count. Null when the repo root
 * is not inside a git work tree (only the snapshot check applies there).
 *
 * Throws CairnError('failed') when git cannot be run or fails, and
 * CairnError('invalid-input') when the live directory is outside the repo.
 */
export function gitDirtyPaths(repoRoot: string, liveDir: string): string[] | null {
  if (!isInside(liveDir, repoRoot)) {
    throw new CairnError('invalid-input', `Live migration path must stay inside repository: ${liveDir}`, { path: liveDir });
  }
  if (!insideGitWorkTree(repoRoot)) return null;
  const relative = toPosix(path.relative(repoRoot, liveDir)) || '.';
  const result = runGit(repoRoot, ['--no-optional-locks', 'status', '--porcelain', '--ignored=matching', '--', relative]);
  if (result.error !== undefined) {
    throw new CairnError('failed', `Could not inspect live migration git status: git could not be run (${result.error.message}).`, {
      path: liveDir,
      hint: 'Install git or put it on PATH; cairn needs it to check the live migration for uncommitted changes.',
    });
  }
  if (result.status !== 0) {
    const output = [result.stdout.trim(), result.stderr.trim()].filter((text) => text !== '').join('\n');
    throw new CairnError('failed', `Could not inspect live migration git status.${output === '' ? '' : `\n${output}`}`, { path: liveDir });
  }
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3));
}

/** True when `dir` or one of its ancestors holds a `.git` entry. */
function insideGitWorkTree(dir: string): boolean {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, '.git'))) return true;
    if (path.dirname(current) === current) return false;
  }
}
