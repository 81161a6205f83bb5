import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CairnError, hasUnsafeNameCharacter, isInside, resolvePath, visibleText } from '../util/index.js';
import { isSafeSlug } from '../migration/index.js';

/** A migration named on the command line: its slug and its live directory. */
export interface MigrationTarget {
  slug: string;
  path: string;
}

function refuse(message: string): CairnError {
  return new CairnError('resolve', message, {
    hint: 'Name a migration by its slug (see `cairn list`) or by its directory directly under the migrations dir.',
  });
}

function isRealDirectory(target: string): boolean {
  try {
    const stat = lstatSync(target);
    return stat.isDirectory();
  } catch {
    return false;
  }
}

function isSymlink(target: string): boolean {
  try {
    return lstatSync(target).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Python's notion of "looks like a path": absolute, several components, or a leading dot. */
function looksLikePath(value: string): boolean {
  if (path.isAbsolute(value) || value.startsWith('.')) return true;
  return value.split('/').filter((part) => part !== '' && part !== '.').length > 1;
}

/**
 * The checks a path-shaped value must pass (docs/format.md §15). Returns null when the
 * path does not exist and `strict` is false; raises the specific refusal
 * otherwise.
 */
function pathCandidate(
  value: string,
  liveRoot: string,
  repoRoot: string,
  hasSlugCandidate: boolean,
  strict: boolean,
): MigrationTarget | null {
  if (value.split(/[\\/]/).includes('..')) {
    throw refuse(`Migration path must not contain parent traversal: ${value}`);
  }
  const raw = path.isAbsolute(value) ? path.normalize(value) : path.join(repoRoot, value);
  if (!hasSlugCandidate && isSymlink(raw)) {
    throw refuse(`Migration path must not be a symlink: ${raw}`);
  }
  const resolved = resolvePath(raw);
  if (!strict && !existsSync(resolved)) return null;
  if (!isInside(resolved, liveRoot)) {
    throw refuse(`Migration path must stay inside live migrations dir: ${resolved}`);
  }
  if (path.dirname(resolved) !== liveRoot) {
    throw refuse(`Migration path must identify a direct migration directory: ${resolved}`);
  }
  if (hasUnsafeNameCharacter(path.basename(resolved))) {
    throw refuse(`Migration path names a directory with control, bidi or invisible characters (unsafe-migration-name): ${visibleText(resolved)}`);
  }
  if (!isSafeSlug(path.basename(resolved))) {
    throw refuse(`Migration path targets a hidden or internal directory: ${resolved}`);
  }
  if (!existsSync(resolved) || !statSync(resolved).isDirectory()) {
    throw refuse(`Migration path is not a directory: ${resolved}`);
  }
  return { slug: path.basename(resolved), path: resolved };
}

/** The number of single-character insertions, deletions, substitutions and adjacent swaps that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...Array.from({ length: b.length }, (_, j) => (i === 0 ? j + 1 : 0))]);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The migration whose slug is closest to a mistyped `value` (a typo or a dropped dash away), or null. */
export function closestSlug(value: string, liveRoot: string): string | null {
  let slugs: string[];
  try {
    slugs = readdirSync(liveRoot, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && isSafeSlug(entry.name))
      .map((entry) => entry.name);
  } catch {
    return null;
  }
  const squash = (text: string): string => text.toLowerCase().replace(/[-_\s]/g, '');
  let best: { slug: string; distance: number } | null = null;
  for (const slug of slugs) {
    const distance = Math.min(editDistance(value, slug), editDistance(squash(value), squash(slug)));
    if (distance <= Math.max(2, Math.floor(slug.length / 4)) && (best === null || distance < best.distance)) best = { slug, distance };
  }
  return best?.slug ?? null;
}

/**
 * A relative path typed from a subdirectory of the repository (tab
 * completion from `src/` gives `../migrations/alpha`) as the absolute path
 * it names there, when it exists; anything else as given.
 */
function fromWorkingDirectory(value: string, repoRoot: string, cwd: string): string {
  if (!looksLikePath(value) || path.isAbsolute(value)) return value;
  const here = resolvePath(cwd);
  if (here === repoRoot || !isInside(here, repoRoot)) return value;
  const named = path.resolve(here, value);
  return existsSync(named) ? named : value;
}

/**
 * Resolve `<slug-or-path>` exactly as the v1 tool does (docs/format.md §15). `liveRoot`
 * and `repoRoot` must already be resolved. Relative paths are relative to the
 * repository root, not the working directory, except a path that exists
 * relative to a working directory below the repository root.
 */
export function resolveMigrationTarget(given: string, liveRoot: string, repoRoot: string, cwd: string = process.cwd()): MigrationTarget {
  const value = fromWorkingDirectory(given, repoRoot, cwd);
  if (value === '') throw refuse(`Migration '' does not exist.`);
  const slugPath = path.join(liveRoot, value);
  const slugCandidate: MigrationTarget | null =
    isSafeSlug(value) && isRealDirectory(slugPath) ? { slug: value, path: slugPath } : null;

  const pathShaped = looksLikePath(value);
  const raw = path.isAbsolute(value) ? value : path.join(repoRoot, value);
  const candidatePath =
    pathShaped || existsSync(raw) ? pathCandidate(value, liveRoot, repoRoot, slugCandidate !== null, false) : null;

  if (slugCandidate !== null && candidatePath !== null && slugCandidate.path !== candidatePath.path) {
    throw refuse(`Migration target '${value}' is ambiguous between ${slugCandidate.path} and ${candidatePath.path}.`);
  }
  const found = slugCandidate ?? candidatePath;
  if (found !== null) return found;
  if (pathShaped) {
    const strict = pathCandidate(value, liveRoot, repoRoot, false, true);
    if (strict !== null) return strict;
  }
  const closest = pathShaped ? null : closestSlug(value, liveRoot);
  throw new CairnError('not-found', `Migration '${value}' does not exist.`, {
    hint: closest === null ? 'Run `cairn list` to see the migrations in this repository.' : `Did you mean ${closest}? Run \`cairn list\` to see the migrations in this repository.`,
  });
}
