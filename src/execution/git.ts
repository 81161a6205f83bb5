import { spawn } from 'node:child_process';
import { CairnError } from '../util/index.js';
import { runGit, type GitResult } from '../fs/index.js';

/*
 * The git calls execution makes: worktrees, branches, commits and the
 * fast-forward. Each throws `CairnError('failed')` carrying git's own words
 * when git refuses, so a message names what git said rather than guessing.
 */

function output(result: GitResult): string {
  const text = [result.stderr.trim(), result.stdout.trim()].filter((part) => part !== '').join('\n');
  return text === '' ? `git exited with ${String(result.status)}` : text;
}

/** Runs git in `cwd`; a failure is `CairnError('failed')` "<what> failed: <git's output>". */
export function git(cwd: string, args: string[], what = `git ${args[0] ?? ''}`): string {
  const result = runGit(cwd, args);
  if (result.error !== undefined) throw new CairnError('failed', `${what} failed: git could not be run: ${result.error.message}`);
  if (result.status !== 0) throw new CairnError('failed', `${what} failed: ${output(result)}`);
  return result.stdout;
}

/** True when git exits 0. */
export function gitSucceeds(cwd: string, args: string[]): boolean {
  const result = runGit(cwd, args);
  return result.error === undefined && result.status === 0;
}

export function headCommit(cwd: string): string {
  return git(cwd, ['rev-parse', '--verify', 'HEAD^{commit}'], 'git rev-parse HEAD').trim();
}

/** The full ref HEAD points at (`refs/heads/main`), or null when HEAD is detached. */
export function currentBranchRef(cwd: string): string | null {
  const result = runGit(cwd, ['symbolic-ref', '-q', 'HEAD']);
  if (result.status !== 0) return null;
  const ref = result.stdout.trim();
  return ref.startsWith('refs/heads/') ? ref : null;
}

/** The commit `ref` names, or null when it does not exist. */
export function refCommit(cwd: string, ref: string): string | null {
  const result = runGit(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return result.status === 0 ? result.stdout.trim() : null;
}

export function branchExists(cwd: string, name: string): boolean {
  return refCommit(cwd, `refs/heads/${name}`) !== null;
}

/** `base`, or `base-2`, `base-3`, … when taken. */
export function uniqueBranchName(cwd: string, base: string): string {
  if (!branchExists(cwd, base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!branchExists(cwd, candidate)) return candidate;
  }
}

/** True when `name` is a valid branch name (`git check-ref-format --branch`). */
export function isValidBranchName(cwd: string, name: string): boolean {
  return gitSucceeds(cwd, ['check-ref-format', '--branch', name]);
}

/** Tracked files with changes in the work tree or index (untracked files are not counted). */
export function trackedChanges(cwd: string, pathspec: string[] = []): string[] {
  const out = git(cwd, ['status', '--porcelain=v1', '-z', '--untracked-files=no', '--ignore-submodules=none', ...(pathspec.length > 0 ? ['--', ...pathspec] : [])], 'git status');
  return parseStatusPaths(out);
}

/** Every changed path, untracked ones included (ignored files excluded). */
export function allChanges(cwd: string, pathspec: string[] = []): string[] {
  const out = git(cwd, ['status', '--porcelain=v1', '-z', '--untracked-files=all', ...(pathspec.length > 0 ? ['--', ...pathspec] : [])], 'git status');
  return parseStatusPaths(out);
}

function parseStatusPaths(out: string): string[] {
  const paths: string[] = [];
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (field.length < 4) continue;
    paths.push(field.slice(3));
    // A rename or copy is followed by its source path.
    if (field[0] === 'R' || field[0] === 'C') i++;
  }
  return paths;
}

/** True when `ancestor` is an ancestor of (or equal to) `descendant`. */
export function isAncestor(cwd: string, ancestor: string, descendant: string): boolean {
  return gitSucceeds(cwd, ['merge-base', '--is-ancestor', ancestor, descendant]);
}

/** Paths that differ between two commits. */
export function changedPaths(cwd: string, from: string, to: string): string[] {
  return git(cwd, ['diff', '--name-only', '-z', '--no-renames', from, to], 'git diff').split('\0').filter((p) => p !== '');
}

/** `git worktree add -b <branch> <dir> <base>`, without running checkout hooks' side effects on the user's tree. */
export function addWorktree(repoRoot: string, dir: string, branch: string, base: string): void {
  git(repoRoot, ['worktree', 'add', '--quiet', '-b', branch, dir, base], `git worktree add ${dir}`);
}

/** Removes a worktree (forcefully: what is in it was recorded before) and prunes git's record of it. */
export function removeWorktree(repoRoot: string, dir: string): void {
  runGit(repoRoot, ['worktree', 'remove', '--force', '--force', dir]);
  runGit(repoRoot, ['worktree', 'prune']);
}

/** Paths of this repository's worktrees, as git lists them (the main one first). */
export function listWorktrees(repoRoot: string): { path: string; branch: string | null; prunable: boolean }[] {
  const out = git(repoRoot, ['worktree', 'list', '--porcelain', '-z'], 'git worktree list');
  const entries: { path: string; branch: string | null; prunable: boolean }[] = [];
  let current: { path: string; branch: string | null; prunable: boolean } | null = null;
  for (const field of out.split('\0')) {
    if (field.startsWith('worktree ')) {
      current = { path: field.slice('worktree '.length), branch: null, prunable: false };
      entries.push(current);
    } else if (current !== null && field.startsWith('branch ')) {
      current.branch = field.slice('branch '.length);
    } else if (current !== null && field.startsWith('prunable')) {
      current.prunable = true;
    }
  }
  return entries;
}

/** Branches under `prefix` (e.g. `cairn/`), short names. */
export function branchesUnder(cwd: string, prefix: string): string[] {
  return git(cwd, ['for-each-ref', '--format=%(refname:short)', `refs/heads/${prefix}`], 'git for-each-ref')
    .split('\n')
    .filter((name) => name !== '');
}

export function deleteBranch(cwd: string, name: string): boolean {
  return gitSucceeds(cwd, ['branch', '-D', '--quiet', name]);
}

/** The first line of a commit's message. */
export function commitSubject(cwd: string, commit: string): string {
  return git(cwd, ['log', '-1', '--format=%s', commit], 'git log').trim();
}

/**
 * Runs git in a session of its own, so a Ctrl-C at the terminal reaches
 * cairn but not this git: a tree update is never cut off halfway by the
 * keyboard (if cairn dies meanwhile, git finishes and recovery sees a
 * complete tree). Never throws; a git that cannot start is a non-zero status.
 */
export function gitUninterrupted(cwd: string, args: string[]): Promise<GitResult> {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd, env: { ...process.env, GIT_LITERAL_PATHSPECS: '1' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolve({ status: null, stdout, stderr, error }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
