import type { ProjectContext } from '../config/index.js';
import { describeMigration, resolveMigrationTarget, type MigrationDescription } from '../planning/index.js';

/** One migration, by slug or directory, as status shows it. */
export async function describeTarget(context: ProjectContext, target: string): Promise<MigrationDescription> {
  const resolved = resolveMigrationTarget(target, context.liveRoot, context.repoRoot);
  return describeMigration(resolved.slug, resolved.path, context.repoRoot, context.reviewPolicy);
}
