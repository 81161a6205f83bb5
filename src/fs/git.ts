import { spawnSync } from 'node:child_process';

export interface GitResult {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/** Run git synchronously in `cwd`; never throws (a missing git is `error`). */
export function runGit(cwd: string, args: string[]): GitResult {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const out: GitResult = { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  if (result.error) out.error = result.error;
  return out;
}

/** The work tree's top directory containing `cwd`, or null outside git. */
export function gitTopLevel(cwd: string): string | null {
  const result = runGit(cwd, ['rev-parse', '--show-toplevel']);
  if (result.status !== 0) return null;
  const top = result.stdout.trim();
  return top === '' ? null : top;
}
