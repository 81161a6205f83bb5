import type { ProjectContext } from '../config/index.js';
import type { EngineContext } from '../planning/index.js';
import type { RecoveryPlan } from '../publish/index.js';
import { commandServices, engineContext, resolveTarget } from './engine-context.js';
import type { Io } from './io.js';

/** One migration a command works on: its project, its slug and the planning engine's context for it. */
export interface MigrationSession {
  context: ProjectContext;
  slug: string;
  ctx: EngineContext;
  /** Interrupted transactions the session finished before it resolved the target (already reported on stderr). */
  recovered: RecoveryPlan[];
}

export interface SessionOptions {
  /** `<slug-or-path>` as the caller gave it. */
  target: string;
  dryRun: boolean;
  /** Overrides the config's publish lock timeout. */
  lockTimeout?: number | undefined;
}

/**
 * Runs `body` on one migration the way every command that publishes does:
 * the store opened (only read in a dry run), interrupted publishes finished
 * (not in a dry run), the target resolved and the engine context built; the
 * store is closed when `body` is done.
 */
export async function withMigrationSession<T>(
  context: ProjectContext,
  io: Io,
  options: SessionOptions,
  body: (session: MigrationSession) => Promise<T>,
): Promise<T> {
  const services = commandServices(context, io, options.dryRun);
  try {
    const { slug, recovered } = await resolveTarget(context, services, options.target, io, { dryRun: options.dryRun, lockTimeout: options.lockTimeout });
    return await body({ context, slug, ctx: engineContext(context, slug, services, options.lockTimeout), recovered });
  } finally {
    services.close();
  }
}
