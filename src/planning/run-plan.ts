import { createHash } from 'node:crypto';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CairnError, toPosix, shellWord } from '../util/index.js';
import { pyRepr } from '../json/index.js';
import { WORKSPACES_RELATIVE_DIR } from './workspace.js';
import { awaitingReviewReason } from './review-pending.js';
import { withRunLease } from './run-lease.js';
import {
  executeStep,
  liveDirOf,
  loadWorkspace,
  nextStepOf,
  openRun,
  withRunCleanupOnThrow,
  type AgentChoice,
  type EngineContext,
  type LoadedWorkspace,
  type OpenedRun,
  type StepRunResult,
} from './engine.js';
import { STEPS, isStep, isTerminalCursor, type PlanningState, type Step } from '../migration/index.js';
import { describeMigration } from './describe.js';

/*
 * `cairn plan`: exactly one planning step per call (docs/format.md §9.1), optionally
 * repeated with `--until`.
 */

export interface PlanStepOptions {
  agent: AgentChoice;
  taste: string | null;
  /** Show the prompt and what would run; touch nothing in the repository or the store. */
  dryRun?: boolean;
  /** Told when an agent starts, e.g. to show progress on stderr. */
  progress?: ((message: string) => void) | undefined;
}

/**
 * Refuses a workspace that has no next planning step (docs/format.md §9.1
 * step 3), returning the step. `reviewReason` is the workspace's
 * `awaitingReviewReason`.
 */
export function checkPlannable(loaded: LoadedWorkspace, slug: string, reviewReason: string | null): Step {
  const { manifest, state } = loaded;
  if (manifest.status !== 'planning') {
    throw new CairnError('invalid-state', `Migration ${pyRepr(slug)} has status ${pyRepr(manifest.status)}; only planning migrations have a next planning step`, {
      hint:
        manifest.status === 'ready' || manifest.status === 'in-progress'
          ? `Run \`cairn refine ${shellWord(slug)} --message ...\` to revise an unexecuted plan, or \`cairn ready\` to see what to do next.`
          : `Run \`cairn status ${shellWord(slug)}\` to see it.`,
    });
  }
  if (reviewReason !== null) {
    throw new CairnError('invalid-state', `Migration ${pyRepr(slug)} is awaiting human review: ${reviewReason}`, {
      hint: `Run \`cairn review ${shellWord(slug)}\` first.`,
    });
  }
  if (state === null) {
    throw new CairnError('invalid-state', `Migration ${pyRepr(slug)} is missing .planning/state.json`, {
      hint: `Run \`cairn doctor ${shellWord(slug)}\` to see what is wrong with it.`,
    });
  }
  return nextStepOf(state, slug);
}

/** Opens a run (a dry run's workspace goes to a temp dir). */
export async function openPlanningRun(ctx: EngineContext, dryRun: boolean): Promise<{ run: OpenedRun; tempRoot: string | null }> {
  if (!dryRun) return { run: await openRun(ctx), tempRoot: null };
  const tempRoot = await realpath(await mkdtemp(path.join(os.tmpdir(), 'cairn-dry-run-')));
  try {
    return { run: await openRun(ctx, { workRoot: tempRoot, dryRun: true }), tempRoot };
  } catch (error) {
    await rm(tempRoot, { recursive: true, force: true });
    throw error;
  }
}

/** The workspace path a real run would use, with `<run-id>` standing for the id it would get. */
export function plannedWorkspaceDisplay(slug: string): string {
  return toPosix(path.join(WORKSPACES_RELATIVE_DIR, slug, '<run-id>', slug));
}

/**
 * A dry run's result as the user should see it: the temporary workspace's
 * path in the prompt replaced by the path a real run would use.
 */
export function presentDryRun(result: StepRunResult, tempWorkspace: string): StepRunResult {
  if (result.prompt === null) return result;
  const shown = plannedWorkspaceDisplay(result.slug);
  const prompt = result.prompt.prompt.split(tempWorkspace).join(shown);
  const promptSha256 = createHash('sha256').update(prompt, 'utf8').digest('hex');
  const agentArgv = result.agentArgv?.map((arg) => arg.split(tempWorkspace).join(shown)) ?? null;
  return {
    ...result,
    prompt: { ...result.prompt, prompt, promptSha256 },
    agentArgv,
    workspaceDir: shown,
    runDir: null,
  };
}

/** The result of `planNextStep`. */
export interface PlanStepOutcome extends StepRunResult {
  /** Dry runs: why a real run would be refused at its start, else null. */
  wouldBlock: string | null;
}

/**
 * Runs the migration's next planning step (docs/format.md §9.1): takes the base snapshot (dirty ⇒ `CairnError('blocked')`),
 * copies live into a workspace, checks the migration is planning, not
 * awaiting review and not terminal (`CairnError('invalid-state')`), then
 * executes the step. Step and publish failures are results, not throws.
 * A real run holds the migration's run lease throughout (another run of it
 * ⇒ `CairnError('blocked')` before anything is touched).
 */
export async function planNextStep(ctx: EngineContext, options: PlanStepOptions): Promise<PlanStepOutcome> {
  if (options.dryRun === true) return planNextStepNow(ctx, options);
  return withRunLease(ctx.repoRoot, ctx.slug, { operation: 'plan' }, () => planNextStepNow(ctx, options));
}

async function planNextStepNow(ctx: EngineContext, options: PlanStepOptions): Promise<PlanStepOutcome> {
  const dryRun = options.dryRun === true;
  const { run, tempRoot } = await openPlanningRun(ctx, dryRun);
  try {
    const result = await withRunCleanupOnThrow(run, async () => {
      const loaded = await loadWorkspace(run, ctx.repoRoot);
      checkPlannable(loaded, ctx.slug, await awaitingReviewReason(run.workspaceDir, loaded.manifest, ctx.reviewPolicy));
      return executeStep(ctx, run, { agent: options.agent, operationPrefix: 'planning', taste: options.taste, dryRun, progress: options.progress });
    });
    const shown = dryRun ? presentDryRun(result, run.workspaceDir) : result;
    return { ...shown, wouldBlock: run.baseProblem };
  } finally {
    if (tempRoot !== null) await rm(tempRoot, { recursive: true, force: true });
  }
}

/** `--until`: a step name (stop once that step is accepted) or `terminal`. */
export type UntilTarget = Step | 'terminal';

export function parseUntil(value: string): UntilTarget {
  if (value === 'terminal' || isStep(value)) return value;
  throw new CairnError('usage', `--until must be a planning step or 'terminal', got '${value}'`, {
    hint: 'Steps: approaches, pick-best, expand, review, revise, review-2, final-review.',
  });
}

/** True when the loop of `plan --until` should stop after `result`. */
export function untilReached(result: StepRunResult, until: UntilTarget | null): boolean {
  if (result.status !== 'published') return true;
  if (result.nextStep === null || isTerminalCursor(result.nextStep)) return true;
  if (until === null) return true;
  return until !== 'terminal' && result.step === until;
}

/**
 * True when `--until <step>` is already behind the planning cursor: the step
 * was accepted and the cursor has moved past it for good (a step the cursor
 * will reach again, like `revise` after a reopen, is not behind it).
 */
export function untilAlreadyReached(state: PlanningState, until: UntilTarget | null): boolean {
  if (until === null || until === 'terminal' || !isStep(state.next_step)) return false;
  if (!state.completed_steps.some((step) => step.name === until)) return false;
  return STEPS.indexOf(until) < STEPS.indexOf(state.next_step);
}

/**
 * `plan --until`: runs steps one at a time (each its own run and publish)
 * until `until` has been accepted, the plan is terminal, or a step does not
 * publish. Returns every step's result in order: none when `until` is
 * already accepted.
 */
export async function planUntil(
  ctx: EngineContext,
  options: PlanStepOptions,
  until: UntilTarget | null,
  onStep?: (result: PlanStepOutcome) => void | Promise<void>,
): Promise<PlanStepOutcome[]> {
  if (until !== null && until !== 'terminal') {
    // Nothing to run when the step asked for is already accepted; a broken state is reported by the step itself.
    const described = await describeMigration(ctx.slug, liveDirOf(ctx), ctx.repoRoot, ctx.reviewPolicy).catch(() => null);
    if (described?.manifest.status === 'planning' && described.state !== null && untilAlreadyReached(described.state, until)) return [];
  }
  const loop = async (): Promise<PlanStepOutcome[]> => {
    const results: PlanStepOutcome[] = [];
    for (;;) {
      const result = await planNextStep(ctx, options);
      results.push(result);
      if (onStep !== undefined) await onStep(result);
      if (options.dryRun === true || untilReached(result, until)) return results;
    }
  };
  // One lease for the whole loop, so no other run slips in between two steps.
  return options.dryRun === true ? loop() : withRunLease(ctx.repoRoot, ctx.slug, { operation: 'plan' }, loop);
}
