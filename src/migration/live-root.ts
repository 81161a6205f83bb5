import { promises as fs } from 'node:fs';
import { isSafeSegment, isVisibleSegment, errnoCode, sortByCodePoints } from '../util/index.js';

export const INTENTIONAL_SKIPS_DIR = '__intentional_skips__';

/** A safe slug (docs/format.md §2.4); the same rule as a safe path segment. */
export const isSafeSlug = isSafeSegment;

/** The migration directories of a live root, each list sorted by code point. */
export interface MigrationDirectories {
  /** Directories whose names are safe slugs: the migrations cairn works on. */
  slugs: string[];
  /**
   * Directories that are not hidden (no leading `.` or `__`) but whose names
   * hold a control, bidi or invisible format character: broken migrations,
   * listed and reported (`unsafe-migration-name`), never worked on.
   */
  unsafeNames: string[];
}

/**
 * The migration directories under a live root: real directories (not
 * symlinks) whose names are visible segments, split into safe slugs and
 * unsafe names. A live root that is missing or not a directory has none.
 */
export async function listMigrationDirectories(liveRoot: string): Promise<MigrationDirectories> {
  let entries;
  try {
    entries = await fs.readdir(liveRoot, { withFileTypes: true });
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { slugs: [], unsafeNames: [] };
    throw error;
  }
  const slugs: string[] = [];
  const unsafeNames: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.isSymbolicLink() || !isVisibleSegment(entry.name)) continue;
    (isSafeSlug(entry.name) ? slugs : unsafeNames).push(entry.name);
  }
  return { slugs: sortByCodePoints(slugs), unsafeNames: sortByCodePoints(unsafeNames) };
}

/**
 * The visible migration directories under a live root whose names are safe
 * slugs, sorted by code point (see {@link listMigrationDirectories}).
 */
export async function listMigrationSlugs(liveRoot: string): Promise<string[]> {
  return (await listMigrationDirectories(liveRoot)).slugs;
}
