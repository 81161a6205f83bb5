import { execFileSync } from 'node:child_process';

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

export function commitAll(dir: string, message = 'test commit'): void {
  git(dir, ['add', '--all']);
  git(dir, ['commit', '--quiet', '--allow-empty', '-m', message]);
}
