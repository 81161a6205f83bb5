import * as z from 'zod';
import { CURSORS, FINAL_DECISIONS, OUTCOMES, STEPS, EFFORTS, MIGRATION_STATUSES, FeedbackFileSchema, type Cursor } from '../migration/index.js';
import { jsonDocument } from './document.js';

export const StatusOutputSchema = jsonDocument(
  {
    slug: z.string(),
    path: z.string().describe('The migration directory, relative to the repository root.'),
    status: z.enum(MIGRATION_STATUSES),
    next_step: z.enum(CURSORS as [Cursor, ...Cursor[]]).nullable(),
    target: z.string().nullable(),
    awaiting_human_review: z.boolean().describe("The manifest's stored flag. Whether the migration awaits a review is `awaiting_review`."),
    human_review_reason: z.string().nullable().describe("The manifest's stored reason."),
    awaiting_review: z
      .boolean()
      .describe('Awaiting a human review under the project\'s review policy: the same answer as list\'s `awaiting_review`, ready, review, phase done and run.'),
    review_reason: z.string().nullable().describe('Why it awaits a review (e.g. `review policy is "always"`), null when it does not.'),
    final_decision: z.enum(FINAL_DECISIONS).nullable(),
    final_reason: z.string().nullable(),
    review_findings: z.string().nullable(),
    current_phase: z.string().describe("A phase name, or '' for none."),
    created_at: z.string(),
    last_touch: z.string(),
    cooldown_until: z.string().nullable(),
    wake_up_on: z.string().nullable(),
    completed_steps: z.array(
      z.strictObject({
        name: z.enum(STEPS),
        outcome: z.enum(OUTCOMES),
        completed_at: z.string(),
        agent: z.string().nullable(),
        model: z.string().nullable(),
        effort: z.string().nullable(),
        stdout: z.string().describe('Repo-relative path of the accepted stage output.'),
      }),
    ),
    feedback: z.array(FeedbackFileSchema),
    revision_base_step_counts: z.array(z.int().min(1)),
    phases: z.array(
      z.strictObject({
        name: z.string(),
        file: z.string(),
        done: z.boolean(),
        current: z.boolean(),
        precondition: z.string(),
        required_effort: z.enum(EFFORTS).nullable(),
        effort_reason: z.string().nullable(),
      }),
    ),
    state_error: z.string().nullable().describe('Why .planning/state.json could not be used (exit 2), else null.'),
  },
  'Output of `cairn status --format json`.',
);
