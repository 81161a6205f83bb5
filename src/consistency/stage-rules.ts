import path from 'node:path';
import { messageOf, compareCodePoints, resolvePathWith } from '../util/index.js';
import { pyStrRepr } from '../json/index.js';
import { migrationFiles, type PlanningState, type Finding } from '../migration/index.js';
import type { MigrationContext } from './context.js';
import { isMissing, listDir } from '../fs/index.js';

/** `ref` (repo-relative, naming the live location) relative to the published root, or null when outside it. */
function relativeToPublished(repoRoot: string, publishedRoot: string, ref: string): string | null {
  const relative = path.relative(publishedRoot, path.join(repoRoot, ...ref.split('/')));
  return relative.startsWith('..') || path.isAbsolute(relative) ? null : relative;
}

/**
 * The names in `.planning/stages/` that accepted steps name. A ref names
 * the live location (`<live dir, repo-relative>/.planning/stages/<name>`);
 * refs of that plain shape are matched as text, anything else through
 * paths (resolved when the plain comparison fails, e.g. a symlinked
 * repository path).
 */
function recordedNames(ctx: MigrationContext, state: PlanningState): Set<string> {
  const names = new Set<string>();
  const liveDir = path.relative(ctx.repoRoot, ctx.publishedRoot).split(path.sep).join('/');
  const prefix = `${liveDir}/.planning/stages/`;
  const stages = migrationFiles(ctx.dir).stages;
  let resolved: { repoRoot: string; publishedRoot: string } | null = null;
  for (const step of state.completed_steps) {
    const ref = step.outputs.stdout;
    const name = ref.startsWith(prefix) ? ref.slice(prefix.length) : '';
    if (name !== '' && !name.includes('/') && name !== '.' && name !== '..') {
      names.add(name);
      continue;
    }
    let relative = relativeToPublished(ctx.repoRoot, ctx.publishedRoot, ref);
    if (relative === null) {
      resolved ??= { repoRoot: resolvePathWith(ctx.repoRoot, ctx.realpaths), publishedRoot: resolvePathWith(ctx.publishedRoot, ctx.realpaths) };
      relative = relativeToPublished(resolved.repoRoot, resolved.publishedRoot, ref);
    }
    if (relative !== null && path.dirname(path.join(ctx.dir, relative)) === stages) names.add(path.basename(relative));
  }
  return names;
}

/**
 * `stage-output-unrecorded` (warning): every non-directory entry of
 * `.planning/stages/` that no accepted step of a readable state names, sorted.
 */
export function unrecordedStageFindings(ctx: MigrationContext, state: PlanningState): Finding[] {
  const dir = migrationFiles(ctx.dir).stages;
  const listed = listDir(dir);
  if ('error' in listed) {
    if (isMissing(listed.error)) return [];
    return [ctx.finding('path-unreadable', dir, `Could not list ${dir}: ${messageOf(listed.error)}`)];
  }
  const names = listed.entries.filter((entry) => !entry.isDirectory()).map((entry) => entry.name);
  if (names.length === 0) return [];
  const recorded = recordedNames(ctx, state);
  return names
    .sort(compareCodePoints)
    .filter((name) => !recorded.has(name))
    .map((name) =>
      ctx.finding(
        'stage-output-unrecorded',
        path.join(dir, name),
        `Stage file ${pyStrRepr(`.planning/stages/${name}`)} is not named by any accepted step.`,
      ),
    );
}
