// Helpers the benchmarks share: a git that works without a user identity and
// never starts background maintenance mid-measurement, and percentiles.
import { execFileSync } from 'node:child_process';

export const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'cairn bench',
  GIT_AUTHOR_EMAIL: 'bench@cairn.invalid',
  GIT_COMMITTER_NAME: 'cairn bench',
  GIT_COMMITTER_EMAIL: 'bench@cairn.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd, args) {
  execFileSync('git', ['-c', 'gc.auto=0', '-c', 'maintenance.auto=false', ...args], { cwd, env: GIT_ENV, stdio: 'ignore' });
}

/** The value at `fraction` (0..1) of an ascending array. */
export function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}
