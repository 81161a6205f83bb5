import path from 'node:path';
import { hasParentTraversal, isSafeSegment, resolvePathWith, shellWord, toPosix } from '../util/index.js';
import { entryKind, readBytes } from '../fs/index.js';
import { migrationFiles, type Finding, type PlanningState } from '../migration/index.js';
import type { MigrationContext } from './context.js';

/*
 * A migration directory moved or renamed by hand (`git mv`) keeps the output
 * refs of its state file (docs/format.md §5.6), which name the repo-relative
 * path of the old directory. Those refs then fail as path errors; this rule
 * says what happened instead.
 */

function sameBytes(a: string, b: string): boolean {
  const left = readBytes(a);
  const right = readBytes(b);
  return 'bytes' in left && 'bytes' in right && left.bytes.equals(right.bytes);
}

/**
 * The slug this migration was moved or renamed from, or null: every accepted
 * step's stdout ref names a file under one other directory `<live root>/<old>/`
 * of the same live root, the same relative path is a regular file in this
 * migration, and where the old file still exists it holds the same bytes.
 */
export function movedFromSlug(ctx: MigrationContext, state: PlanningState): string | null {
  const publishedRoot = resolvePathWith(ctx.publishedRoot, ctx.realpaths);
  const liveRoot = path.dirname(publishedRoot);
  const repoRoot = resolvePathWith(ctx.repoRoot, ctx.realpaths);
  const here = path.basename(publishedRoot);
  let from: string | null = null;
  if (state.completed_steps.length === 0) return null;
  for (const step of state.completed_steps) {
    const ref = step.outputs.stdout;
    if (ref === '' || ref.startsWith('/') || hasParentTraversal(ref)) return null;
    const target = path.join(repoRoot, ref);
    const [first, ...rest] = path.relative(liveRoot, target).split(path.sep);
    if (first === undefined || rest.length === 0 || !isSafeSegment(first) || first === here) return null;
    if (from !== null && first !== from) return null;
    from = first;
    const local = path.join(ctx.dir, ...rest);
    if (entryKind(local, ctx.lstats) !== 'file') return null;
    if (entryKind(target) !== 'missing' && !sameBytes(target, local)) return null;
  }
  return from;
}

/**
 * `migration-moved` (doctor only): the state's output refs name another
 * migration directory of the live root whose files this one holds.
 */
export function movedFindings(ctx: MigrationContext, state: PlanningState | undefined): Finding[] {
  if (ctx.mode !== 'doctor' || state === undefined) return [];
  const from = movedFromSlug(ctx, state);
  if (from === null) return [];
  const liveRel = toPosix(path.relative(resolvePathWith(ctx.repoRoot, ctx.realpaths), path.dirname(resolvePathWith(ctx.publishedRoot, ctx.realpaths))));
  const oldRel = liveRel === '' ? from : `${liveRel}/${from}`;
  return [
    ctx.finding(
      'migration-moved',
      migrationFiles(ctx.dir).state,
      `This migration was moved or renamed from ${from}: .planning/state.json still records its stage outputs under ${oldRel}/.`,
      {
        hint: `Move it back with \`git mv ${toPosix(path.relative(resolvePathWith(ctx.repoRoot, ctx.realpaths), resolvePathWith(ctx.dir, ctx.realpaths)))} ${oldRel}\` and commit, then rename it with \`cairn mv ${shellWord(from)} <new-slug>\`, which rewrites these paths too; or make the rename complete by hand: rewrite "${oldRel}/" to "${liveRel === '' ? '' : `${liveRel}/`}${path.basename(resolvePathWith(ctx.dir, ctx.realpaths))}/" in .planning/state.json and set "name" in manifest.json to the directory name.`,
      },
    ),
  ];
}
