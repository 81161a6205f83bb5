import path from 'node:path';

/*
 * Where a migration directory keeps its files (docs/format.md §2.4). Every
 * path to one of them is built from here.
 */

/** The files of a migration, relative to its directory, as findings, sums and invariants name them. */
export const MIGRATION_FILES = {
  manifest: 'manifest.json',
  planningDir: '.planning',
  state: '.planning/state.json',
  stages: '.planning/stages',
  sums: '.planning/sums',
  reviews: '.planning/reviews.jsonl',
} as const;

export type MigrationFiles = { readonly [K in keyof typeof MIGRATION_FILES]: string };

// The rules of one check each ask for the same directory's paths: the last answer is kept.
let last: { dir: string; files: MigrationFiles } | null = null;

/** The absolute paths of the files of the migration directory `dir`. */
export function migrationFiles(dir: string): MigrationFiles {
  if (last !== null && last.dir === dir) return last.files;
  const files: MigrationFiles = Object.freeze({
    manifest: path.join(dir, MIGRATION_FILES.manifest),
    planningDir: path.join(dir, MIGRATION_FILES.planningDir),
    state: path.join(dir, MIGRATION_FILES.state),
    stages: path.join(dir, MIGRATION_FILES.stages),
    sums: path.join(dir, MIGRATION_FILES.sums),
    reviews: path.join(dir, MIGRATION_FILES.reviews),
  });
  last = { dir, files };
  return files;
}
