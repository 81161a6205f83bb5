import path from 'node:path';
import { agentEnv, agentFailureReason, extractAgentText, resolveAgentCommand, runAgent, type AgentOutputMode, type AgentRunResult, type AgentSettings } from '../agent/index.js';
import { isTerminalCursor, loadManifest, loadState, migrationFiles, type ValidationMode, type Cursor, type Outcome, type Step, type Manifest, type PlanningState } from '../migration/index.js';
import { CairnError, messageOf, toPosix, shellWord } from '../util/index.js';
import { pyRepr } from '../json/index.js';
import { captureRepoState, fingerprintTree, repoStateChanges, snapshotId, pathExists } from '../fs/index.js';
import { blockingDirtyPaths, publish, type PublishRecorder, type PublishResult } from '../publish/index.js';
import { publishValidator } from '../consistency/index.js';
import type { RunVerdict } from '../store/index.js';
import { acceptStepOutput, type ReviewPolicy, type TerminalOutcome } from './accept-step.js';
import { abandonedAgentLines, reapAbandonedRuns } from './abandoned-agents.js';
import { nullPlanningLog, type PlanningLog } from './engine-log.js';
import { buildStagePrompt, type StagePrompt } from './prompts.js';
import { captureBaseSnapshot, dirtyLiveError } from './workspace-base.js';
import { assertDeclaredChanges } from './workspace-integrity.js';
import { noteRunActivity } from './run-lease.js';
import { liveChange, staleBaseMessage } from './stale-base.js';
import {
  createRunWorkspace,
  newRunRecord,
  removeRun,
  confinedWorkRoot,
  writeRunRecord,
  type RunMode,
  type RunPaths,
} from './workspace.js';

/*
 * The one-step engine (docs/format.md §9.1): a run starts from a base
 * snapshot of the live migration and a workspace copy; the step's prompt is
 * built from durable files only; the agent's output is accepted into the
 * workspace; the workspace is published. Nothing live changes unless the
 * publish succeeds, and a failed or rejected run's output goes only to the
 * run log.
 */

/** Where the engine works and what it may use. */
export interface EngineContext {
  repoRoot: string;
  liveRoot: string;
  slug: string;
  reviewPolicy: ReviewPolicy;
  lockTimeoutMs: number;
  recorder?: PublishRecorder | undefined;
  log?: PlanningLog | undefined;
}

/** A run whose workspace holds a copy of the live migration taken at `baseSnapshotId`. */
export interface OpenedRun extends RunPaths {
  slug: string;
  liveDir: string;
  baseSnapshotId: string;
  /** Dry runs only: why a real run would be refused at its start (a dirty live migration). */
  baseProblem: string | null;
}

export function liveDirOf(ctx: Pick<EngineContext, 'liveRoot' | 'slug'>): string {
  return path.join(ctx.liveRoot, ctx.slug);
}

/**
 * Opens a run: base snapshot (refusing a dirty live migration with
 * `CairnError('blocked')`, or with `dryRun` noting it in `baseProblem`),
 * then a workspace copy under `workRoot` (default
 * `<repo>/.planning/work/<slug>`).
 */
export async function openRun(
  ctx: EngineContext,
  options: { workRoot?: string; now?: Date; dryRun?: boolean } = {},
): Promise<OpenedRun> {
  const liveDir = liveDirOf(ctx);
  const input = { repoRoot: ctx.repoRoot, liveRoot: ctx.liveRoot, slug: ctx.slug, recorder: ctx.recorder };
  let baseSnapshotId: string;
  let baseProblem: string | null = null;
  if (options.dryRun === true) {
    baseSnapshotId = await snapshotId(liveDir);
    const dirty = blockingDirtyPaths(input, baseSnapshotId);
    if (dirty.length > 0) baseProblem = dirtyLiveError(ctx.repoRoot, liveDir, ctx.slug, dirty).message;
  } else {
    baseSnapshotId = await captureBaseSnapshot(input);
  }
  const paths = await createRunWorkspace(options.workRoot ?? confinedWorkRoot(ctx.repoRoot, ctx.slug), ctx.slug, liveDir, options.now);
  return { ...paths, slug: ctx.slug, liveDir, baseSnapshotId, baseProblem };
}

/** Runs `body` on an opened run; a throw removes the run directory (nothing of it is worth keeping) and propagates. */
export async function withRunCleanupOnThrow<T>(run: OpenedRun, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    await removeRun(run.runDir);
    throw error;
  }
}

/** The workspace's manifest and (when present) planning state. */
export interface LoadedWorkspace {
  manifest: Manifest;
  state: PlanningState | null;
}

export function workspaceFiles(workspaceDir: string): { manifest: string; state: string } {
  return { manifest: migrationFiles(workspaceDir).manifest, state: migrationFiles(workspaceDir).state };
}

/**
 * Loads the workspace copy: the manifest (missing ⇒ `CairnError('invalid-manifest')`
 * "Migration '<slug>' has no manifest") and the state, validated against
 * the live migration dir (null when the file does not exist).
 */
export async function loadWorkspace(run: OpenedRun, repoRoot: string): Promise<LoadedWorkspace> {
  const files = workspaceFiles(run.workspaceDir);
  if (!(await pathExists(files.manifest))) {
    throw new CairnError('invalid-manifest', `Migration '${run.slug}' has no manifest`, {
      path: migrationFiles(run.liveDir).manifest,
      hint: `Run \`cairn doctor ${shellWord(run.slug)}\` to see what is wrong with it.`,
    });
  }
  const manifest = await loadManifest(files.manifest);
  const state = (await pathExists(files.state))
    ? await loadState(files.state, { repoRoot, stateFile: files.state, publishedRoot: run.liveDir })
    : null;
  return { manifest, state };
}

/** How a step's output is produced. */
export interface AgentChoice {
  settings: AgentSettings;
  /** Per-call deadline in ms (0 = none). */
  timeoutMs: number;
  /** Silence watchdog in ms (0 = none). */
  silenceTimeoutMs: number;
  /** Live copies of the agent's output (`--show-agent-logs`). */
  mirror?: { stdout?: (chunk: Buffer) => void; stderr?: (chunk: Buffer) => void } | undefined;
  /** Bytes of stdout/stderr kept (default 16 MiB each). */
  maxOutputBytes?: number | undefined;
  /** Accept a step although the repository outside the workspace changed while the agent ran (`--allow-outside-writes`). */
  allowOutsideWrites?: boolean | undefined;
}

export type StepRunStatus =
  | 'published'
  | 'blocked'
  | 'failed'
  | 'agent-failed'
  | 'rejected'
  | 'interrupted'
  | 'manual'
  | 'dry-run';

/** What one step did. */
export interface StepRunResult {
  status: StepRunStatus;
  slug: string;
  step: Step;
  operation: string;
  /** Published: `<operation> accepted; next step: <cursor>` or the final reason; else why not. */
  reason: string;
  /** The workspace's cursor after acceptance (null when nothing was accepted). */
  nextStep: Cursor | null;
  outcome: Outcome | null;
  terminal: TerminalOutcome | null;
  /** The stage file accepted, relative to the migration dir. */
  stageFile: string | null;
  publish: PublishResult | null;
  runId: string;
  /** The run directory when it is kept (failed, blocked, manual), else null. */
  runDir: string | null;
  workspaceDir: string;
  /** The prompt (manual and dry runs). */
  prompt: StagePrompt | null;
  /** The agent command (null in manual mode). */
  agentArgv: string[] | null;
  /** The run's id in the local store's run log, when recorded. */
  logRunId: string | null;
  exitCode: number | null;
  /** The signal cairn received while the agent ran (status `interrupted`). */
  interruptedBy: NodeJS.Signals | null;
  /** A publish refused for a stale base: what happened to the live migration meanwhile (`liveChange`); else null. */
  staleChange: string | null;
  /** A run directory that could not be removed, and similar after-the-fact problems. */
  warnings: string[];
}

export interface ExecuteStepOptions {
  agent: AgentChoice;
  /** Publish operation prefix: `planning` (⇒ `planning.<step>`) or `migration.refine`. */
  operationPrefix: string;
  taste: string | null;
  /** Extra prompt context, e.g. refine feedback. */
  extraContext?: string | null;
  /** Build the prompt and stop: nothing is run, recorded or published. */
  dryRun?: boolean;
  /** Told when the agent starts. */
  progress?: ((message: string) => void) | undefined;
}

/** A step result before anything happened: `failed`, with the run's ids and paths and nothing else. */
export function baseResult(run: Pick<OpenedRun, 'slug' | 'runId' | 'runDir' | 'workspaceDir'>, step: Step, operation: string): StepRunResult {
  return {
    status: 'failed',
    slug: run.slug,
    step,
    operation,
    reason: '',
    nextStep: null,
    outcome: null,
    terminal: null,
    stageFile: null,
    publish: null,
    runId: run.runId,
    runDir: run.runDir,
    workspaceDir: run.workspaceDir,
    prompt: null,
    agentArgv: null,
    logRunId: null,
    exitCode: null,
    interruptedBy: null,
    staleChange: null,
    warnings: [],
  };
}

/** The state's next step; a terminal cursor is `CairnError('invalid-state')` "Planning state is terminal; no next step for '<slug>'". */
export function nextStepOf(state: PlanningState, slug: string): Step {
  const cursor = state.next_step;
  if (isTerminalCursor(cursor)) {
    throw new CairnError('invalid-state', `Planning state is terminal; no next step for ${pyRepr(slug)}`, {
      hint: `Run \`cairn status ${shellWord(slug)}\` to see the outcome, or \`cairn refine ${shellWord(slug)} --message ...\` to revise an unexecuted plan.`,
    });
  }
  return cursor;
}

/**
 * Runs the workspace state's next step: prompt, agent (or, in manual mode,
 * a run record that `cairn accept` continues), acceptance into the
 * workspace, publish. The workspace must already hold the state to run
 * from (refine writes its feedback there first).
 */
export async function executeStep(ctx: EngineContext, run: OpenedRun, options: ExecuteStepOptions): Promise<StepRunResult> {
  const { state } = await loadWorkspace(run, ctx.repoRoot);
  if (state === null) {
    throw new CairnError('invalid-state', `Migration '${run.slug}' is missing .planning/state.json`, {
      path: migrationFiles(run.liveDir).state,
    });
  }
  const step = nextStepOf(state, run.slug);
  const operation = `${options.operationPrefix}.${step}`;
  const result = baseResult(run, step, operation);
  const prompt = await buildStagePrompt({
    slug: run.slug,
    step,
    state,
    workspaceDir: run.workspaceDir,
    liveDir: run.liveDir,
    repoRoot: ctx.repoRoot,
    taste: options.taste,
    extraContext: options.extraContext ?? null,
  });
  result.prompt = prompt;
  const settings = options.agent.settings;
  const command = resolveAgentCommand({
    agent: settings.agent,
    model: settings.model,
    effort: settings.effort,
    agentCmd: settings.agentCmd,
    step,
    slug: run.slug,
    workspace: run.workspaceDir,
  });
  const mode: RunMode = command.kind === 'manual' ? 'manual' : 'agent';
  if (command.kind === 'process') result.agentArgv = [...command.argv];
  if (options.dryRun === true) return { ...result, status: 'dry-run', reason: `dry run: ${operation} was not run` };
  await noteRunActivity(ctx.repoRoot, run.slug, { step });
  result.warnings.push(...abandonedAgentLines(ctx.repoRoot, await reapAbandonedRuns(ctx.repoRoot, run.slug)));

  // What the agent (or person) is handed; after it, only the step's declared outputs may differ.
  const preparedTree = await fingerprintTree(run.workspaceDir);
  await writeRunRecord(
    run.runDir,
    newRunRecord({
      run_id: run.runId,
      slug: run.slug,
      step,
      operation,
      mode,
      base_snapshot_id: run.baseSnapshotId,
      agent: settings.agent,
      model: settings.model,
      effort: settings.effort,
      prompt_sha256: prompt.promptSha256,
      prepared_tree: preparedTree,
    }),
  );
  if (command.kind === 'manual') {
    return { ...result, status: 'manual', reason: `${operation} is waiting for its output: run cairn accept` };
  }

  const log = ctx.log ?? nullPlanningLog();
  const logRunId = log.runStarted({
    slug: run.slug,
    step,
    agent: settings.agent,
    model: settings.model,
    effort: settings.effort,
    promptSha256: prompt.promptSha256,
  });
  result.logRunId = logRunId;
  // The live root is left out: other migrations publish there meanwhile, and this one's live directory is guarded by the publish's dirty check.
  const lane = [toPosix(path.relative(ctx.repoRoot, ctx.liveRoot))];
  const outsideBefore = captureRepoState(ctx.repoRoot, lane);
  options.progress?.(`Running ${operation} for ${run.slug} with ${settings.agent === 'command' ? path.basename(command.argv[0] ?? '') : settings.agent}…`);
  const agentRun = await runAgent({
    argv: command.argv,
    cwd: ctx.repoRoot,
    prompt: prompt.prompt,
    env: agentEnv({ slug: run.slug, step, workspaceDir: run.workspaceDir, repoRoot: ctx.repoRoot }),
    timeoutMs: options.agent.timeoutMs,
    silenceTimeoutMs: options.agent.silenceTimeoutMs,
    ...(options.agent.maxOutputBytes !== undefined ? { maxOutputBytes: options.agent.maxOutputBytes } : {}),
    ...(options.agent.mirror !== undefined ? { mirror: options.agent.mirror } : {}),
    record: { runDir: run.runDir, workspace: path.resolve(run.workspaceDir) },
  });
  result.exitCode = agentRun.exitCode;
  const endRun = (verdict: RunVerdict, reason: string | null): void =>
    log.runEnded(logRunId, {
      verdict,
      exitCode: agentRun.exitCode,
      signal: agentRun.signal,
      stdout: agentRun.stdout,
      stderr: agentRun.stderr,
      reason,
      durationMs: agentRun.durationMs,
    });

  const failure = agentFailureReason(agentRun);
  if (failure !== null) {
    const reason = `planning.${step} failed: ${failure}`;
    endRun(failureVerdict(agentRun), reason);
    if (agentRun.verdict === 'aborted' && agentRun.interruptedBy !== undefined) {
      return { ...result, status: 'interrupted', interruptedBy: agentRun.interruptedBy, reason };
    }
    return { ...result, status: 'agent-failed', reason };
  }

  const outside = repoStateChanges(outsideBefore, captureRepoState(ctx.repoRoot, lane));
  if (outside.length > 0) {
    const shown = outside.slice(0, 10).join(', ') + (outside.length > 10 ? `, and ${outside.length - 10} more` : '');
    if (options.agent.allowOutsideWrites !== true) {
      const reason = `planning.${step} failed: the repository changed outside the workspace while the agent ran (${shown}); a planning step may only write its workspace. Look at \`git status\`, undo what should not be there, and run the step again (or pass --allow-outside-writes to accept such changes knowingly)`;
      endRun('rejected', reason);
      return { ...result, status: 'rejected', reason };
    }
    result.warnings.push(`the repository changed outside the workspace while the agent ran (${shown}); accepted because of --allow-outside-writes`);
  }

  let accepted;
  try {
    assertDeclaredChanges(preparedTree, await fingerprintTree(run.workspaceDir), step, 'the agent');
    const text = stageText(agentRun, command.outputMode, step);
    accepted = await acceptStepOutput({
      repoRoot: ctx.repoRoot,
      slug: run.slug,
      liveDir: run.liveDir,
      workspaceDir: run.workspaceDir,
      step,
      stdout: text,
      agent: settings.agent,
      model: settings.model,
      effort: settings.effort,
      reviewPolicy: ctx.reviewPolicy,
    });
  } catch (error) {
    const reason = stepFailureMessage(step, error);
    endRun('rejected', reason);
    return { ...result, status: 'rejected', reason };
  }
  return publishAndEndRun(endRun, () => publishAccepted(ctx, run, result, accepted));
}

/**
 * Publishes an accepted step, then records how its run ended: `accepted`
 * only when the publish went through (or would, in a dry run). Output that
 * passed its checks but was blocked or failed at publish is not accepted
 * work: the run log says so, with the publish's reason.
 */
export async function publishAndEndRun(endRun: (verdict: RunVerdict, reason: string | null) => void, publishIt: () => Promise<StepRunResult>): Promise<StepRunResult> {
  let published: StepRunResult;
  try {
    published = await publishIt();
  } catch (error) {
    endRun('failed', `the output passed its checks, but publishing it failed: ${messageOf(error)}`);
    throw error;
  }
  if (published.status === 'published' || published.status === 'dry-run') endRun('accepted', null);
  else endRun(published.status === 'failed' ? 'failed' : 'rejected', `the output passed its checks, but its publish was ${published.status}: ${published.reason}`);
  return published;
}

/** The stage text of a finished agent run; refuses output cairn could not keep whole. */
function stageText(agentRun: AgentRunResult, outputMode: AgentOutputMode, step: Step): string {
  if (outputMode === 'raw' && agentRun.stdoutTruncated) {
    throw new CairnError(
      'failed',
      `planning.${step} failed: the agent printed ${agentRun.stdoutTotalBytes} bytes, more than cairn keeps of one output; it was not accepted`,
    );
  }
  return extractAgentText(outputMode, agentRun.stdout, agentRun.stdoutTail);
}

/** `planning.<step> failed: <why>`, without prefixing a message that already has it. */
export function stepFailureMessage(step: Step, error: unknown): string {
  const message = messageOf(error);
  const prefix = `planning.${step} failed: `;
  return message.startsWith(prefix) ? message : `${prefix}${message}`;
}

function failureVerdict(agentRun: AgentRunResult): RunVerdict {
  switch (agentRun.verdict) {
    case 'timeout':
    case 'silence':
      return 'timeout';
    case 'aborted':
      return 'killed';
    default:
      return 'failed';
  }
}

type Accepted = Awaited<ReturnType<typeof acceptStepOutput>>;

/** The publish mode for a workspace manifest: `ready-publish` once it is ready (docs/format.md §9.1 step 8). */
export function publishModeFor(manifest: Manifest): ValidationMode {
  return manifest.status === 'ready' ? 'ready-publish' : 'planning-snapshot';
}

/** Publishes an accepted step's workspace and fills in the result. */
export async function publishAccepted(
  ctx: EngineContext,
  run: OpenedRun,
  start: StepRunResult,
  accepted: Accepted,
  options: { dryRun?: boolean } = {},
): Promise<StepRunResult> {
  const result: StepRunResult = {
    ...start,
    nextStep: accepted.state.next_step,
    outcome: accepted.outcome,
    terminal: accepted.terminal,
    stageFile: accepted.stageFile,
  };
  const published = await publishRun(ctx, run, { operation: start.operation, mode: publishModeFor(accepted.manifest), dryRun: options.dryRun === true });
  result.publish = published.result;
  result.runDir = published.runDir;
  result.warnings.push(...published.warnings);
  if (published.result.status !== 'published') {
    if (!published.result.staleBase) return { ...result, status: published.result.status, reason: published.result.reason };
    const staleChange = await liveChange(run.liveDir, ctx.repoRoot, accepted.state.completed_steps.length - 1);
    return { ...result, status: published.result.status, staleChange, reason: staleBaseMessage({ slug: run.slug, operation: start.operation, change: staleChange }) };
  }
  if (published.result.dryRun) return { ...result, status: 'dry-run', reason: published.result.reason };
  const reason =
    accepted.terminal !== null
      ? accepted.terminal.reason
      : `${start.operation} accepted; next step: ${accepted.state.next_step}`;
  return { ...result, status: 'published', reason };
}

export interface PublishRunOptions {
  operation: string;
  mode: ValidationMode;
  dryRun?: boolean;
}

/**
 * Publishes a run's workspace against its base snapshot; removes the run
 * directory once published (or after a dry run) and keeps it otherwise.
 */
export async function publishRun(
  ctx: EngineContext,
  run: OpenedRun,
  options: PublishRunOptions,
): Promise<{ result: PublishResult; runDir: string | null; warnings: string[] }> {
  const result = await publish({
    repoRoot: ctx.repoRoot,
    liveRoot: ctx.liveRoot,
    slug: run.slug,
    workspaceDir: run.workspaceDir,
    baseSnapshotId: run.baseSnapshotId,
    validator: publishValidator(options.mode),
    operation: options.operation,
    lockTimeoutMs: ctx.lockTimeoutMs,
    dryRun: options.dryRun === true,
    ...(ctx.recorder !== undefined ? { recorder: ctx.recorder } : {}),
  });
  const warnings: string[] = [];
  if (result.status === 'published' || options.dryRun === true) {
    const problem = await removeRun(run.runDir);
    if (problem !== null) warnings.push(problem);
    return { result, runDir: problem === null ? null : run.runDir, warnings };
  }
  return { result, runDir: run.runDir, warnings };
}
