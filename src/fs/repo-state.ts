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

/** The repository's HEAD and changed paths, or null outside a git work tree. */
export function captureRepoState(repoRoot: string): RepoState | null {
  const status = runGit(repoRoot, ['--no-optional-locks', 'status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=none']);
  if (status.error !== undefined || status.status !== 0) return null;
  const head = runGit(repoRoot, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  const entries = new Map<string, string>();
  const fields = status.stdout.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (field.length < 4) continue;
    const rel = field.slice(3);
    entries.set(rel, `${field.slice(0, 2)}:${contentHash(path.join(repoRoot, rel))}`);
    if (field[0] === 'R' || field[0] === 'C') i++;
  }
  return { head: head.status === 0 ? head.stdout.trim() : null, entries };
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
