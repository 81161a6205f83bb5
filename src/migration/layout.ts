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

/** The absolute paths of the files of the migration directory `dir`. */
export function migrationFiles(dir: string): MigrationFiles {
  return {
    manifest: path.join(dir, MIGRATION_FILES.manifest),
    planningDir: path.join(dir, MIGRATION_FILES.planningDir),
    state: path.join(dir, MIGRATION_FILES.state),
    stages: path.join(dir, MIGRATION_FILES.stages),
    sums: path.join(dir, MIGRATION_FILES.sums),
    reviews: path.join(dir, MIGRATION_FILES.reviews),
  };
}
