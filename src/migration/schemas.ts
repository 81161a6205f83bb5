import * as z from 'zod';
import { FINAL_DECISIONS, OUTCOMES, STEPS, CURSORS, type Cursor } from './graph.js';
import { EFFORTS, MIGRATION_STATUSES } from './manifest.js';

/*
 * The files as cairn writes them (every key, modern forms only), for the
 * published JSON Schemas. Reading is done by the codecs, which also accept
 * the legacy forms these schemas leave out.
 */

const nullableString = z.string().nullable();

export const PhaseFileSchema = z
  .strictObject({
    name: z.string(),
    file: z.string(),
    done: z.boolean(),
    precondition: z.string(),
    required_effort: z.enum(EFFORTS).nullable(),
    effort_reason: nullableString,
  })
  .describe('One phase of a migration manifest.')
  .meta({ id: 'Phase' });

export const ManifestFileSchema = z
  .strictObject({
    name: z.string(),
    created_at: z.string(),
    last_touch: z.string(),
    wake_up_on: nullableString,
    awaiting_human_review: z.boolean(),
    status: z.enum(MIGRATION_STATUSES),
    current_phase: z.string().describe("A phase name, or '' for none."),
    phases: z.array(PhaseFileSchema),
    human_review_reason: nullableString,
    cooldown_until: nullableString,
  })
  .describe('manifest.json of a continuous-refactoring v1 migration.');

export const CompletedStepFileSchema = z
  .strictObject({
    name: z.enum(STEPS),
    completed_at: z.string(),
    outcome: z.enum(OUTCOMES),
    outputs: z.strictObject({
      stdout: z.string().describe('Repo-relative POSIX path of the accepted stdout at its live location.'),
    }),
    agent: z.string().optional(),
    model: z.string().optional(),
    effort: z.string().optional(),
  })
  .describe('One accepted planning step.')
  .meta({ id: 'CompletedStep' });

export const FeedbackFileSchema = z
  .strictObject({
    received_at: z.string(),
    source: z.enum(['message', 'file']),
    text: z.string(),
  })
  .describe('User refinement feedback.')
  .meta({ id: 'Feedback' });

export const StateFileSchema = z
  .strictObject({
    schema_version: z.literal(1),
    target: z.string(),
    next_step: z.enum(CURSORS as [Cursor, ...Cursor[]]),
    completed_steps: z.array(CompletedStepFileSchema),
    started_at: z.string(),
    updated_at: z.string(),
    feedback: z.array(FeedbackFileSchema),
    review_findings: nullableString,
    final_decision: z.enum(FINAL_DECISIONS).nullable(),
    final_reason: nullableString,
    revision_base_step_counts: z.array(z.int().min(1)),
  })
  .describe('.planning/state.json of a continuous-refactoring v1 migration.');
