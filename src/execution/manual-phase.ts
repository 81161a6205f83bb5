import { existsSync } from 'node:fs';
import path from 'node:path';
import { INTEGRATION_JOURNAL_FILE } from './integration.js';
import { noteRunActivity, withRunLease, type AgentChoice, type EngineContext } from '../planning/index.js';
import type { Effort } from '../migration/index.js';
import { CairnError } from '../util/index.js';
import { pyRepr } from '../json/index.js';
import { addWorktree, deleteBranch, removeWorktree, uniqueBranchName } from './git.js';
import { commitGreenPhase } from './phase-commit.js';
import { preflightPhase, type Preflight } from './preflight.js';
import { executePrompt } from './prompts.js';
import { createExecutionDir, executionPaths, readExecutionRecord, removeExecutionDir, writeExecutionRecord, type ExecutionRecord } from './run-dir.js';
import { baselineFailed, defer, initialResult, integrate, laneProblem, phaseBranchBase, phasePromptInput, validate, type IntegrateMode, type PhaseRunResult, type RunPhaseOptions } from './run-phase.js';
import { parseStatusBlock } from './status-block.js';
import { overBudgetReason } from './effort.js';

/*
 * A phase driven by someone else (an agent using cairn's MCP tools):
 * `preparePhase` does everything `cairn run` does before the agent
 * (preflight with the review gate, the worktree, the baseline) and hands
 * back the prompt and the worktree; `finishPhase` does everything after
 * (the lane checks, validation, the phase commit, integration). Between the
 * two the run directory is marked `manual`, so recovery never takes it for
 * an abandoned run.
 */

/** The agent settings `validate` and `integrate` read: a manual phase has no agent of cairn's own. */
const NO_AGENT: AgentChoice = {
  settings: { agent: 'manual', model: null, effort: null, agentCmd: null, sources: {} } as unknown as AgentChoice['settings'],
  timeoutMs: 0,
  silenceTimeoutMs: 0,
};

export interface PreparePhaseOptions {
  validation: { command: string; source: string };
  taste: string | null;
  maxEffort: Effort | null;
  commitPrefix: string;
  validationTimeoutMs?: number;
  now?: Date;
}

/** A prepared phase, or a deferral when the phase is over the effort budget. */
export type PreparedPhase =
  | {
      kind: 'prepared';
      runId: string;
      slug: string;
      phase: string;
      phaseFile: string;
      worktree: string;
      branch: string;
      baseCommit: string;
      prompt: string;
      validationCommand: string;
      baseline: string;
    }
  | { kind: 'not-started'; result: PhaseRunResult };

function phaseOptions(validation: { command: string; source: string }, extra: Partial<RunPhaseOptions>): RunPhaseOptions {
  return {
    agent: NO_AGENT,
    taste: null,
    validation,
    maxEffort: null,
    skipReadyCheck: true,
    maxAttempts: 1,
    integrate: 'ff',
    remote: null,
    commitPrefix: 'cairn',
    dryRun: false,
    ...extra,
  };
}

/**
 * Prepares the current phase of `ctx.slug` for an agent to carry out:
 * preflight (refusing a migration awaiting review), a worktree on a new
 * phase branch, a green baseline. Returns the execution prompt and the
 * worktree path; nothing in the user's checkout changes. The migration's
 * run lease is held while the phase is prepared, not until its result
 * comes back: that caller is not a process cairn can watch.
 */
export async function preparePhase(ctx: EngineContext, options: PreparePhaseOptions): Promise<PreparedPhase> {
  return withRunLease(ctx.repoRoot, ctx.slug, { operation: 'run' }, () => preparePhaseNow(ctx, options));
}

async function preparePhaseNow(ctx: EngineContext, options: PreparePhaseOptions): Promise<PreparedPhase> {
  const now = options.now ?? new Date();
  const pre = await preflightPhase(ctx, { defaultEffort: null, maxEffort: options.maxEffort, commitPrefix: options.commitPrefix, now });
  await noteRunActivity(ctx.repoRoot, ctx.slug, { phase: pre.phase.name });
  const result = initialResult(ctx.slug, pre);
  if (pre.effort.overBudget) {
    const reason = overBudgetReason({ required: pre.effort.required as Effort, max: pre.effort.max as Effort, effortReason: pre.phase.effort_reason ?? null });
    return { kind: 'not-started', result: await defer(ctx, result, 'over-budget', reason, now) };
  }
  const paths = await createExecutionDir(ctx.repoRoot, now);
  const branch = uniqueBranchName(ctx.repoRoot, phaseBranchBase(ctx.repoRoot, ctx.slug, pre.phase.name));
  let kept = false;
  try {
    await writeExecutionRecord(paths, { slug: ctx.slug, phase: pre.phase.name, branch, base_commit: pre.baseCommit, user_branch: pre.userBranchRef, mode: 'manual', validation_command: options.validation.command }, now);
    addWorktree(ctx.repoRoot, paths.tree, branch, pre.baseCommit);
    const opts = phaseOptions(options.validation, options.validationTimeoutMs !== undefined ? { validationTimeoutMs: options.validationTimeoutMs } : {});
    const baseline = await validate(ctx, opts, pre, paths, 'baseline');
    if (!baseline.passed) return { kind: 'not-started', result: baselineFailed({ ...result, validationCommand: options.validation.command }, baseline) };
    const prompt = executePrompt({
      ...phasePromptInput(ctx.slug, pre, options.taste, paths.tree),
      validateCommand: options.validation.command,
      attempt: 1,
      maxAttempts: 1,
      feedback: null,
    });
    kept = true;
    return {
      kind: 'prepared',
      runId: paths.runId,
      slug: ctx.slug,
      phase: pre.phase.name,
      phaseFile: pre.phaseFile,
      worktree: paths.tree,
      branch,
      baseCommit: pre.baseCommit,
      prompt,
      validationCommand: options.validation.command,
      baseline: baseline.verdict,
    };
  } finally {
    if (!kept) {
      removeWorktree(ctx.repoRoot, paths.tree);
      deleteBranch(ctx.repoRoot, branch);
      await removeExecutionDir(ctx.repoRoot, paths);
    }
  }
}

export interface FinishPhaseOptions {
  runId: string;
  /** The agent's final message, holding its status block (optional). */
  report: string | null;
  integrate: IntegrateMode;
  remote: string | null;
  commitPrefix: string;
  /** Discard the prepared phase: worktree and branch removed, nothing committed. */
  abandon: boolean;
  now?: Date;
}

function manualRecord(ctx: EngineContext, runId: string): ExecutionRecord {
  if (!/^[0-9A-Za-z-]+$/.test(runId)) throw new CairnError('invalid-input', `Not a run id: ${pyRepr(runId)}`);
  const record = readExecutionRecord(executionPaths(ctx.repoRoot, runId).runDir);
  if (record === null || record.mode !== 'manual' || record.slug !== ctx.slug) {
    throw new CairnError('not-found', `No phase prepared by next_phase for ${pyRepr(ctx.slug)} has run id ${pyRepr(runId)}`, {
      hint: 'Call next_phase to prepare the current phase; it returns the run id.',
    });
  }
  return record;
}

/**
 * Finishes a phase prepared by `preparePhase`: checks it is still the
 * migration's current phase and the review gate still open, applies the
 * lane checks, runs the recorded validation command, commits and
 * integrates. A red or refused attempt leaves the worktree for another try.
 * The run lease is held while this call works.
 */
export async function finishPhase(ctx: EngineContext, options: FinishPhaseOptions): Promise<PhaseRunResult> {
  const record = manualRecord(ctx, options.runId);
  return withRunLease(ctx.repoRoot, ctx.slug, { operation: 'run', phase: record.phase }, () => finishPhaseNow(ctx, options, record));
}

async function finishPhaseNow(ctx: EngineContext, options: FinishPhaseOptions, record: ExecutionRecord): Promise<PhaseRunResult> {
  const now = options.now ?? new Date();
  const paths = executionPaths(ctx.repoRoot, options.runId);
  const discard = async (): Promise<void> => {
    removeWorktree(ctx.repoRoot, paths.tree);
    deleteBranch(ctx.repoRoot, record.branch);
    await removeExecutionDir(ctx.repoRoot, paths);
  };
  if (options.abandon) {
    await discard();
    const result = initialResult(ctx.slug, null);
    return { ...result, phase: record.phase, status: 'failed', reason: `the prepared phase ${record.phase} was abandoned; nothing was changed` };
  }
  let pre: Preflight;
  try {
    pre = await preflightPhase(ctx, { defaultEffort: null, maxEffort: null, commitPrefix: options.commitPrefix, now });
  } catch (error) {
    await discard();
    throw error;
  }
  if (pre.phase.name !== record.phase || pre.baseCommit !== record.base_commit) {
    await discard();
    throw new CairnError('invalid-state', `The prepared phase ${pyRepr(record.phase)} no longer matches ${pyRepr(ctx.slug)}: its current phase or the repository's HEAD changed since next_phase`, {
      hint: 'Call next_phase again to prepare the current phase.',
    });
  }
  const result = initialResult(ctx.slug, pre);
  result.branch = record.branch;
  result.validationCommand = record.validation_command;
  const status = options.report === null ? null : parseStatusBlock(options.report);
  const lane = laneProblem(paths.tree, pre, record.branch);
  if (lane !== null) {
    return { ...result, status: 'failed', reason: `${lane}; fix it in the worktree and call finish_phase again, or abandon it`, attempts: [{ attempt: 1, outcome: 'rejected', reason: lane, statusBlock: status, validation: null }] };
  }
  const validation = { command: record.validation_command ?? 'false', source: 'recorded' };
  const opts = phaseOptions(validation, { integrate: options.integrate, remote: options.remote, commitPrefix: options.commitPrefix });
  const checked = await validate(ctx, opts, pre, paths, 'validate');
  if (!checked.passed) {
    const reason = `the validation command ${checked.verdict}`;
    return {
      ...result,
      status: 'failed',
      reason: `${reason}; the worktree is kept: fix it and call finish_phase again, or abandon it`,
      attempts: [{ attempt: 1, outcome: 'red', reason, statusBlock: status, validation: { verdict: checked.verdict, tail: checked.tail } }],
    };
  }
  const committed = await commitGreenPhase({
    repoRoot: ctx.repoRoot,
    slug: ctx.slug,
    pre,
    tree: paths.tree,
    commitPrefix: options.commitPrefix,
    status,
    validation: validation.command,
    now,
  });
  removeWorktree(ctx.repoRoot, paths.tree);
  // From here this process owns the run: if it dies mid-integration, recovery finishes the fast-forward.
  const { schema_version: _v, run_id: _id, worktree: _w, cairn_pid: _p, cairn_start_time: _s, created_at: _c, ...fields } = record;
  await writeExecutionRecord(paths, { ...fields, mode: 'agent' }, now);
  const done: PhaseRunResult = {
    ...result,
    commit: committed.commit,
    statusBlock: status,
    nextPhase: committed.manifest.current_phase === '' ? null : committed.manifest.current_phase,
    migrationStatus: committed.manifest.status,
    attempts: [{ attempt: 1, outcome: 'green', reason: 'validation passed', statusBlock: status, validation: { verdict: checked.verdict, tail: checked.tail } }],
  };
  try {
    return await integrate(ctx, opts, pre, paths, done);
  } finally {
    if (!existsSync(path.join(paths.runDir, INTEGRATION_JOURNAL_FILE))) await removeExecutionDir(ctx.repoRoot, paths).catch(() => undefined);
  }
}
