import { readReviewRecords, type Manifest, type ReviewRecord } from '../migration/index.js';
import type { ReviewPolicy } from './accept-step.js';

/*
 * "Awaiting review" has one meaning everywhere: list, status, ready,
 * review, plan, phase done, run and the MCP tools all ask these functions.
 */

/** The reason shown for a review that policy "always" asks for and nobody flagged. */
export const ALWAYS_REVIEW_REASON = 'review policy is "always"';

/**
 * Why the migration waits for a human decision, or null when it does not.
 * This is the one rule behind every command and tool that says "awaiting
 * review" (list, status, ready, review, phase done, run, plan, MCP): the
 * migration is flagged `awaiting_human_review`, or policy is "always", it
 * is ready or in progress, and the last recorded decision is not an
 * approval.
 */
export function reviewPendingReason(manifest: Manifest, reviews: readonly ReviewRecord[], policy: ReviewPolicy): string | null {
  const recorded = manifest.human_review_reason !== null && manifest.human_review_reason !== '' ? manifest.human_review_reason : null;
  if (manifest.awaiting_human_review) return recorded ?? '(no reason recorded)';
  if (policy !== 'always') return null;
  if (manifest.status !== 'ready' && manifest.status !== 'in-progress') return null;
  if (reviews[reviews.length - 1]?.decision === 'approve') return null;
  return recorded ?? ALWAYS_REVIEW_REASON;
}

/** True when the migration waits for a human decision ({@link reviewPendingReason} is not null). */
export function reviewPending(manifest: Manifest, reviews: readonly ReviewRecord[], policy: ReviewPolicy): boolean {
  return reviewPendingReason(manifest, reviews, policy) !== null;
}

/**
 * {@link reviewPendingReason} for the migration in `migrationDir`, reading
 * its review records only when the answer depends on them.
 */
export async function awaitingReviewReason(migrationDir: string, manifest: Manifest, policy: ReviewPolicy): Promise<string | null> {
  const needsRecords = !manifest.awaiting_human_review && policy === 'always';
  return reviewPendingReason(manifest, needsRecords ? await readReviewRecords(migrationDir) : [], policy);
}
