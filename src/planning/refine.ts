import { rm } from 'node:fs/promises';
import { CairnError, isCairnError, localTimestamp, shellWord } from '../util/index.js';
import { pyRepr } from '../json/index.js';
import {
  executeStep,
  loadWorkspace,
  nextStepOf,
  withRunCleanupOnThrow,
  workspaceFiles,
  type EngineContext,
  type LoadedWorkspace,
  type OpenedRun,
} from './engine.js';
import { appendFeedback, reopenForRevise, saveManifest, saveState, type Manifest, type FeedbackSource } from '../migration/index.js';
import { openPlanningRun, presentDryRun, type PlanStepOptions, type PlanStepOutcome } from './run-plan.js';
import { withRunLease } from './run-lease.js';

/*
 * Refine (docs/format.md §9.6): user feedback is recorded in the plan and, unless the
 * plan is still before its first review, reopens it at `revise`; then the
 * one next step runs with the feedback in its prompt.
 */

/** The refinement feedback, read (and checked non-blank) before the target is resolved. */
export interface RefineFeedback {
  text: string;
  source: FeedbackSource;
}

/** Cursors at which feedback reopens a planning migration for revise. */
const REOPEN_AT = ['review', 'review-2', 'final-review'];

/** Checks feedback text: blank or whitespace-only is `CairnError('usage')` "refinement feedback must not be empty.". */
export function checkFeedback(text: string): void {
  if (text.trim() === '') {
    throw new CairnError('usage', 'Refinement feedback must not be empty.', {
      hint: 'Say what to change with --message "<text>" or --file <path>.',
    });
  }
}

/**
 * Why a migration cannot be refined (docs/format.md §9.6 step 3, in order), or null
 * when it can: planning migrations, and ready ones whose phases have not
 * started.
 */
export function refineRefusal(manifest: Manifest, slug: string): string | null {
  const name = `Migration ${pyRepr(slug)}`;
  if (manifest.phases.some((phase) => phase.done)) return `${name} has completed phase work and cannot be refined`;
  if (manifest.status === 'planning') return null;
  if (manifest.status !== 'ready') {
    return `${name} has status ${pyRepr(manifest.status)}; only planning or unexecuted ready migrations can be refined`;
  }
  const first = manifest.phases[0];
  if (first === undefined) return `${name} has no phases and cannot be refined`;
  if (manifest.current_phase !== first.name) return `${name} has already advanced past its first phase`;
  return null;
}

/** True when `cairn refine` would accept the migration (no done phases; planning, or ready at its first phase). */
export function isRefinable(manifest: Manifest, slug: string): boolean {
  return refineRefusal(manifest, slug) === null;
}

/** The prompt context refine adds for the step it runs. */
export function refineContext(feedback: RefineFeedback): string {
  return `User refinement feedback:\n${feedback.text}`;
}

/**
 * Runs a check of the planning state that refuses with `invalid-state`: a
 * terminal cursor has no next step, or the cursor cannot be reopened for
 * revise. The state was validated when it was loaded, so such a refusal is
 * refine's: it is reported as `not-refinable`.
 */
function refusedAsNotRefinable<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!isCairnError(error) || error.code !== 'invalid-state') throw error;
    throw new CairnError('not-refinable', error.message, {
      cause: error,
      ...(error.hint !== undefined ? { hint: error.hint } : {}),
      ...(error.path !== undefined ? { path: error.path } : {}),
    });
  }
}

/**
 * Applies feedback to a run's workspace (docs/format.md §9.6 steps 2–7): checks
 * eligibility, appends the feedback, reopens at `revise` when the plan is
 * ready or at a review cursor, turns a ready manifest back into planning,
 * and saves both files in the workspace. Refusals are
 * `CairnError('not-refinable')` (exit 1).
 */
export async function applyRefinement(
  ctx: EngineContext,
  run: OpenedRun,
  loaded: LoadedWorkspace,
  feedback: RefineFeedback,
  now: string = localTimestamp(),
): Promise<void> {
  const { manifest } = loaded;
  if (loaded.state === null) {
    throw new CairnError('not-refinable', `Migration ${pyRepr(run.slug)} is missing .planning/state.json`, {
      hint: `Run \`cairn doctor ${shellWord(run.slug)}\` to see what is wrong with it.`,
    });
  }
  const refusal = refineRefusal(manifest, run.slug);
  if (refusal !== null) {
    throw new CairnError('not-refinable', refusal, {
      hint: `Run \`cairn status ${shellWord(run.slug)}\` to see where it is; \`cairn new\` starts a new migration.`,
    });
  }
  const wasReady = manifest.status === 'ready';
  let state = appendFeedback(loaded.state, feedback.text, feedback.source, now);
  if (wasReady || REOPEN_AT.includes(state.next_step)) state = refusedAsNotRefinable(() => reopenForRevise(state, now));
  let next: Manifest = manifest;
  if (wasReady) {
    next = {
      ...manifest,
      status: 'planning',
      awaiting_human_review: false,
      human_review_reason: null,
      cooldown_until: null,
      current_phase: manifest.phases[0]?.name ?? '',
    };
  } else {
    refusedAsNotRefinable(() => nextStepOf(state, run.slug));
  }
  const files = workspaceFiles(run.workspaceDir);
  await saveState(files.state, state, { repoRoot: ctx.repoRoot, stateFile: files.state, publishedRoot: run.liveDir });
  if (next !== manifest) await saveManifest(files.manifest, next);
}

/**
 * `cairn refine`: records the feedback and runs the single next step with
 * it (or, in manual mode, prepares the run for `cairn accept`); the
 * operation is `migration.refine.<step>`. A real run holds the migration's
 * run lease throughout.
 */
export async function refineMigration(
  ctx: EngineContext,
  options: PlanStepOptions & { feedback: RefineFeedback },
): Promise<PlanStepOutcome> {
  checkFeedback(options.feedback.text);
  if (options.dryRun === true) return refineNow(ctx, options);
  return withRunLease(ctx.repoRoot, ctx.slug, { operation: 'refine' }, () => refineNow(ctx, options));
}

async function refineNow(ctx: EngineContext, options: PlanStepOptions & { feedback: RefineFeedback }): Promise<PlanStepOutcome> {
  const dryRun = options.dryRun === true;
  const { run, tempRoot } = await openPlanningRun(ctx, dryRun);
  try {
    const result = await withRunCleanupOnThrow(run, async () => {
      await applyRefinement(ctx, run, await loadWorkspace(run, ctx.repoRoot), options.feedback);
      return executeStep(ctx, run, {
        agent: options.agent,
        operationPrefix: 'migration.refine',
        taste: options.taste,
        extraContext: refineContext(options.feedback),
        dryRun,
        progress: options.progress,
      });
    });
    const shown = dryRun ? presentDryRun(result, run.workspaceDir) : result;
    return { ...shown, wouldBlock: run.baseProblem };
  } finally {
    if (tempRoot !== null) await rm(tempRoot, { recursive: true, force: true });
  }
}
