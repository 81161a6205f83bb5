import { agentOutputMode, checkAgentCommandShape, checkAgentProgram, DEFAULT_AGENT_TIMEOUT_MS, DEFAULT_SILENCE_TIMEOUT_MS, loadUserAgentConfig, readableStreamJsonMirror, resolveAgentSettings } from '../agent/index.js';
import type { ProjectContext } from '../config/index.js';
import { nullPlanningLog, storePlanningLog, resolveMigrationTarget, type AgentChoice, type EngineContext } from '../planning/index.js';
import { recoverPendingTransactions, type RecoveryPlan } from '../publish/index.js';
import type { Io } from './io.js';
import { openServices, type Services } from './services.js';

/*
 * What a front end (a CLI command or an MCP tool) sets up before it calls
 * the planning engine: the agent, the store, the engine context and the
 * resolved target.
 */

/** Agent flags shared by plan, refine and review (and the MCP tools that prepare a step). */
export interface AgentOptions {
  agent?: string;
  agentCmd?: string;
  model?: string;
  effort?: string;
  timeout?: number;
  silenceTimeout?: number;
  showAgentLogs?: boolean;
  allowOutsideWrites?: boolean;
}

/**
 * The agent a command uses: flags over user config over project config (no
 * command templates from the repository). With `requireProgram` its program
 * must be on PATH now (see `checkAgentProgram`): a command that is about to
 * start it refuses before it makes a workspace.
 */
export async function agentChoice(options: AgentOptions, context: ProjectContext, io: Io, requireProgram = false): Promise<AgentChoice> {
  const settings = resolveAgentSettings({
    flags: { agent: options.agent ?? null, agentCmd: options.agentCmd ?? null, model: options.model ?? null, effort: options.effort ?? null },
    userConfig: await loadUserAgentConfig(process.env),
    projectConfig: context.config,
  });
  if (requireProgram) checkAgentProgram(settings);
  else checkAgentCommandShape(settings);
  const mirror = (chunk: Buffer): void => io.stderr(chunk.toString('utf8'));
  // stream-json events are mirrored as the text they carry.
  const stdoutMirror = agentOutputMode(settings.agent) === 'claude-stream-json' ? readableStreamJsonMirror((text) => io.stderr(text)) : mirror;
  return {
    settings,
    timeoutMs: options.timeout ?? DEFAULT_AGENT_TIMEOUT_MS,
    silenceTimeoutMs: options.silenceTimeout ?? DEFAULT_SILENCE_TIMEOUT_MS,
    mirror: options.showAgentLogs === true ? { stdout: stdoutMirror, stderr: mirror } : undefined,
    allowOutsideWrites: options.allowOutsideWrites === true,
  };
}

/**
 * The store for a command: opened read-write normally; not opened at all in
 * a dry run. Even a read-only SQLite connection to the store's WAL database
 * creates `-wal` and `-shm` files, and a dry run must leave the store's files
 * as they were; the dirty check then reads what cairn last published from
 * the published-snapshot record (`.planning/work/.published/<slug>.json`).
 */
export function commandServices(context: ProjectContext, io: Io, dryRun: boolean): Services {
  if (!dryRun) return openServices(context, io);
  return { store: null, recorder: undefined, close: () => {} };
}

/** The planning engine's context for `slug`; `lockTimeout` overrides the config's. */
export function engineContext(context: ProjectContext, slug: string, services: Services, lockTimeout: number | undefined): EngineContext {
  return {
    repoRoot: context.repoRoot,
    liveRoot: context.liveRoot,
    slug,
    reviewPolicy: context.reviewPolicy,
    lockTimeoutMs: lockTimeout ?? context.lockTimeoutMs,
    recorder: services.recorder,
    log: services.store === null ? nullPlanningLog() : storePlanningLog(services.store),
  };
}

/**
 * Resolves `<slug-or-path>` against the project, after finishing any
 * interrupted publish (a crash mid-swap can leave the live directory moved
 * aside, and the target would look missing). This is the one place a
 * command recovers before it works (the engine does not; a publish still
 * recovers under its lock). A dry run recovers nothing.
 */
export async function resolveTarget(
  context: ProjectContext,
  services: Services,
  target: string,
  io: Io,
  options: { dryRun: boolean; lockTimeout?: number | undefined },
): Promise<{ slug: string; recovered: RecoveryPlan[] }> {
  let recovered: RecoveryPlan[] = [];
  if (!options.dryRun) {
    recovered = await recoverPendingTransactions({
      liveRoot: context.liveRoot,
      repoRoot: context.repoRoot,
      recorder: services.recorder,
      lockTimeoutMs: options.lockTimeout ?? context.lockTimeoutMs,
    });
    for (const plan of recovered) io.stderr(`Recovered an interrupted transaction (${plan.action}): ${plan.reason}\n`);
  }
  return { slug: resolveMigrationTarget(target, context.liveRoot, context.repoRoot).slug, recovered };
}
