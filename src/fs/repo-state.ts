import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gitTopLevel, runGit, type GitResult } from './git.js';

/*
 * What an agent may not change: the repository outside the directory it was
 * given. Before the agent runs, cairn records HEAD and every path git
 * reports as changed or untracked (with a hash of its content); after, it
 * records them again. A path whose entry differs, and a moved HEAD, are
 * changes the agent made outside its lane. Ignored files (cairn's own
 * `.planning/work/` among them) are not looked at.
 */

export interface RepoState {
  head: string | null;
  /** Changed or untracked path → a hash of what it holds now (`-` when it is gone). */
  entries: Map<string, string>;
}

function contentHash(file: string): string {
  try {
    const stats = lstatSync(file);
    if (stats.isSymbolicLink()) return 'link';
    if (!stats.isFile()) return stats.isDirectory() ? 'dir' : 'other';
    if (stats.size > 64 * 1024 * 1024) return `size:${stats.size}:${stats.mtimeMs}`;
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return '-';
  }
}

/** Fields before the path in `git status --porcelain=v2` records: ordinary, renamed or copied, unmerged. */
const FIELDS_BEFORE_PATH: Readonly<Record<string, number>> = { '1': 8, '2': 9, u: 10, '?': 1, '!': 1 };

/** The directories of `except` that lie inside the repository (repository-relative, `/`-separated). */
function insidePrefixes(except: readonly string[]): string[] {
  return except.filter((prefix) => prefix !== '' && prefix !== '.' && prefix !== '..' && !prefix.startsWith('../') && !path.isAbsolute(prefix) && !/^[A-Za-z]:/.test(prefix));
}

/**
 * A directory left out with more entries than this is left out of git's
 * walk for untracked files by naming what lies beside it instead: git walks
 * a directory an `exclude` pathspec leaves out all the same (0.6 s for a
 * live root of 10,000 migrations).
 */
const NAME_BESIDE_MIN_ENTRIES = 256;

function entryCount(dir: string): number {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
}

/**
 * Literal pathspecs for everything on disk beside `prefix`: the other
 * entries of each directory on the way down to it (`.git` aside). Null when
 * one of those directories cannot be listed.
 */
function besidePathspecs(repoRoot: string, prefix: string): string[] | null {
  const parts = prefix.split('/').filter((part) => part !== '' && part !== '.');
  const specs: string[] = [];
  for (let depth = 0; depth < parts.length; depth++) {
    const dir = parts.slice(0, depth).join('/');
    let names: string[];
    try {
      names = readdirSync(path.join(repoRoot, dir));
    } catch {
      return null;
    }
    for (const name of names) {
      if (name === parts[depth] || (depth === 0 && name === '.git')) continue;
      specs.push(`:(literal)${dir === '' ? '' : `${dir}/`}${name}`);
    }
  }
  return specs;
}

/** Pathspec magic is off in cairn's git calls (GIT_LITERAL_PATHSPECS); these need `exclude` and `literal`. */
function gitWithMagic(repoRoot: string, args: string[]): GitResult {
  return runGit(repoRoot, ['--no-literal-pathspecs', '--no-optional-locks', ...args]);
}

function statusArgs(untracked: 'all' | 'no', pathspec: string[]): string[] {
  return ['status', '--porcelain=v2', '--branch', '-z', `--untracked-files=${untracked}`, '--ignore-submodules=none', ...pathspec];
}

/**
 * The repository's HEAD and changed paths (relative to the top of the work
 * tree), or null outside a git work tree: one `git status` whose branch
 * header names the commit checked out. A rename or copy counts under both
 * its paths. Paths under one of `except` (relative to `repoRoot`,
 * `/`-separated) are not looked at: git leaves them out, so a large live
 * root is neither scanned for changes nor hashed. `repoRoot` may be a
 * directory inside the work tree (a project in a monorepo).
 */
export function captureRepoState(repoRoot: string, except: readonly string[] = []): RepoState | null {
  const inside = insidePrefixes(except);
  const exclusions = inside.length === 0 ? [] : ['--', ':/', ...inside.map((prefix) => `:(exclude,literal)${prefix}`)];
  const atTop = lstatSync(path.join(repoRoot, '.git'), { throwIfNoEntry: false }) !== undefined;
  const top = atTop ? repoRoot : gitTopLevel(repoRoot);
  if (top === null) return null;
  const [only] = inside;
  const beside = atTop && inside.length === 1 && only !== undefined && entryCount(path.join(repoRoot, only)) > NAME_BESIDE_MIN_ENTRIES ? besidePathspecs(repoRoot, only) : null;
  if (beside === null) {
    const status = gitWithMagic(repoRoot, statusArgs('all', exclusions));
    return status.error !== undefined || status.status !== 0 ? null : parseStatus(top, status.stdout);
  }
  // Tracked paths from the index (fast with the exclusion); untracked ones only where git is told to look.
  const tracked = gitWithMagic(repoRoot, statusArgs('no', exclusions));
  if (tracked.error !== undefined || tracked.status !== 0) return null;
  const state = parseStatus(top, tracked.stdout);
  if (beside.length === 0) return state;
  const untracked = gitWithMagic(repoRoot, ['ls-files', '--others', '--exclude-standard', '--full-name', '-z', '--', ...beside]);
  if (untracked.error !== undefined || untracked.status !== 0) return null;
  // Recorded as `git status` records an untracked path (code `?`).
  for (const rel of untracked.stdout.split('\0')) if (rel !== '') state.entries.set(rel, entryOf(top, rel, '?'));
  return state;
}

/**
 * What a capture records of `rel` (relative to `top`, the work tree's top):
 * git's status code and a hash of its content. Every capture, whichever git
 * call found the path, records it so, or two captures would differ where
 * nothing changed.
 */
function entryOf(top: string, rel: string, code: string): string {
  return `${code}:${contentHash(path.join(top, rel))}`;
}

/** What `git status --porcelain=v2 --branch -z` printed, each path's content hashed under `top`, the work tree's top. */
function parseStatus(top: string, stdout: string): RepoState {
  let head: string | null = null;
  const entries = new Map<string, string>();
  const record = (rel: string, code: string): void => void entries.set(rel, entryOf(top, rel, code));
  const fields = stdout.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (field.startsWith('# branch.oid ')) {
      const oid = field.slice('# branch.oid '.length);
      head = oid === '(initial)' ? null : oid;
      continue;
    }
    const kind = field.slice(0, 1);
    const before = FIELDS_BEFORE_PATH[kind];
    if (before === undefined) continue;
    // The path is everything after the fixed fields: it may hold spaces.
    let at = 0;
    for (let n = 0; n < before && at !== -1; n++) at = field.indexOf(' ', at + 1);
    if (at === -1) continue;
    const code = kind === '1' || kind === '2' || kind === 'u' ? field.slice(2, 4) : kind;
    record(field.slice(at + 1), code);
    if (kind === '2') record(fields[++i] ?? '', code);
  }
  entries.delete('');
  return { head, entries };
}

/**
 * The paths that differ between two states (sorted), with `HEAD` first when
 * it moved. What the captures left out (`captureRepoState`'s `except`) is
 * in neither.
 */
export function repoStateChanges(before: RepoState | null, after: RepoState | null): string[] {
  if (before === null || after === null) return [];
  const changed = new Set<string>();
  for (const [rel, value] of after.entries) if (before.entries.get(rel) !== value) changed.add(rel);
  for (const rel of before.entries.keys()) if (!after.entries.has(rel)) changed.add(rel);
  const paths = [...changed].sort();
  return before.head !== after.head ? ['HEAD', ...paths] : paths;
}
