import { saveManifest, type Manifest } from '../migration/index.js';
import { loadWorkspace, openPlanningRun, publishRun, withRunCleanupOnThrow, workspaceFiles, type EngineContext } from '../planning/index.js';
import type { PublishResult } from '../publish/index.js';
import { deferPhase, type DeferralKind } from './deferral.js';

/** What a published deferral changed. */
export interface PublishedDeferral {
  kind: DeferralKind;
  reason: string;
  manifest: Manifest;
  publish: PublishResult;
  warnings: string[];
}

/**
 * Defers the current phase (§6.3: cooldown, wake-up, and for
 * `unverifiable` a human review) through the publish transaction, as
 * `migration.defer`.
 */
export async function publishDeferral(ctx: EngineContext, input: { kind: DeferralKind; reason: string; now: Date }): Promise<PublishedDeferral> {
  const { run } = await openPlanningRun(ctx, false);
  const manifest = await withRunCleanupOnThrow(run, async () => {
    const loaded = await loadWorkspace(run, ctx.repoRoot);
    const next = deferPhase(loaded.manifest, input);
    await saveManifest(workspaceFiles(run.workspaceDir).manifest, next);
    return next;
  });
  const published = await publishRun(ctx, run, { operation: 'migration.defer', mode: 'ready-publish' });
  if (published.result.status === 'published') {
    ctx.log?.event('phase.deferred', ctx.slug, { phase: manifest.current_phase, kind: input.kind, reason: input.reason, cooldown_until: manifest.cooldown_until });
  }
  return { kind: input.kind, reason: input.reason, manifest, publish: published.result, warnings: published.warnings };
}
