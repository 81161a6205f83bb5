import { agentChoice, commandServices, engineContext, resolveTarget } from '../app/engine-context.js';
import type { ProjectContext } from '../config/context.js';
import type { AgentChoice, EngineContext } from '../planning/engine.js';
import type { ToolEnv } from './tool.js';

/** A resolved migration and the planning engine's context for it. */
export interface EngineCall {
  context: ProjectContext;
  slug: string;
  ctx: EngineContext;
}

/**
 * Runs `body` on a migration exactly as the CLI's mutating commands do:
 * the store (read-only for a dry run), interrupted publishes finished
 * first (not in a dry run), the target resolved, the engine context built.
 */
export async function withEngine<T>(
  env: ToolEnv,
  options: { target: string; dryRun: boolean; lockTimeoutMs?: number | undefined },
  body: (call: EngineCall) => Promise<T>,
): Promise<T> {
  const context = await env.project();
  const services = commandServices(context, env.io, options.dryRun);
  try {
    const slug = await resolveTarget(context, services, options.target, env.io, {
      dryRun: options.dryRun,
      lockTimeout: options.lockTimeoutMs,
    });
    return await body({ context, slug, ctx: engineContext(context, slug, services, options.lockTimeoutMs) });
  } finally {
    services.close();
  }
}

/** Manual mode, as `--agent manual`: cairn prepares the step and the caller does it; `model` and `effort` are recorded. */
export function manualAgent(env: ToolEnv, context: ProjectContext, options: { model?: string | undefined; effort?: string | undefined }): Promise<AgentChoice> {
  return agentChoice(
    { agent: 'manual', ...(options.model !== undefined ? { model: options.model } : {}), ...(options.effort !== undefined ? { effort: options.effort } : {}) },
    context,
    env.io,
  );
}
