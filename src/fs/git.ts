/**
 * node:child_process, loaded on first use: many commands import this module
 * without running git, and loading it costs a few milliseconds at start-up.
 */
const childProcess = () => process.getBuiltinModule('node:child_process');

export interface GitResult {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/**
 * Run git synchronously in `cwd`; never throws (a missing git is `error`).
 * Every pathspec is literal (`GIT_LITERAL_PATHSPECS=1`): a migration named
 * `a*` or `[ab]` names that directory only, never a glob over its neighbours.
 */
export function runGit(cwd: string, args: string[]): GitResult {
  const env = { ...process.env, GIT_LITERAL_PATHSPECS: '1' };
  const result = childProcess().spawnSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
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

/** Like `runGit`, with stdout as bytes (blob contents); null when git fails. */
export function runGitBytes(cwd: string, args: string[]): Buffer | null {
  const env = { ...process.env, GIT_LITERAL_PATHSPECS: '1' };
  const result = childProcess().spawnSync('git', args, { cwd, env, maxBuffer: 256 * 1024 * 1024 });
  return result.error === undefined && result.status === 0 ? result.stdout : null;
}
