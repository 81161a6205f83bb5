import { rm } from 'node:fs/promises';
import { CairnError, localTimestamp, shellWord } from '../util/index.js';
import { pyRepr } from '../json/index.js';
import type { PublishResult } from '../publish/index.js';
import { loadWorkspace, publishRun, withRunCleanupOnThrow, workspaceFiles, type EngineContext } from './engine.js';
import { saveManifest, type Manifest } from '../migration/index.js';
import { awaitingReviewReason } from './review-pending.js';
import { openPlanningRun } from './run-plan.js';

/*
 * Phase completion (docs/format.md §10.2), through the publish transaction (unlike the
 * original, which wrote the live manifest directly). Phases complete in
 * order: only the current phase can be marked done, and not while the
 * migration waits for a human review.
 */

/**
 * The manifest after completing phase `name` (docs/format.md §10.2): the phase is
 * done; `last_touch` is `completedAt`; wake-up, review flag and reason and
 * cooldown are cleared; the cursor moves to the next phase in list order, or
 * after the last one `current_phase` becomes `""` and status `done`.
 * Throws `CairnError('invalid-state')` "Cannot complete unknown phase 'x'".
 */
export function completePhaseInManifest(manifest: Manifest, name: string, completedAt: string): Manifest {
  const index = manifest.phases.findIndex((phase) => phase.name === name);
  if (index < 0) throw new CairnError('invalid-state', `Cannot complete unknown phase ${pyRepr(name)}`);
  const phases = manifest.phases.map((phase, i) => (i === index ? { ...phase, done: true } : { ...phase }));
  const next = phases[index + 1];
  return {
    ...manifest,
    phases,
    last_touch: completedAt,
    wake_up_on: null,
    awaiting_human_review: false,
    human_review_reason: null,
    cooldown_until: null,
    current_phase: next === undefined ? '' : next.name,
    status: next === undefined ? 'done' : manifest.status,
  };
}

/**
 * The phase `cairn phase done` may complete, or a refusal
 * (`CairnError('invalid-state')`, exit 1): the migration must be ready or
 * in progress, not waiting for a review, and have a current phase; an
 * explicit `--phase` must name that current phase (a name that is none of its
 * phases is bad input, `invalid-input`, exit 2).
 */
export function phaseToComplete(manifest: Manifest, slug: string, pendingReview: boolean, requested: string | null): string {
  const name = `Migration ${pyRepr(slug)}`;
  if (manifest.status !== 'ready' && manifest.status !== 'in-progress') {
    throw new CairnError('invalid-state', `${name} has status ${pyRepr(manifest.status)}; only ready or in-progress migrations have phases to complete`, {
      hint: manifest.status === 'planning' ? `Finish planning first: \`cairn plan ${shellWord(slug)}\`.` : `Run \`cairn status ${shellWord(slug)}\` to see it.`,
    });
  }
  if (pendingReview) {
    throw new CairnError('invalid-state', `${name} is awaiting human review; no phase may start or complete before it is reviewed`, {
      hint: `Run \`cairn review ${shellWord(slug)}\`.`,
    });
  }
  const current = manifest.phases.find((phase) => phase.name === manifest.current_phase);
  if (manifest.current_phase === '' || current === undefined) {
    throw new CairnError('invalid-state', `${name} has no current phase to complete`, { hint: `Run \`cairn status ${shellWord(slug)}\` to see its phases.` });
  }
  if (requested !== null && requested !== current.name) {
    if (!manifest.phases.some((phase) => phase.name === requested)) {
      throw new CairnError('invalid-input', `Cannot complete unknown phase ${pyRepr(requested)}`, {
        hint: `${slug}'s phases: ${manifest.phases.map((phase) => phase.name).join(', ')}.`,
      });
    }
    throw new CairnError(
      'invalid-state',
      `Phase ${pyRepr(requested)} is not the current phase of ${pyRepr(slug)} (current: ${pyRepr(current.name)}); phases are completed in order`,
      { hint: `Run \`cairn phase done ${shellWord(slug)} --phase ${shellWord(current.name)}\` once ${current.file} is done.` },
    );
  }
  return current.name;
}

export interface PhaseDoneResult {
  phase: string;
  /** The phase that is now current, or null when the migration is done. */
  nextPhase: string | null;
  status: Manifest['status'];
  publish: PublishResult;
  runDir: string | null;
  warnings: string[];
}

/**
 * `cairn phase done`: completes the current phase (or the one named, which
 * must be the current one) and publishes it as `migration.phase-done`.
 */
export async function completePhase(
  ctx: EngineContext,
  options: { phase?: string | null; dryRun?: boolean; now?: Date } = {},
): Promise<PhaseDoneResult> {
  const dryRun = options.dryRun === true;
  const now = localTimestamp(options.now ?? new Date());
  const { run, tempRoot } = await openPlanningRun(ctx, dryRun);
  try {
    const manifest = await withRunCleanupOnThrow(run, async () => {
      const loaded = await loadWorkspace(run, ctx.repoRoot);
      const pending = await awaitingReviewReason(run.workspaceDir, loaded.manifest, ctx.reviewPolicy);
      const phase = phaseToComplete(loaded.manifest, ctx.slug, pending !== null, options.phase ?? null);
      const next = completePhaseInManifest(loaded.manifest, phase, now);
      await saveManifest(workspaceFiles(run.workspaceDir).manifest, next);
      return { phase, next };
    });
    const mode = manifest.next.status === 'done' ? 'planning-snapshot' : 'ready-publish';
    const published = await publishRun(ctx, run, { operation: 'migration.phase-done', mode, dryRun });
    if (!dryRun && published.result.status === 'published') {
      ctx.log?.event('phase.done', ctx.slug, { phase: manifest.phase, next_phase: manifest.next.current_phase || null, status: manifest.next.status });
    }
    return {
      phase: manifest.phase,
      nextPhase: manifest.next.current_phase === '' ? null : manifest.next.current_phase,
      status: manifest.next.status,
      publish: published.result,
      runDir: dryRun ? null : published.runDir,
      warnings: published.warnings,
    };
  } finally {
    if (tempRoot !== null) await rm(tempRoot, { recursive: true, force: true });
  }
}
