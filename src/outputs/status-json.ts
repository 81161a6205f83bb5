import path from 'node:path';
import type { MigrationDescription } from '../planning/index.js';
import type { DocumentPayload } from './document.js';
import type { StatusOutputSchema } from './status.js';

/* Apart from the schema, so that printing the document does not build it. */

/** `cairn status --format json` without `schema_version`. */
export function statusJson(description: MigrationDescription, repoRoot: string): DocumentPayload<typeof StatusOutputSchema> {
  const { manifest, state } = description;
  return {
    slug: description.slug,
    path: path.relative(repoRoot, description.path).split(path.sep).join('/'),
    status: manifest.status,
    next_step: state?.next_step ?? null,
    target: state?.target ?? null,
    awaiting_human_review: manifest.awaiting_human_review,
    human_review_reason: manifest.human_review_reason,
    awaiting_review: description.awaitingReview !== null,
    review_reason: description.awaitingReview,
    final_decision: state?.final_decision ?? null,
    final_reason: state?.final_reason ?? null,
    review_findings: state?.review_findings ?? null,
    current_phase: manifest.current_phase,
    created_at: manifest.created_at,
    last_touch: manifest.last_touch,
    cooldown_until: manifest.cooldown_until,
    wake_up_on: manifest.wake_up_on,
    completed_steps: (state?.completed_steps ?? []).map((step) => ({
      name: step.name,
      outcome: step.outcome,
      completed_at: step.completed_at,
      agent: step.agent ?? null,
      model: step.model ?? null,
      effort: step.effort ?? null,
      stdout: step.outputs.stdout,
    })),
    feedback: state?.feedback ?? [],
    revision_base_step_counts: state?.revision_base_step_counts ?? [],
    phases: manifest.phases.map((phase) => ({
      name: phase.name,
      file: phase.file,
      done: phase.done,
      current: phase.name === manifest.current_phase,
      precondition: phase.precondition,
      required_effort: phase.required_effort,
      effort_reason: phase.effort_reason,
    })),
    state_error: description.stateError,
  };
}
