import type { ProjectContext } from '../config/index.js';
import { recoverExecutions, type AbandonedRun, type ExecutionRecoveryReport } from '../execution/index.js';
import type { EngineContext } from '../planning/index.js';
import { recoverPendingTransactions, type RecoveryPlan } from '../publish/index.js';
import { commandServices, engineContext, resolveTarget } from './engine-context.js';
import type { Io } from './io.js';
import type { Services } from './services.js';

/*
 * What `cairn run` (and the MCP phase tools) set up around the execution
 * layer: the store, interrupted publishes and runs put right first, and an
 * engine context for each migration the run touches.
 */

/** Tells what recovery of execution runs did, on stderr. */
export function reportExecutionRecovery(io: Io, report: ExecutionRecoveryReport): void {
  for (const done of report.integrations) io.stderr(`Recovered an interrupted integration (${done.action}): ${done.message}\n`);
  for (const run of report.runs) io.stderr(`Recovered: ${run.message}\n`);
}

/** Finishes interrupted fast-forwards and cleans up after killed runs (not in a dry run). */
export async function recoverRuns(context: ProjectContext, services: Services, io: Io, options: { dryRun: boolean; lockTimeout?: number | undefined }): Promise<AbandonedRun[]> {
  if (options.dryRun) return [];
  const report = await recoverExecutions({
    repoRoot: context.repoRoot,
    liveRoot: context.liveRoot,
    lockTimeoutMs: options.lockTimeout ?? context.lockTimeoutMs,
    recorder: services.recorder,
  });
  reportExecutionRecovery(io, report);
  return report.runs;
}

export interface RunSession {
  context: ProjectContext;
  contextFor(slug: string): EngineContext;
  recovered: RecoveryPlan[];
  cleanedUp: AbandonedRun[];
  services: Services;
}

/** A session over every migration (`run --all`): recovery done, one store for all. */
export async function withRunSession<T>(
  context: ProjectContext,
  io: Io,
  options: { dryRun: boolean; lockTimeout?: number | undefined },
  body: (session: RunSession) => Promise<T>,
): Promise<T> {
  const services = commandServices(context, io, options.dryRun);
  try {
    let recovered: RecoveryPlan[] = [];
    if (!options.dryRun) {
      recovered = await recoverPendingTransactions({ liveRoot: context.liveRoot, repoRoot: context.repoRoot, recorder: services.recorder, lockTimeoutMs: options.lockTimeout ?? context.lockTimeoutMs });
      for (const plan of recovered) io.stderr(`Recovered an interrupted transaction (${plan.action}): ${plan.reason}\n`);
    }
    const cleanedUp = await recoverRuns(context, services, io, options);
    return await body({ context, contextFor: (slug) => engineContext(context, slug, services, options.lockTimeout), recovered, cleanedUp, services });
  } finally {
    services.close();
  }
}

/** A session over one migration (`run <slug>`). */
export async function withPhaseSession<T>(
  context: ProjectContext,
  io: Io,
  options: { target: string; dryRun: boolean; lockTimeout?: number | undefined },
  body: (session: RunSession & { slug: string; ctx: EngineContext }) => Promise<T>,
): Promise<T> {
  const services = commandServices(context, io, options.dryRun);
  try {
    const { slug, recovered } = await resolveTarget(context, services, options.target, io, options);
    const cleanedUp = await recoverRuns(context, services, io, options);
    const contextFor = (name: string): EngineContext => engineContext(context, name, services, options.lockTimeout);
    return await body({ context, contextFor, recovered, cleanedUp, services, slug, ctx: contextFor(slug) });
  } finally {
    services.close();
  }
}
