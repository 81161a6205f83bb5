import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { extractAgentText, resolveAgentCommand, runAgent, agentFailureReason, type AgentRunResult } from '../agent/index.js';
import { readRegularTextSync } from '../fs/index.js';
import type { Effort, Manifest } from '../migration/index.js';
import { crashPoint } from '../publish/index.js';
import { noteRunActivity, withRunLease, type AgentChoice, type EngineContext } from '../planning/index.js';
import { CairnError, messageOf, shellWord } from '../util/index.js';
import { publishDeferral } from './deferral-publish.js';
import { overBudgetReason } from './effort.js';
import type { DeferralKind } from './deferral.js';
import { addWorktree, allChanges, currentBranchRef, deleteBranch, git, headCommit, isAncestor, refCommit, removeWorktree, uniqueBranchName, isValidBranchName } from './git.js';
import { INTEGRATION_JOURNAL_FILE, fastForward } from './integration.js';
import { commitGreenPhase } from './phase-commit.js';
import { preflightPhase, type Preflight } from './preflight.js';
import { executePrompt, readyCheckPrompt, type PhasePromptInput } from './prompts.js';
import { parseReadyAnswer, type ReadyAnswer } from './ready-answer.js';
import { createExecutionDir, removeExecutionDir, writeExecutionRecord, type ExecutionPaths } from './run-dir.js';
import { parseStatusBlock, type StatusBlock } from './status-block.js';
import { runValidation, type ValidationOutcome } from './validation-run.js';

/*
 * `cairn run <slug>`: carries out the current phase of one migration in a
 * git worktree of its own, gated by the project's validation command. The
 * user's working tree, index and branch are not touched until a green phase
 * is integrated, and then only by a journaled fast-forward.
 */

export const INTEGRATE_MODES = ['ff', 'branch', 'push'] as const;
export type IntegrateMode = (typeof INTEGRATE_MODES)[number];

export const DEFAULT_MAX_ATTEMPTS = 2;
export const DEFAULT_VALIDATION_TIMEOUT_MS = 60 * 60 * 1000;
export const DEFAULT_VALIDATION_SILENCE_MS = 30 * 60 * 1000;
/** Bytes of a failed attempt's diff kept in the run log. */
const MAX_DIFF_BYTES = 1024 * 1024;

export interface RunPhaseOptions {
  agent: AgentChoice;
  taste: string | null;
  /** The validation command (already trusted by the caller). */
  validation: { command: string; source: string } | null;
  validationTimeoutMs?: number;
  validationSilenceMs?: number;
  maxEffort: Effort | null;
  skipReadyCheck: boolean;
  maxAttempts: number;
  integrate: IntegrateMode;
  remote: string | null;
  commitPrefix: string;
  dryRun: boolean;
  progress?: ((message: string) => void) | undefined;
  now?: () => Date;
}

export type PhaseRunStatus =
  | 'integrated'
  | 'committed'
  | 'pushed'
  | 'deferred'
  | 'failed'
  | 'baseline-failed'
  | 'interrupted'
  | 'dry-run';

/** One execute attempt. */
export interface AttemptRecord {
  attempt: number;
  outcome: 'green' | 'agent-failed' | 'red' | 'rejected';
  reason: string;
  statusBlock: StatusBlock | null;
  validation: { verdict: string; tail: string } | null;
}

export interface IntegrationResult {
  mode: IntegrateMode;
  done: boolean;
  /** What the user runs to integrate it themselves, when cairn did not. */
  mergeCommand: string | null;
  /** Why cairn did not integrate (or what it did). */
  detail: string;
}

export interface PhaseRunResult {
  status: PhaseRunStatus;
  slug: string;
  phase: string;
  phaseFile: string;
  reason: string;
  effort: Effort | null;
  validationCommand: string | null;
  agentArgv: string[] | null;
  baseCommit: string | null;
  branch: string | null;
  commit: string | null;
  integration: IntegrationResult | null;
  readyCheck: { verdict: ReadyAnswer['verdict']; reason: string } | null;
  deferral: { kind: DeferralKind; reason: string; cooldownUntil: string | null; wakeUpOn: string | null; awaitingHumanReview: boolean } | null;
  attempts: AttemptRecord[];
  /** The status block of the attempt that was committed. */
  statusBlock: StatusBlock | null;
  /** After the run: the current phase and status the commit (or deferral) records. */
  nextPhase: string | null;
  migrationStatus: Manifest['status'] | null;
  interruptedBy: NodeJS.Signals | null;
  warnings: string[];
}

export function initialResult(slug: string, pre: Preflight | null): PhaseRunResult {
  return {
    status: 'failed',
    slug,
    phase: pre?.phase.name ?? '',
    phaseFile: pre?.phaseFile ?? '',
    reason: '',
    effort: pre?.effort.effort ?? null,
    validationCommand: null,
    agentArgv: null,
    baseCommit: pre?.baseCommit ?? null,
    branch: null,
    commit: null,
    integration: null,
    readyCheck: null,
    deferral: null,
    attempts: [],
    statusBlock: null,
    nextPhase: pre?.manifest.current_phase ?? null,
    migrationStatus: pre?.manifest.status ?? null,
    interruptedBy: null,
    warnings: [],
  };
}

/** `cairn/<slug>/<phase>`, or a safe fallback when the phase name is not a valid ref component. */
export function phaseBranchBase(repoRoot: string, slug: string, phase: string): string {
  const wanted = `cairn/${slug}/${phase}`;
  if (isValidBranchName(repoRoot, wanted)) return wanted;
  const digest = createHash('sha256').update(`${slug}\0${phase}`).digest('hex').slice(0, 12);
  return `cairn/phase-${digest}`;
}

/** The agent's environment for an execution step. */
export function executionEnv(input: { slug: string; phase: string; worktree: string; repoRoot: string; step: 'ready-check' | 'execute' | 'validate' }): Record<string, string> {
  return {
    CAIRN_SLUG: input.slug,
    CAIRN_PHASE: input.phase,
    CAIRN_WORKTREE: path.resolve(input.worktree),
    CAIRN_REPO_ROOT: path.resolve(input.repoRoot),
    CAIRN_STEP: input.step,
    // What the agent process record looks for to recognise the run's processes once their leader is gone.
    CAIRN_WORKSPACE: path.resolve(input.worktree),
  };
}

export function readOptional(file: string): string | null {
  try {
    return readRegularTextSync(file);
  } catch {
    return null;
  }
}

/** The agent process for `step`, refusing manual mode (a person drives a phase through MCP). */
function agentArgvFor(choice: AgentChoice, step: string, slug: string, tree: string, effort: Effort | null) {
  const settings = choice.settings;
  const command = resolveAgentCommand({ agent: settings.agent, model: settings.model, effort: effort ?? settings.effort, agentCmd: settings.agentCmd, step, slug, workspace: tree });
  if (command.kind === 'manual') {
    throw new CairnError('usage', '`cairn run` needs an agent that runs by itself; --agent manual cannot execute a phase', {
      hint: 'Pick an agent (--agent claude|codex|command), or drive the phase yourself through the MCP tools next_phase and finish_phase.',
    });
  }
  return command;
}

/**
 * codex writes its final message to a file when asked (`--output-last-message`),
 * which is where its status block is most reliably found; other agents
 * are read from stdout.
 */
function withLastMessageFile(choice: AgentChoice, argv: readonly string[], file: string): string[] {
  if (choice.settings.agent !== 'codex' || argv[argv.length - 1] !== '-') return [...argv];
  return [...argv.slice(0, -1), '--output-last-message', file, '-'];
}

/** A failed attempt's diff against the base, capped. */
function attemptDiff(tree: string, base: string): string {
  try {
    git(tree, ['add', '-A', '--', '.'], 'git add');
    const diff = git(tree, ['diff', '--cached', '--stat', '--patch', '--no-color', '--no-ext-diff', base], 'git diff');
    return diff.length > MAX_DIFF_BYTES ? `${diff.slice(0, MAX_DIFF_BYTES)}\n[diff cut at ${MAX_DIFF_BYTES} bytes]\n` : diff;
  } catch (error) {
    return `(the diff could not be taken: ${messageOf(error)})`;
  }
}

class Workspace {
  branch: string | null = null;
  constructor(
    readonly repoRoot: string,
    readonly paths: ExecutionPaths,
  ) {}

  /** A fresh worktree at `base` on `branch`. */
  open(branch: string, base: string): void {
    this.close(true);
    addWorktree(this.repoRoot, this.paths.tree, branch, base);
    this.branch = branch;
  }

  /** Removes the worktree; with `dropBranch`, the branch too. */
  close(dropBranch: boolean): void {
    removeWorktree(this.repoRoot, this.paths.tree);
    if (dropBranch && this.branch !== null) deleteBranch(this.repoRoot, this.branch);
    if (dropBranch) this.branch = null;
  }
}

/**
 * `cairn run <slug>`: the current phase from preflight to integration. A
 * real run holds the migration's run lease for the whole phase (another
 * run, plan or refine of it ⇒ `CairnError('blocked')` before anything is
 * touched); a dry run takes none.
 */
export async function runPhase(ctx: EngineContext, options: RunPhaseOptions): Promise<PhaseRunResult> {
  if (options.dryRun) return runPhaseNow(ctx, options);
  return withRunLease(ctx.repoRoot, ctx.slug, { operation: 'run' }, () => runPhaseNow(ctx, options));
}

async function runPhaseNow(ctx: EngineContext, options: RunPhaseOptions): Promise<PhaseRunResult> {
  const now = options.now ?? (() => new Date());
  const pre = await preflightPhase(ctx, {
    defaultEffort: options.agent.settings.effort,
    maxEffort: options.maxEffort,
    commitPrefix: options.commitPrefix,
    now: now(),
  });
  if (!options.dryRun) await noteRunActivity(ctx.repoRoot, ctx.slug, { phase: pre.phase.name });
  const result = initialResult(ctx.slug, pre);
  result.validationCommand = options.validation?.command ?? null;

  if (pre.effort.overBudget) {
    const reason = overBudgetReason({ required: pre.effort.required as Effort, max: pre.effort.max as Effort, effortReason: pre.phase.effort_reason ?? null });
    if (options.dryRun) return { ...result, status: 'dry-run', reason: `would defer ${pre.phase.name}: ${reason} (phase-effort-over-budget)` };
    return defer(ctx, result, 'over-budget', reason, now());
  }
  if (options.validation === null) {
    throw new CairnError('usage', `No validation command: cairn runs a phase only under the project's tests`, {
      hint: `Pass --validate '<command>' (e.g. --validate 'npm test'), or add "validate": "<command>" to .planning/config.json and run \`cairn trust\`.`,
    });
  }
  const execute = agentArgvFor(options.agent, 'execute', ctx.slug, '<worktree>', pre.effort.effort);
  result.agentArgv = [...execute.argv];
  const branchBase = phaseBranchBase(ctx.repoRoot, ctx.slug, pre.phase.name);
  if (options.dryRun) {
    result.branch = uniqueBranchName(ctx.repoRoot, branchBase);
    result.integration = { mode: options.integrate, done: false, mergeCommand: null, detail: integrationPlan(options, pre) };
    return { ...result, status: 'dry-run', reason: `would run phase ${pre.phase.name} of ${ctx.slug}` };
  }
  if (options.integrate === 'push' && (options.remote === null || options.remote === '')) {
    throw new CairnError('usage', '--integrate push needs --remote <name>', { hint: 'Name the remote to push the phase branch to, e.g. --remote origin.' });
  }

  const paths = await createExecutionDir(ctx.repoRoot, now());
  const work = new Workspace(ctx.repoRoot, paths);
  const branch = uniqueBranchName(ctx.repoRoot, branchBase);
  let keepBranch = false;
  try {
    await writeExecutionRecord(paths, { slug: ctx.slug, phase: pre.phase.name, branch, base_commit: pre.baseCommit, user_branch: pre.userBranchRef, mode: 'agent', validation_command: options.validation.command }, now());
    work.open(branch, pre.baseCommit);
    result.branch = branch;
    crashPoint('run-worktree-added');
    const promptInput = phasePromptInput(ctx.slug, pre, options.taste, paths.tree);

    // Baseline: the phase starts only from green.
    options.progress?.(`Checking the baseline of ${ctx.slug} with: ${options.validation.command}`);
    const baseline = await validate(ctx, options, pre, paths, 'baseline');
    if (baseline.interruptedBy !== null) return interrupted(result, baseline.interruptedBy);
    if (!baseline.passed) return baselineFailed(result, baseline);

    // What the validation command itself leaves (reports, caches git does not ignore) is not the agent's change.
    const noise = new Set(allChanges(paths.tree));
    if (!options.skipReadyCheck) {
      const check = await readyCheck(ctx, options, pre, paths, promptInput, noise);
      if (check.interruptedBy !== null) return interrupted(result, check.interruptedBy);
      if (check.error !== null) return { ...result, status: 'failed', reason: check.error };
      const answer = check.answer as ReadyAnswer;
      result.readyCheck = { verdict: answer.verdict, reason: answer.reason };
      if (answer.verdict !== 'yes') {
        work.close(true);
        return await defer(ctx, result, answer.verdict === 'no' ? 'not-ready' : 'unverifiable', answer.reason, now());
      }
    }

    let feedback: string | null = null;
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      if (attempt > 1) work.open(branch, pre.baseCommit);
      options.progress?.(`Running phase ${pre.phase.name} of ${ctx.slug} (attempt ${attempt} of ${options.maxAttempts})…`);
      const lastMessage = path.join(paths.runDir, `last-message-${attempt}.txt`);
      const prompt = executePrompt({ ...promptInput, validateCommand: options.validation.command, attempt, maxAttempts: options.maxAttempts, feedback });
      const logId = ctx.log?.runStarted({ slug: ctx.slug, step: 'execute', agent: options.agent.settings.agent, model: options.agent.settings.model, effort: pre.effort.effort, promptSha256: sha256(prompt) }) ?? null;
      const argv = withLastMessageFile(options.agent, agentArgvFor(options.agent, 'execute', ctx.slug, paths.tree, pre.effort.effort).argv, lastMessage);
      const agentRun = await runStepAgent(ctx, options.agent, pre, paths, 'execute', argv, prompt);
      crashPoint('run-agent-done');
      const text = readOptional(lastMessage) ?? extractAgentText(execute.outputMode, agentRun.stdout, agentRun.stdoutTail);
      const status = parseStatusBlock(text);
      const endRun = (verdict: 'accepted' | 'rejected' | 'failed' | 'timeout' | 'killed', reason: string | null): void =>
        ctx.log?.runEnded(logId, { verdict, exitCode: agentRun.exitCode, signal: agentRun.signal, stdout: agentRun.stdout, stderr: agentRun.stderr, reason, durationMs: agentRun.durationMs });
      if (agentRun.verdict === 'aborted' && agentRun.interruptedBy !== undefined) {
        endRun('killed', 'interrupted');
        return interrupted(result, agentRun.interruptedBy);
      }
      const failure = agentFailureReason(agentRun);
      if (failure !== null) {
        const reason = `the agent failed: ${failure}`;
        endRun(agentRun.verdict === 'timeout' || agentRun.verdict === 'silence' ? 'timeout' : 'failed', reason);
        recordFailedAttempt(ctx, pre, paths, attempt, reason, null);
        result.attempts.push({ attempt, outcome: 'agent-failed', reason, statusBlock: status, validation: null });
        feedback = attemptFeedback(reason, status, null);
        continue;
      }
      const lane = laneProblem(paths.tree, pre, branch, attempt === 1 ? noise : new Set());
      if (lane !== null) {
        endRun('rejected', lane);
        recordFailedAttempt(ctx, pre, paths, attempt, lane, null);
        result.attempts.push({ attempt, outcome: 'rejected', reason: lane, statusBlock: status, validation: null });
        feedback = attemptFeedback(lane, status, null);
        continue;
      }
      options.progress?.(`Validating phase ${pre.phase.name} with: ${options.validation.command}`);
      const checked = await validate(ctx, options, pre, paths, 'validate');
      if (checked.interruptedBy !== null) {
        endRun('killed', 'interrupted');
        return interrupted(result, checked.interruptedBy);
      }
      crashPoint('run-validated');
      if (!checked.passed) {
        const reason = `the validation command ${checked.verdict}`;
        endRun('rejected', reason);
        recordFailedAttempt(ctx, pre, paths, attempt, reason, checked);
        result.attempts.push({ attempt, outcome: 'red', reason, statusBlock: status, validation: { verdict: checked.verdict, tail: checked.tail } });
        feedback = attemptFeedback(reason, status, checked);
        continue;
      }
      endRun('accepted', null);
      const committed = await commitGreenPhase({
        repoRoot: ctx.repoRoot,
        slug: ctx.slug,
        pre,
        tree: paths.tree,
        commitPrefix: options.commitPrefix,
        status,
        validation: options.validation.command,
        now: now(),
        exclude: attempt === 1 ? [...noise] : [],
      });
      crashPoint('run-committed');
      keepBranch = true;
      result.attempts.push({ attempt, outcome: 'green', reason: 'validation passed', statusBlock: status, validation: { verdict: checked.verdict, tail: checked.tail } });
      result.statusBlock = status;
      result.commit = committed.commit;
      result.nextPhase = committed.manifest.current_phase === '' ? null : committed.manifest.current_phase;
      result.migrationStatus = committed.manifest.status;
      ctx.log?.event('phase.committed', ctx.slug, { phase: pre.phase.name, branch, commit: committed.commit, attempt });
      work.close(false);
      return await integrate(ctx, options, pre, paths, result);
    }
    const last = result.attempts[result.attempts.length - 1];
    return {
      ...result,
      status: 'failed',
      branch: null,
      reason: `phase ${pre.phase.name} failed after ${result.attempts.length} attempt${result.attempts.length === 1 ? '' : 's'}: ${last?.reason ?? 'no attempt ran'}; nothing was changed`,
    };
  } finally {
    try {
      work.close(!keepBranch);
    } catch (error) {
      result.warnings.push(`could not remove the worktree ${paths.tree}: ${messageOf(error)}`);
    }
    // A journal left by an interrupted fast-forward keeps the directory for recovery.
    if (!existsSync(path.join(paths.runDir, INTEGRATION_JOURNAL_FILE))) await removeExecutionDir(ctx.repoRoot, paths).catch(() => undefined);
  }
}

/** What both agent prompts are built from: the phase, its doc and the plan as the live migration holds them. */
export function phasePromptInput(slug: string, pre: Preflight, taste: string | null, tree: string): PhasePromptInput {
  return {
    slug,
    phase: pre.phase,
    phaseFile: pre.phaseFile,
    phaseDoc: readOptional(path.join(pre.liveDir, pre.phase.file)) ?? '',
    plan: readOptional(path.join(pre.liveDir, 'plan.md')),
    taste,
    worktree: tree,
    migrationDir: pre.migrationRel,
  };
}

/** The result of a run stopped by a red baseline: nothing changed. */
export function baselineFailed(result: PhaseRunResult, baseline: ValidationOutcome): PhaseRunResult {
  return {
    ...result,
    status: 'baseline-failed',
    reason: `the validation command ${baseline.verdict} before any change (baseline is red); nothing was changed`,
    attempts: [],
    readyCheck: null,
    warnings: [...result.warnings, ...(baseline.tail === '' ? [] : [`baseline output (end):\n${baseline.tail}`])],
  };
}

/** Runs the agent for an execution step in the worktree, recorded so a later cairn can stop it if this one dies. */
function runStepAgent(ctx: EngineContext, agent: AgentChoice, pre: Preflight, paths: ExecutionPaths, step: 'ready-check' | 'execute', argv: readonly string[], prompt: string): Promise<AgentRunResult> {
  return runAgent({
    argv,
    cwd: paths.tree,
    prompt,
    env: executionEnv({ slug: ctx.slug, phase: pre.phase.name, worktree: paths.tree, repoRoot: ctx.repoRoot, step }),
    timeoutMs: agent.timeoutMs,
    silenceTimeoutMs: agent.silenceTimeoutMs,
    ...(agent.mirror !== undefined ? { mirror: agent.mirror } : {}),
    record: { runDir: paths.runDir, workspace: paths.tree },
  });
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function interrupted(result: PhaseRunResult, signal: NodeJS.Signals): PhaseRunResult {
  return { ...result, status: 'interrupted', branch: null, interruptedBy: signal, reason: `interrupted by ${signal}; nothing was changed` };
}

function integrationPlan(options: RunPhaseOptions, pre: Preflight): string {
  switch (options.integrate) {
    case 'ff':
      return pre.userBranchRef === null ? 'leave the phase branch (HEAD is detached)' : `fast-forward ${pre.userBranchRef.slice('refs/heads/'.length)} when it is checked out clean at ${pre.baseCommit.slice(0, 12)}`;
    case 'branch':
      return 'leave the phase branch';
    case 'push':
      return `push the phase branch to ${options.remote ?? '(no remote given)'}`;
  }
}

export async function validate(
  ctx: EngineContext,
  options: RunPhaseOptions,
  pre: Preflight,
  paths: ExecutionPaths,
  step: 'baseline' | 'validate',
): Promise<ValidationOutcome> {
  const command = (options.validation as { command: string }).command;
  const logId = ctx.log?.runStarted({ slug: ctx.slug, step, agent: 'validate', model: null, effort: null, promptSha256: sha256(command) }) ?? null;
  const outcome = await runValidation({
    command,
    cwd: paths.tree,
    env: executionEnv({ slug: ctx.slug, phase: pre.phase.name, worktree: paths.tree, repoRoot: ctx.repoRoot, step: 'validate' }),
    timeoutMs: options.validationTimeoutMs ?? DEFAULT_VALIDATION_TIMEOUT_MS,
    silenceTimeoutMs: options.validationSilenceMs ?? DEFAULT_VALIDATION_SILENCE_MS,
    // The test output as it is, even when the agent's own stdout is rendered (claude's events).
    mirror: options.agent.mirror === undefined ? undefined : { stdout: options.agent.mirror.stderr, stderr: options.agent.mirror.stderr },
    record: { runDir: paths.runDir, workspace: paths.tree },
  });
  ctx.log?.runEnded(logId, {
    verdict: outcome.passed ? 'accepted' : outcome.interruptedBy !== null ? 'killed' : 'rejected',
    exitCode: outcome.exitCode,
    stdout: outcome.output,
    reason: outcome.passed ? null : `validation ${outcome.verdict}`,
    durationMs: outcome.durationMs,
  });
  return outcome;
}

interface ReadyCheckOutcome {
  answer: ReadyAnswer | null;
  error: string | null;
  interruptedBy: NodeJS.Signals | null;
}

async function readyCheck(ctx: EngineContext, options: RunPhaseOptions, pre: Preflight, paths: ExecutionPaths, promptInput: PhasePromptInput, noise: ReadonlySet<string>): Promise<ReadyCheckOutcome> {
  const command = agentArgvFor(options.agent, 'ready-check', ctx.slug, paths.tree, pre.effort.effort);
  const prompt = readyCheckPrompt(promptInput);
  options.progress?.(`Asking whether phase ${pre.phase.name} of ${ctx.slug} is ready…`);
  const logId = ctx.log?.runStarted({ slug: ctx.slug, step: 'ready-check', agent: options.agent.settings.agent, model: options.agent.settings.model, effort: pre.effort.effort, promptSha256: sha256(prompt) }) ?? null;
  const run: AgentRunResult = await runStepAgent(ctx, options.agent, pre, paths, 'ready-check', command.argv, prompt);
  const end = (verdict: 'accepted' | 'rejected' | 'failed' | 'timeout' | 'killed', reason: string | null): void =>
    ctx.log?.runEnded(logId, { verdict, exitCode: run.exitCode, signal: run.signal, stdout: run.stdout, stderr: run.stderr, reason, durationMs: run.durationMs });
  if (run.verdict === 'aborted' && run.interruptedBy !== undefined) {
    end('killed', 'interrupted');
    return { answer: null, error: null, interruptedBy: run.interruptedBy };
  }
  const failure = agentFailureReason(run);
  if (failure !== null) {
    const reason = `the ready-check failed: ${failure}`;
    end(run.verdict === 'timeout' || run.verdict === 'silence' ? 'timeout' : 'failed', reason);
    return { answer: null, error: reason, interruptedBy: null };
  }
  const changed = allChanges(paths.tree).filter((file) => !noise.has(file));
  if (changed.length > 0) {
    const reason = `the ready-check changed files in the worktree (${changed.slice(0, 3).join(', ')}); a ready-check may only look`;
    end('rejected', reason);
    return { answer: null, error: reason, interruptedBy: null };
  }
  try {
    const answer = parseReadyAnswer(extractAgentText(command.outputMode, run.stdout, run.stdoutTail));
    end('accepted', null);
    return { answer, error: null, interruptedBy: null };
  } catch (error) {
    const reason = messageOf(error);
    end('rejected', reason);
    return { answer: null, error: reason, interruptedBy: null };
  }
}

/**
 * Why an attempt's worktree cannot be committed as the phase, or null: the
 * agent must stay on the phase branch at the base (its own commits are
 * folded into the phase commit), leave the migration directory to cairn,
 * and change something.
 */
export function laneProblem(tree: string, pre: Preflight, branch: string, noise: ReadonlySet<string> = new Set()): string | null {
  const ref = currentBranchRef(tree);
  if (ref !== `refs/heads/${branch}`) return `the agent left the phase branch ${branch} (HEAD is now ${ref ?? 'detached'})`;
  const head = headCommit(tree);
  if (head !== pre.baseCommit) {
    if (!isAncestor(tree, pre.baseCommit, head)) return 'the agent rewrote history below the phase branch';
    git(tree, ['reset', '--quiet', '--soft', pre.baseCommit], 'git reset --soft');
  }
  const migrationChanges = allChanges(tree, [pre.migrationRel]);
  if (migrationChanges.length > 0) {
    return `the agent changed the migration directory (${migrationChanges.slice(0, 3).join(', ')}); only cairn records a phase's completion`;
  }
  if (allChanges(tree).every((file) => noise.has(file))) return 'the agent changed nothing';
  return null;
}

function recordFailedAttempt(ctx: EngineContext, pre: Preflight, paths: ExecutionPaths, attempt: number, reason: string, validation: ValidationOutcome | null): void {
  const diff = attemptDiff(paths.tree, pre.baseCommit);
  const id = ctx.log?.runStarted({ slug: ctx.slug, step: 'execute.diff', agent: 'git', model: null, effort: null, promptSha256: null }) ?? null;
  ctx.log?.runEnded(id, { verdict: 'rejected', exitCode: null, stdout: diff, stderr: validation?.output ?? '', reason: `attempt ${attempt}: ${reason}` });
  ctx.log?.event('phase.attempt-failed', ctx.slug, { phase: pre.phase.name, attempt, reason, diff_run: id });
}

function attemptFeedback(reason: string, status: StatusBlock | null, validation: ValidationOutcome | null): string {
  const parts = [`The previous attempt failed: ${reason}.`];
  if (status?.summary) parts.push(`Its own summary: ${status.summary}`);
  if (validation !== null) parts.push(`The end of the validation output:\n${validation.tail}`);
  return parts.join('\n\n');
}

export async function defer(ctx: EngineContext, result: PhaseRunResult, kind: DeferralKind, reason: string, now: Date): Promise<PhaseRunResult> {
  const published = await publishDeferral(ctx, { kind, reason, now });
  const manifest = published.manifest;
  const deferral = {
    kind,
    reason,
    cooldownUntil: manifest.cooldown_until,
    wakeUpOn: manifest.wake_up_on,
    awaitingHumanReview: manifest.awaiting_human_review,
  };
  if (published.publish.status !== 'published') {
    return { ...result, status: 'failed', branch: null, deferral, reason: `the deferral could not be published: ${published.publish.reason}`, warnings: [...result.warnings, ...published.warnings] };
  }
  return {
    ...result,
    status: 'deferred',
    branch: null,
    deferral,
    migrationStatus: manifest.status,
    reason: `phase ${result.phase} deferred (${kind === 'over-budget' ? 'phase-effort-over-budget' : kind === 'not-ready' ? 'ready: no' : 'ready: unverifiable'}): ${reason}`,
    warnings: [...result.warnings, ...published.warnings],
  };
}

export async function integrate(ctx: EngineContext, options: RunPhaseOptions, pre: Preflight, paths: ExecutionPaths, result: PhaseRunResult): Promise<PhaseRunResult> {
  const branch = result.branch as string;
  const commit = result.commit as string;
  const merge = `git merge --ff-only ${shellWord(branch)}`;
  if (options.integrate === 'branch') {
    return { ...result, status: 'committed', integration: { mode: 'branch', done: false, mergeCommand: merge, detail: `left on branch ${branch}` }, reason: `phase ${pre.phase.name} committed on ${branch}` };
  }
  if (options.integrate === 'push') {
    const remote = options.remote as string;
    try {
      git(ctx.repoRoot, ['push', '--quiet', remote, `refs/heads/${branch}:refs/heads/${branch}`], `git push ${remote}`);
    } catch (error) {
      return {
        ...result,
        status: 'committed',
        integration: { mode: 'push', done: false, mergeCommand: `git push ${remote} ${branch}`, detail: messageOf(error) },
        reason: `phase ${pre.phase.name} committed on ${branch}, but the push failed: ${messageOf(error)}`,
      };
    }
    ctx.log?.event('phase.pushed', ctx.slug, { phase: pre.phase.name, branch, remote, commit });
    return { ...result, status: 'pushed', integration: { mode: 'push', done: true, mergeCommand: null, detail: `pushed ${branch} to ${remote}` }, reason: `phase ${pre.phase.name} committed on ${branch} and pushed to ${remote}` };
  }
  if (pre.userBranchRef === null) {
    return { ...result, status: 'committed', integration: { mode: 'ff', done: false, mergeCommand: merge, detail: 'HEAD is detached, so there is no branch to fast-forward' }, reason: `phase ${pre.phase.name} committed on ${branch}` };
  }
  const outcome = await fastForward({
    repoRoot: ctx.repoRoot,
    liveRoot: ctx.liveRoot,
    slug: ctx.slug,
    run: paths,
    ref: pre.userBranchRef,
    from: pre.baseCommit,
    to: commit,
    branch,
    liveSnapshotAtStart: pre.liveSnapshot,
    lockTimeoutMs: ctx.lockTimeoutMs,
    recorder: ctx.recorder,
  });
  const target = pre.userBranchRef.slice('refs/heads/'.length);
  if (!outcome.done) {
    // A branch that moved on since the base can no longer be fast-forwarded; a plain merge still works.
    const moved = refCommit(ctx.repoRoot, pre.userBranchRef) !== pre.baseCommit;
    return {
      ...result,
      status: 'committed',
      integration: { mode: 'ff', done: false, mergeCommand: outcome.stale ? null : moved ? `git merge ${shellWord(branch)}` : merge, detail: outcome.reason },
      reason: outcome.stale
        ? `phase ${pre.phase.name} committed on ${branch}, but not integrated: ${outcome.reason} (stale); look at both before merging`
        : `phase ${pre.phase.name} committed on ${branch}; ${target} was not fast-forwarded: ${outcome.reason}`,
    };
  }
  deleteBranch(ctx.repoRoot, branch);
  ctx.log?.event('phase.integrated', ctx.slug, { phase: pre.phase.name, branch: target, commit });
  return {
    ...result,
    status: 'integrated',
    branch: null,
    integration: { mode: 'ff', done: true, mergeCommand: null, detail: `fast-forwarded ${target} to ${commit.slice(0, 12)}` },
    reason: `phase ${pre.phase.name} of ${ctx.slug} is done and ${target} is fast-forwarded to ${commit.slice(0, 12)}`,
  };
}
