import * as z from 'zod';
import { lazily } from '../util/index.js';

/*
 * One line of `<migration>/.planning/reviews.jsonl`: a human review decision,
 * appended by `cairn review` and never rewritten.
 */

export const REVIEW_DECISIONS = ['approve', 'reject', 'request-changes'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** ISO-8601 date-time with seconds and an explicit offset (`Z` or `±HH:MM`). */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** One reviews.jsonl record (built on first use: reading the file of a migration without reviews needs no schema). */
export const reviewRecordSchema = lazily(() =>
  z
    .object({
      reviewer: z.string().min(1).describe('Who decided (from git config user.name / user.email).'),
      decision: z.enum(REVIEW_DECISIONS).describe('The review decision.'),
      at: z.string().regex(ISO_TIMESTAMP, 'must be an ISO-8601 timestamp with an offset').describe('When it was decided.'),
      snapshot_id: z
        .string()
        .regex(/^[0-9a-f]{64}$/, 'must be a 64-digit lowercase hex snapshot id')
        .describe('The snapshot id of the migration directory that was reviewed.'),
      note: z.string().optional().describe('Free-text note from the reviewer.'),
    })
    .strict()
    .meta({ id: 'ReviewRecord' }),
);

export type ReviewRecord = z.infer<ReturnType<typeof reviewRecordSchema>>;

