import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { saveManifest, appendReviewRecord, readReviewRecords, reviewerIdentity, migrationFiles, sectionText, type ReviewDecision, type CompletedStep, type FeedbackEntry, type FinalDecision, type Manifest, type Phase, type ReviewRecord } from '../migration/index.js';
import { CairnError, toPosix, localTimestamp, shellWord } from '../util/index.js';
import { pyRepr } from '../json/index.js';
import { readRegularTextSync, snapshotId, writeFileDurable } from '../fs/index.js';
import type { PublishResult } from '../publish/index.js';
import { intentionalSkipText, type ReviewPolicy } from './accept-step.js';
import { reviewPending } from './review-pending.js';
import { describeMigration } from './describe.js';
import { nullPlanningLog } from './engine-log.js';
import {
  executeStep,
  loadWorkspace,
  publishModeFor,
  publishRun,
  withRunCleanupOnThrow,
  workspaceFiles,
  type EngineContext,
  type LoadedWorkspace,
  type StepRunResult,
} from './engine.js';
import { applyRefinement, checkFeedback, isRefinable, refineContext } from './refine.js';
import { openPlanningRun, presentDryRun, type PlanStepOptions } from './run-plan.js';
import { withRunLease } from './run-lease.js';

/*
 * The human review gate (docs/format.md §9.7, issue 6): a migration awaiting human
 * review — or, under review policy "always", any approved one not yet
 * approved by a person — cannot start a phase until someone decides.
 * Every decision is one line of `.planning/reviews.jsonl`, published
 * together with the manifest change it makes.
 */

/** The refusal for a migration that is not waiting for a review (docs/format.md §9.7): a state refusal, exit 1. */
export function notAwaitingReviewError(manifest: Manifest, slug: string): CairnError {
  const listed = '`cairn list --awaiting-review` lists the migrations that are.';
  const hint = isRefinable(manifest, slug)
    ? `To revise it instead, run \`cairn refine ${shellWord(slug)} --message ...\`; ${listed}`
    : `It cannot be refined either: only planning migrations and ready ones whose phases have not started can. ${listed}`;
  return new CairnError('invalid-state', `Migration ${pyRepr(slug)} is not awaiting human review.`, { hint });
}

/** What a reviewer sees before deciding. */
export interface ReviewSummary {
  slug: string;
  /** The migration dir, repo-relative. */
  path: string;
  status: Manifest['status'];
  target: string | null;
  pending: boolean;
  humanReviewReason: string | null;
  finalDecision: FinalDecision | null;
  finalReason: string | null;
  /** The first lines of plan.md (null when there is none). */
  planHead: string[] | null;
  /** Lines of plan.md not shown. */
  planMoreLines: number;
  phases: ReviewPhase[];
  currentPhase: string;
  lastReview: ReviewRecord | null;
  /** Accepted steps and feedback newer than the last review (all of them before the first). */
  changedSteps: CompletedStep[];
  changedFeedback: FeedbackEntry[];
  /** The live snapshot the reviewer is looking at. */
  snapshotId: string;
}

const PLAN_HEAD_LINES = 20;

/** A phase as the reviewer sees it: the manifest's entry and its doc's Definition of Done (null when the doc has none or cannot be read). */
export type ReviewPhase = Phase & { definitionOfDone: string | null };

function definitionOfDone(liveDir: string, phase: Phase): string | null {
  try {
    // Metadata lines (`required_effort: low`) may sit in the section; they are not part of what "done" means.
    const text = readRegularTextSync(path.join(liveDir, phase.file)).replace(/^[ \t]*(required_effort|effort_reason)[ \t]*:.*$/gim, '');
    return sectionText(text, 'Definition of Done');
  } catch {
    return null;
  }
}

function newerThan(at: string, since: string | null): boolean {
  if (since === null) return true;
  const a = Date.parse(at);
  const b = Date.parse(since);
  return Number.isNaN(a) || Number.isNaN(b) ? at > since : a > b;
}

/**
 * Reads what a reviewer needs from the live migration: plan head, phases,
 * the final-review reason, and what changed since the last review. Throws
 * `CairnError('not-found')` "migration '<slug>' does not exist." without a
 * manifest.
 */
export async function reviewSummary(
  ctx: Pick<EngineContext, 'repoRoot' | 'liveRoot' | 'slug' | 'reviewPolicy'>,
): Promise<ReviewSummary> {
  const liveDir = path.join(ctx.liveRoot, ctx.slug);
  if (!existsSync(migrationFiles(liveDir).manifest)) {
    throw new CairnError('not-found', `Migration '${ctx.slug}' does not exist.`, {
      hint: 'Run `cairn list` to see the migrations in this repository.',
    });
  }
  const id = await snapshotId(liveDir);
  const described = await describeMigration(ctx.slug, liveDir, ctx.repoRoot, ctx.reviewPolicy);
  const { manifest, state } = described;
  const reviews = await readReviewRecords(liveDir);
  const lastReview = reviews[reviews.length - 1] ?? null;
  let planHead: string[] | null = null;
  let planMoreLines = 0;
  try {
    const lines = readRegularTextSync(path.join(liveDir, 'plan.md')).replace(/\n+$/, '').split('\n');
    planHead = lines.slice(0, PLAN_HEAD_LINES);
    planMoreLines = Math.max(0, lines.length - PLAN_HEAD_LINES);
  } catch {
    planHead = null;
  }
  const since = lastReview?.at ?? null;
  return {
    slug: ctx.slug,
    path: toPosix(path.relative(ctx.repoRoot, liveDir)),
    status: manifest.status,
    target: state?.target ?? null,
    pending: reviewPending(manifest, reviews, ctx.reviewPolicy),
    humanReviewReason: manifest.human_review_reason,
    finalDecision: state?.final_decision ?? null,
    finalReason: state?.final_reason ?? null,
    planHead,
    planMoreLines,
    phases: manifest.phases.map((phase) => ({ ...phase, definitionOfDone: definitionOfDone(liveDir, phase) })),
    currentPhase: manifest.current_phase,
    lastReview,
    changedSteps: (state?.completed_steps ?? []).filter((step) => newerThan(step.completed_at, since)),
    changedFeedback: (state?.feedback ?? []).filter((entry) => newerThan(entry.received_at, since)),
    snapshotId: id,
  };
}

export type ReviewInput =
  | { decision: 'approve'; note?: string | null }
  | { decision: 'reject'; reason: string }
  | { decision: 'request-changes'; message: string };

export interface ReviewOptions {
  /** The snapshot the reviewer saw (`reviewSummary().snapshotId`); a different live tree refuses the decision. */
  reviewedSnapshotId?: string | null;
  /** For request-changes: the agent that revises the plan. */
  plan?: PlanStepOptions | null;
  dryRun?: boolean;
  now?: Date;
}

export interface ReviewResult {
  decision: ReviewDecision;
  reviewer: string;
  /** The live snapshot id the decision was about. */
  snapshotId: string;
  /** The record appended to reviews.jsonl (published only when the decision is). */
  record: ReviewRecord;
  /** Approve and reject: the publish. */
  publish: PublishResult | null;
  /** Request-changes: the refine step that carried the decision. */
  step: StepRunResult | null;
  /** The run directory when kept (refused publish). */
  runDir: string | null;
  warnings: string[];
}

function checkDecisionText(input: ReviewInput): void {
  if (input.decision === 'reject' && input.reason.trim() === '') {
    throw new CairnError('usage', 'A rejection needs a reason: --reject --reason "<why>".');
  }
  if (input.decision === 'request-changes') checkFeedback(input.message);
}

function checkReviewable(loaded: LoadedWorkspace, slug: string, reviews: readonly ReviewRecord[], policy: ReviewPolicy): void {
  if (!reviewPending(loaded.manifest, reviews, policy)) throw notAwaitingReviewError(loaded.manifest, slug);
}

function reviewedManifest(manifest: Manifest, decision: 'approve' | 'reject', now: string): Manifest {
  const cleared = { ...manifest, awaiting_human_review: false, human_review_reason: null, last_touch: now };
  return decision === 'approve' ? cleared : { ...cleared, status: 'skipped' };
}

/**
 * Records and publishes a human review decision: approve (clears the
 * review flag), reject (status `skipped`, `intentional-skip.md` with the
 * reason) — both as operation `migration.review` — or request changes (a
 * refine whose step publishes the decision with it). The migration must be
 * waiting for a review (`CairnError('usage')`, docs/format.md §9.7).
 */
export async function decideReview(ctx: EngineContext, input: ReviewInput, options: ReviewOptions = {}): Promise<ReviewResult> {
  checkDecisionText(input);
  // Request-changes starts an agent: it holds the run lease like refine.
  if (input.decision !== 'request-changes' || options.dryRun === true) return decideReviewNow(ctx, input, options);
  return withRunLease(ctx.repoRoot, ctx.slug, { operation: 'review' }, () => decideReviewNow(ctx, input, options));
}

async function decideReviewNow(ctx: EngineContext, input: ReviewInput, options: ReviewOptions): Promise<ReviewResult> {
  const dryRun = options.dryRun === true;
  const nowDate = options.now ?? new Date();
  const now = localTimestamp(nowDate);
  const { run, tempRoot } = await openPlanningRun(ctx, dryRun);
  try {
    const prepared = await withRunCleanupOnThrow(run, async () => {
      if (options.reviewedSnapshotId != null && options.reviewedSnapshotId !== run.baseSnapshotId) {
        throw new CairnError('blocked', `Migration '${ctx.slug}' changed while it was being reviewed; nothing was recorded.`, {
          hint: `Run \`cairn review ${shellWord(ctx.slug)}\` again to see the current plan.`,
        });
      }
      const loaded = await loadWorkspace(run, ctx.repoRoot);
      checkReviewable(loaded, ctx.slug, await readReviewRecords(run.workspaceDir), ctx.reviewPolicy);
      const reviewer = reviewerIdentity(ctx.repoRoot);
      const record: ReviewRecord = { reviewer, decision: input.decision, at: now, snapshot_id: run.baseSnapshotId };
      const note = input.decision === 'approve' ? (input.note ?? null) : input.decision === 'reject' ? input.reason : input.message;
      if (note !== null && note !== '') record.note = note;
      await appendReviewRecord(run.workspaceDir, record);
      if (input.decision === 'request-changes') {
        await applyRefinement(ctx, run, loaded, { text: input.message, source: 'message' }, now);
      } else {
        const manifest = reviewedManifest(loaded.manifest, input.decision, now);
        if (input.decision === 'reject') {
          const target = loaded.state?.target ?? manifest.name;
          await writeFileDurable(path.join(run.workspaceDir, 'intentional-skip.md'), intentionalSkipText(ctx.slug, target, input.reason));
        }
        await saveManifest(workspaceFiles(run.workspaceDir).manifest, manifest);
      }
      return { reviewer, record, loaded };
    });
    const result: ReviewResult = {
      decision: input.decision,
      reviewer: prepared.reviewer,
      snapshotId: run.baseSnapshotId,
      record: prepared.record,
      publish: null,
      step: null,
      runDir: null,
      warnings: [],
    };
    const log = ctx.log ?? nullPlanningLog();
    if (input.decision === 'request-changes') {
      const plan = options.plan;
      if (plan === undefined || plan === null) throw new CairnError('usage', 'Requesting changes needs an agent to revise the plan.');
      const step = await executeStep(ctx, run, {
        agent: plan.agent,
        operationPrefix: 'migration.refine',
        taste: plan.taste,
        extraContext: refineContext({ text: input.message, source: 'message' }),
        dryRun,
        progress: plan.progress,
      });
      result.step = dryRun ? presentDryRun(step, run.workspaceDir) : step;
      result.runDir = result.step.runDir;
      result.publish = step.publish;
    } else {
      const manifest = reviewedManifest(prepared.loaded.manifest, input.decision, now);
      const mode = input.decision === 'approve' ? publishModeFor(manifest) : 'planning-snapshot';
      const published = await publishRun(ctx, run, { operation: 'migration.review', mode, dryRun });
      result.publish = published.result;
      result.runDir = dryRun ? null : published.runDir;
      result.warnings.push(...published.warnings);
    }
    if (!dryRun && result.publish?.status === 'published') {
      log.event('review', ctx.slug, { decision: input.decision, reviewer: prepared.reviewer, snapshot_id: run.baseSnapshotId, at: now });
    }
    return result;
  } finally {
    if (tempRoot !== null) await rm(tempRoot, { recursive: true, force: true });
  }
}
