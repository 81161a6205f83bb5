import { promises as fs } from 'node:fs';
import { compareCodePoints, isSafeSegment, errnoCode } from '../util/index.js';

export const INTENTIONAL_SKIPS_DIR = '__intentional_skips__';

/** A safe slug (docs/format.md §2.4); the same rule as a safe path segment. */
export const isSafeSlug = isSafeSegment;

/**
 * The visible migration directories under a live root, sorted by code point:
 * real directories (not symlinks) whose names are safe slugs. A live root
 * that is missing or not a directory has none.
 */
export async function listMigrationSlugs(liveRoot: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(liveRoot, { withFileTypes: true });
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isDirectory() && !entry.isSymbolicLink() && isSafeSlug(entry.name))
    .map((entry) => entry.name)
    .sort(compareCodePoints);
}
