import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runGit } from './git.js';

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

/**
 * The pathspec that leaves out each of `except` (repository-relative,
 * `/`-separated directories), taken literally; none when nothing inside the
 * repository is left out.
 */
function exclusionPathspec(except: readonly string[]): string[] {
  const inside = except.filter((prefix) => prefix !== '' && prefix !== '.' && prefix !== '..' && !prefix.startsWith('../') && !path.isAbsolute(prefix) && !/^[A-Za-z]:/.test(prefix));
  return inside.length === 0 ? [] : ['--', ':/', ...inside.map((prefix) => `:(top,exclude,literal)${prefix}`)];
}

/**
 * The repository's HEAD and changed paths, or null outside a git work tree:
 * one `git status` whose branch header names the commit checked out. A
 * rename or copy counts under both its paths. Paths under one of `except`
 * (repository-relative, `/`-separated) are not looked at: git leaves them
 * out, so a large live root is neither scanned for changes nor hashed.
 */
export function captureRepoState(repoRoot: string, except: readonly string[] = []): RepoState | null {
  // Pathspec magic is off in cairn's git calls (GIT_LITERAL_PATHSPECS); this one needs `exclude`.
  const status = runGit(repoRoot, [
    '--no-literal-pathspecs',
    '--no-optional-locks',
    'status',
    '--porcelain=v2',
    '--branch',
    '-z',
    '--untracked-files=all',
    '--ignore-submodules=none',
    ...exclusionPathspec(except),
  ]);
  if (status.error !== undefined || status.status !== 0) return null;
  let head: string | null = null;
  const entries = new Map<string, string>();
  const record = (rel: string, code: string): void => void entries.set(rel, `${code}:${contentHash(path.join(repoRoot, rel))}`);
  const fields = status.stdout.split('\0');
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
 * it moved. Paths under one of `except` (repository-relative, `/`-separated)
 * are left out.
 */
export function repoStateChanges(before: RepoState | null, after: RepoState | null, except: readonly string[] = []): string[] {
  if (before === null || after === null) return [];
  const excluded = (rel: string): boolean => except.some((prefix) => rel === prefix || rel.startsWith(`${prefix}/`));
  const changed = new Set<string>();
  for (const [rel, value] of after.entries) if (before.entries.get(rel) !== value && !excluded(rel)) changed.add(rel);
  for (const rel of before.entries.keys()) if (!after.entries.has(rel) && !excluded(rel)) changed.add(rel);
  const paths = [...changed].sort();
  return before.head !== after.head ? ['HEAD', ...paths] : paths;
}
