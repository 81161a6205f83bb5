import * as z from 'zod';
import { reviewRecordSchema, FINAL_DECISIONS, EFFORTS, MIGRATION_STATUSES, CompletedStepFileSchema, FeedbackFileSchema } from '../migration/index.js';
import type { ReviewSummary } from '../planning/index.js';
import { PublishResultJsonSchema } from './publish-result.js';
import { jsonDocument } from './document.js';
import { StepJsonSchema } from './step.js';

const PhaseJsonSchema = z.strictObject({
  name: z.string(),
  file: z.string(),
  done: z.boolean(),
  precondition: z.string(),
  definition_of_done: z.string().nullable().describe("The phase doc's Definition of Done; null when it has none."),
  required_effort: z.enum(EFFORTS).nullable(),
  effort_reason: z.string().nullable(),
  current: z.boolean(),
});

export const ReviewSummaryJsonSchema = z.strictObject({
  slug: z.string(),
  path: z.string().describe('The migration directory, repo-relative.'),
  status: z.enum(MIGRATION_STATUSES),
  pending: z.boolean().describe('True when the plan awaits a human review.'),
  target: z.string().nullable(),
  human_review_reason: z.string().nullable(),
  final_decision: z.enum(FINAL_DECISIONS).nullable(),
  final_reason: z.string().nullable(),
  plan_head: z.array(z.string()).nullable().describe('The first lines of plan.md.'),
  plan_more_lines: z.int().min(0),
  phases: z.array(PhaseJsonSchema),
  last_review: reviewRecordSchema().nullable(),
  changed_steps: z.array(CompletedStepFileSchema).describe('Accepted steps newer than the last review.'),
  changed_feedback: z.array(FeedbackFileSchema),
  snapshot_id: z.string().describe('The live snapshot the reviewer looked at.'),
});

export const ReviewOutputSchema = jsonDocument(
  {
    summary: ReviewSummaryJsonSchema,
    review: z
      .strictObject({
      decision: z.enum(['approve', 'reject', 'request-changes']),
      reviewer: z.string(),
      snapshot_id: z.string(),
      record: reviewRecordSchema().describe('The line appended to .planning/reviews.jsonl.'),
      publish: PublishResultJsonSchema.nullable().describe('Approve and reject: the publish.'),
      step: StepJsonSchema.nullable().describe('Request changes: the refine step that carried the decision.'),
      commit: z.string().nullable(),
    })
      .nullable()
      .describe('The decision recorded; null when none was given (the summary alone, for a reviewer or a bot to read).'),
  },
  'Output of `cairn review --format json`.',
);

/** The review summary as JSON. */
export function reviewSummaryJson(summary: ReviewSummary): z.infer<typeof ReviewSummaryJsonSchema> {
  return {
    slug: summary.slug,
    path: summary.path,
    status: summary.status,
    pending: summary.pending,
    target: summary.target,
    human_review_reason: summary.humanReviewReason,
    final_decision: summary.finalDecision,
    final_reason: summary.finalReason,
    plan_head: summary.planHead,
    plan_more_lines: summary.planMoreLines,
    phases: summary.phases.map(({ definitionOfDone, ...phase }) => ({
      ...phase,
      definition_of_done: definitionOfDone,
      current: phase.name === summary.currentPhase,
    })),
    last_review: summary.lastReview,
    changed_steps: summary.changedSteps,
    changed_feedback: summary.changedFeedback,
    snapshot_id: summary.snapshotId,
  };
}
