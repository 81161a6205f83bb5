import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { CairnError, messageOf, isInside, resolvePath, toPosix, errnoCode } from '../util/index.js';
import { pyRepr, readTextFile } from '../json/index.js';
import type { Step } from './graph.js';
import { resolveOutputRef, type OutputRefContext } from './output-refs.js';
import type { PlanningState } from './state.js';
import { migrationFiles } from './layout.js';

/*
 * Stage outputs (docs/format.md §6.1): the accepted stdout of each step, kept forever
 * under `.planning/stages/` as `<step>.stdout.md`, `<step>-2.stdout.md`, ….
 */


/**
 * The first free stage file for `step` in `migrationDir`:
 * `.planning/stages/<step>.stdout.md`, else `<step>-2.stdout.md`, `-3`, …
 * (a name is taken if anything exists there, even a dangling symlink).
 */
export async function nextStageOutputPath(migrationDir: string, step: Step): Promise<string> {
  const dir = migrationFiles(migrationDir).stages;
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, n === 1 ? `${step}.stdout.md` : `${step}-${n}.stdout.md`);
    if (!(await exists(candidate))) return candidate;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw new CairnError('io', `Could not inspect planning output ${file}: ${messageOf(error)}`, {
      path: file,
      cause: error,
    });
  }
}

/**
 * The ref recorded for a stage file: the repo-relative POSIX path of
 * `fileRelToMigration` re-rooted at the live migration dir (the repository
 * and the live dir with symlinks resolved, so either may be given through a
 * link). Throws `CairnError('invalid-state')` if that path is not under
 * `repoRoot`.
 */
export function stdoutRefFor(repoRoot: string, liveMigrationDir: string, fileRelToMigration: string): string {
  const root = resolvePath(repoRoot);
  const live = path.resolve(resolvePath(liveMigrationDir), fileRelToMigration);
  if (live === root || !isInside(live, root)) {
    throw new CairnError('invalid-state', `Planning output ${live} must be inside repository ${root}`);
  }
  return toPosix(path.relative(root, live));
}

/**
 * The stdout ref of the most recent accepted step named `step`. Throws
 * `CairnError('invalid-state')` "Planning state has no accepted stdout
 * output for step 'X'" when there is none.
 */
export function latestStdoutRef(state: PlanningState, step: Step): string {
  for (let i = state.completed_steps.length - 1; i >= 0; i--) {
    const completed = state.completed_steps[i];
    if (completed === undefined || completed.name !== step) continue;
    if (completed.outputs.stdout === '') break;
    return completed.outputs.stdout;
  }
  throw new CairnError('invalid-state', `Planning state has no accepted stdout output for step ${pyRepr(step)}`);
}

/**
 * Reads the accepted stdout of the most recent `step`, through the output
 * ref rules (`resolveOutputRef`). A read or UTF-8 failure is
 * `CairnError('invalid-state')` "Could not read planning output <ref>: …".
 */
export async function readLatestStdout(state: PlanningState, step: Step, ctx: OutputRefContext): Promise<string> {
  const ref = latestStdoutRef(state, step);
  const file = resolveOutputRef(ref, ctx);
  try {
    return await readTextFile(file);
  } catch (error) {
    throw new CairnError('invalid-state', `Could not read planning output ${ref}: ${messageOf(error)}`, {
      path: file,
      cause: error,
    });
  }
}
