import { existsSync, lstatSync, statSync } from 'node:fs';
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

/**
 * Resolve `<slug-or-path>` exactly as the v1 tool does (docs/format.md §15). `liveRoot`
 * and `repoRoot` must already be resolved. Relative paths are relative to the
 * repository root, not the working directory.
 */
export function resolveMigrationTarget(value: string, liveRoot: string, repoRoot: string): MigrationTarget {
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
  throw new CairnError('not-found', `Migration '${value}' does not exist.`, {
    hint: 'Run `cairn list` to see the migrations in this repository.',
  });
}
