import { execFileSync } from 'node:child_process';
import { tempDir } from './tmp.js';

/** Environment giving git an identity, so tests pass on machines without one. */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Cairn Test',
  GIT_AUTHOR_EMAIL: 'test@cairn.invalid',
  GIT_COMMITTER_NAME: 'Cairn Test',
  GIT_COMMITTER_EMAIL: 'test@cairn.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
}

/** `git init` with a main branch and no commits. */
export function initGitRepo(dir: string): void {
  git(dir, ['init', '--quiet', '--initial-branch=main']);
}

/** Stages everything and commits it (an empty commit when nothing changed). */
export function commitAll(dir: string, message = 'test commit'): void {
  git(dir, ['add', '--all']);
  git(dir, ['commit', '--quiet', '--allow-empty', '-m', message]);
}

/**
 * A temp git repository on branch main, removed after the test. It has a
 * first commit (empty) unless `commit` is false.
 */
export function gitRepo(options: { prefix?: string; commit?: string | false } = {}): string {
  const dir = tempDir(options.prefix);
  initGitRepo(dir);
  if (options.commit !== false) commitAll(dir, options.commit ?? 'first commit');
  return dir;
}
