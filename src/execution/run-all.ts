import { listReadyWork, planNextStep, type EngineContext, type PlanStepOutcome, type ReadyItem } from '../planning/index.js';
import { messageOf } from '../util/index.js';
import { runPhase, type PhaseRunResult, type RunPhaseOptions } from './run-phase.js';

/*
 * `cairn run --all`: the automation loop. It takes the next eligible work
 * in the order `cairn ready` lists it (one planning step of a planning
 * migration, or the current phase of an executable one), does it, and
 * looks again, until nothing is eligible or a budget is spent. Work that
 * waits for a human is skipped and listed; work that failed in this loop is
 * not tried again in it.
 */

export interface RunAllOptions {
  phase: RunPhaseOptions;
  /** Options for planning steps. */
  plan: { agent: RunPhaseOptions['agent']; taste: string | null };
  maxActions: number | null;
  maxConsecutiveFailures: number;
  /** The engine context for a migration. */
  contextFor: (slug: string) => EngineContext;
  liveRoot: string;
  repoRoot: string;
  reviewPolicy: EngineContext['reviewPolicy'];
  /** Commits the migration directory after a publish (`--commit`); returns the commit, or null. */
  afterPublish?: ((slug: string, operation: string) => string | null) | undefined;
  /** Told after each action. */
  onAction?: ((action: RunAllAction) => void) | undefined;
  now?: () => Date;
}

/** One piece of work the loop did. */
export interface RunAllAction {
  kind: 'plan' | 'phase';
  slug: string;
  /** The planning step or the phase name. */
  detail: string;
  /** The step's status (`published`, `failed`, …) or the phase run's (`integrated`, `deferred`, …). */
  status: string;
  ok: boolean;
  reason: string;
  commit: string | null;
  plan: PlanStepOutcome | null;
  phase: PhaseRunResult | null;
}

export type RunAllStop = 'nothing-eligible' | 'max-actions' | 'max-consecutive-failures' | 'interrupted';

export interface RunAllResult {
  actions: RunAllAction[];
  /** Migrations waiting for a human review, skipped. */
  awaitingReview: { slug: string; reason: string }[];
  stoppedBecause: RunAllStop;
}

const PHASE_SUCCESS = new Set(['integrated', 'committed', 'pushed', 'deferred']);

function key(item: Pick<ReadyItem, 'kind' | 'slug' | 'detail'>): string {
  return `${item.kind}\0${item.slug}\0${item.detail}`;
}

export async function runAll(options: RunAllOptions): Promise<RunAllResult> {
  const actions: RunAllAction[] = [];
  const tried = new Set<string>();
  let failuresInARow = 0;
  let awaitingReview: { slug: string; reason: string }[] = [];
  for (;;) {
    if (options.maxActions !== null && actions.length >= options.maxActions) return { actions, awaitingReview, stoppedBecause: 'max-actions' };
    const items = await listReadyWork({ liveRoot: options.liveRoot, repoRoot: options.repoRoot, reviewPolicy: options.reviewPolicy, now: options.now?.() ?? new Date() });
    awaitingReview = items.filter((item) => item.kind === 'review').map((item) => ({ slug: item.slug, reason: item.detail }));
    const next = items.find((item) => item.kind !== 'review' && !tried.has(key(item)));
    if (next === undefined) return { actions, awaitingReview, stoppedBecause: 'nothing-eligible' };
    tried.add(key(next));
    const action = next.kind === 'plan' ? await planAction(options, next) : await phaseAction(options, next);
    actions.push(action);
    options.onAction?.(action);
    if (action.status === 'interrupted') return { actions, awaitingReview, stoppedBecause: 'interrupted' };
    failuresInARow = action.ok ? 0 : failuresInARow + 1;
    if (failuresInARow >= options.maxConsecutiveFailures) return { actions, awaitingReview, stoppedBecause: 'max-consecutive-failures' };
  }
}

async function planAction(options: RunAllOptions, item: ReadyItem): Promise<RunAllAction> {
  const base = { kind: 'plan' as const, slug: item.slug, detail: item.detail, phase: null };
  try {
    const outcome = await planNextStep(options.contextFor(item.slug), { agent: options.plan.agent, taste: options.plan.taste });
    const commit = outcome.status === 'published' ? (options.afterPublish?.(item.slug, outcome.operation) ?? null) : null;
    return { ...base, status: outcome.status, ok: outcome.status === 'published', reason: outcome.reason, plan: outcome, commit };
  } catch (error) {
    return { ...base, status: 'failed', ok: false, reason: messageOf(error), plan: null, commit: null };
  }
}

async function phaseAction(options: RunAllOptions, item: ReadyItem): Promise<RunAllAction> {
  const base = { kind: 'phase' as const, slug: item.slug, detail: item.detail, plan: null };
  try {
    const result = await runPhase(options.contextFor(item.slug), options.phase);
    const commit = result.status === 'deferred' ? (options.afterPublish?.(item.slug, 'migration.defer') ?? null) : result.commit;
    return { ...base, status: result.status, ok: PHASE_SUCCESS.has(result.status), reason: result.reason, commit, phase: result };
  } catch (error) {
    return { ...base, status: 'failed', ok: false, reason: messageOf(error), commit: null, phase: null };
  }
}
