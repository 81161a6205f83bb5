import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { constants } from 'node:os';
import {
  DEFAULT_AGENT_TIMEOUT_MS,
  DEFAULT_SILENCE_TIMEOUT_MS,
  loadUserAgentConfig,
  resolveAgentSettings,
  AGENT_KINDS,
} from '../../agent/index.js';
import type { ProjectContext } from '../../config/context.js';
import { CairnError } from '../../errors.js';
import { EFFORTS } from '../../planning/manifest.js';
import { storePlanningLog, nullPlanningLog } from '../../planning/engine-log.js';
import type { AgentChoice, EngineContext, StepRunResult } from '../../planning/engine.js';
import { commitMigration, checkCanCommit } from '../../planning/commit.js';
import { loadTaste } from '../../planning/prompts.js';
import { resolveMigrationTarget } from '../../planning/resolve.js';
import { parseUntil, planUntil, type PlanStepOutcome } from '../../planning/run-plan.js';
import { recoverPendingTransactions } from '../../planning/workspace-base.js';
import { publishErrorMessage, publishResultJson, recoveryPlanJson } from '../../publish/result.js';
import type { RecoveryPlan } from '../../publish/recovery.js';
import { openStore, storePathFor } from '../../store/index.js';
import { toPosix } from '../../util/paths.js';
import { action, type ExitHolder } from '../action.js';
import { projectContext } from '../context.js';
import { paint, printJson, type Io } from '../output.js';
import { openServices, storeRecorder, type Services } from '../services.js';
import { lockTimeoutOption } from './new.js';

/** Agent flags shared by plan, refine and review. */
export interface AgentOptions {
  agent?: string;
  agentCmd?: string;
  model?: string;
  effort?: string;
  timeout?: number;
  silenceTimeout?: number;
  showAgentLogs?: boolean;
}

function parseSeconds(flag: string): (value: string) => number {
  return (value: string) => {
    const seconds = Number(value);
    if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 2_000_000) {
      throw new CairnError('usage', `${flag} must be a number of seconds (0 for none), got '${value}'.`);
    }
    return Math.round(seconds * 1000);
  };
}

/** Adds `--agent`, `--agent-cmd`, `--model`, `--effort`, `--timeout`, `--silence-timeout`, `--show-agent-logs`. */
export function addAgentOptions(command: Command): Command {
  return command
    .addOption(new Option('--agent <agent>', 'who does the step').choices([...AGENT_KINDS]))
    .option('--agent-cmd <template>', "command line for --agent command, e.g. 'my-agent --model {model}'")
    .option('--model <model>', 'model for the agent')
    .addOption(new Option('--effort <effort>', 'effort for the agent').choices([...EFFORTS]))
    .addOption(
      new Option('--timeout <seconds>', `stop the agent after this long (default ${DEFAULT_AGENT_TIMEOUT_MS / 1000}; 0 = never)`).argParser(
        parseSeconds('--timeout'),
      ),
    )
    .addOption(
      new Option(
        '--silence-timeout <seconds>',
        `stop the agent when it prints nothing for this long (default ${DEFAULT_SILENCE_TIMEOUT_MS / 1000}; 0 = never)`,
      ).argParser(parseSeconds('--silence-timeout')),
    )
    .option('--show-agent-logs', "mirror the agent's stdout and stderr to stderr while it runs");
}

/** The agent a command uses: flags over user config over project config (no command templates from the repository). */
export async function agentChoice(options: AgentOptions, context: ProjectContext, io: Io): Promise<AgentChoice> {
  const settings = resolveAgentSettings({
    flags: { agent: options.agent ?? null, agentCmd: options.agentCmd ?? null, model: options.model ?? null, effort: options.effort ?? null },
    userConfig: await loadUserAgentConfig(process.env),
    projectConfig: context.config,
  });
  const mirror = (chunk: Buffer): void => io.stderr(chunk.toString('utf8'));
  return {
    settings,
    timeoutMs: options.timeout ?? DEFAULT_AGENT_TIMEOUT_MS,
    silenceTimeoutMs: options.silenceTimeout ?? DEFAULT_SILENCE_TIMEOUT_MS,
    mirror: options.showAgentLogs === true ? { stdout: mirror, stderr: mirror } : undefined,
  };
}

/**
 * The store for a command: opened read-write normally; for a dry run only
 * read (never created or migrated), so the dirty check can still see what
 * cairn last published.
 */
export function commandServices(context: ProjectContext, io: Io, dryRun: boolean): Services {
  if (!dryRun) return openServices(context, io);
  try {
    const store = openStore(storePathFor(context.repoRoot), { readonly: true });
    return { store: null, recorder: storeRecorder(store), close: () => store.close() };
  } catch {
    return { store: null, recorder: undefined, close: () => {} };
  }
}

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
 * aside, and the target would look missing). A dry run recovers nothing.
 */
export async function resolveTarget(
  context: ProjectContext,
  services: Services,
  target: string,
  io: Io,
  options: { dryRun: boolean; lockTimeout?: number | undefined },
): Promise<string> {
  if (!options.dryRun) {
    const recovered = await recoverPendingTransactions({
      liveRoot: context.liveRoot,
      recorder: services.recorder,
      lockTimeoutMs: options.lockTimeout ?? context.lockTimeoutMs,
    });
    for (const plan of recovered) io.stderr(`Recovered an interrupted transaction (${plan.action}): ${plan.reason}\n`);
  }
  return resolveMigrationTarget(target, context.liveRoot, context.repoRoot).slug;
}

/** 128 + the signal number: what a shell reports for a process ended by that signal (130 for SIGINT). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 2);
}

/** The exit code of a step result: 0 published, manual or a dry run that would run; 130 interrupted; else 1. */
export function stepExitCode(result: StepRunResult & { wouldBlock?: string | null }): number {
  switch (result.status) {
    case 'published':
    case 'manual':
      return 0;
    case 'dry-run':
      return result.wouldBlock === null || result.wouldBlock === undefined ? 0 : 1;
    case 'interrupted':
      return signalExitCode(result.interruptedBy ?? 'SIGINT');
    default:
      return 1;
  }
}

function relative(repoRoot: string, target: string | null): string | null {
  if (target === null) return null;
  if (!path.isAbsolute(target)) return target;
  const rel = path.relative(repoRoot, target);
  return rel.startsWith('..') ? target : toPosix(rel);
}

/** The `cairn accept` command that continues a manual run. */
export function acceptCommand(result: StepRunResult): string {
  return `cairn accept ${result.slug} --step ${result.step} --file <output>`;
}

/** A step result as snake_case JSON. */
export function stepJson(
  result: StepRunResult & { recovered?: RecoveryPlan[]; wouldBlock?: string | null },
  repoRoot: string,
  commit: string | null,
): Record<string, unknown> {
  const json: Record<string, unknown> = {
    status: result.status,
    slug: result.slug,
    step: result.step,
    operation: result.operation,
    reason: result.reason,
    outcome: result.outcome,
    next_step: result.nextStep,
    terminal: result.terminal === null ? null : { outcome: result.terminal.outcome, reason: result.terminal.reason },
    stage_file: result.stageFile,
    run_id: result.runId,
    log_run_id: result.logRunId,
    workspace: result.runDir === null && result.status !== 'dry-run' ? null : relative(repoRoot, result.workspaceDir),
    agent_argv: result.agentArgv,
    exit_code: result.exitCode,
    interrupted_by: result.interruptedBy,
    publish: result.publish === null ? null : publishResultJson(result.publish),
    commit,
    recovered: (result.recovered ?? []).map(recoveryPlanJson),
    warnings: result.warnings,
  };
  if (result.prompt !== null && (result.status === 'manual' || result.status === 'dry-run')) {
    json['prompt'] = result.prompt.prompt;
    json['prompt_sha256'] = result.prompt.promptSha256;
  }
  if (result.status === 'manual') json['accept_command'] = acceptCommand(result);
  if (result.status === 'dry-run') json['would_block'] = result.wouldBlock ?? null;
  return json;
}

/** What to run after a published step. */
export function nextCommand(result: StepRunResult): string {
  if (result.terminal === null) return `cairn plan ${result.slug}`;
  switch (result.terminal.outcome) {
    case 'awaiting_human_review':
      return `cairn review ${result.slug}`;
    case 'ready':
      return 'cairn ready';
    case 'skipped':
      return `cairn status ${result.slug}`;
  }
}

function terminalLine(result: StepRunResult): string | null {
  if (result.terminal === null) return null;
  switch (result.terminal.outcome) {
    case 'ready':
      return `${result.slug} is ready: queued for execution.`;
    case 'awaiting_human_review':
      return `${result.slug} is ready, awaiting human review.`;
    case 'skipped':
      return `${result.slug} was skipped (see intentional-skip.md).`;
  }
}

/**
 * Prints one step result in text: what was accepted (stdout) or why not
 * (stderr), where the kept workspace is, and for manual runs the prompt
 * (stdout) and the command that continues it (stderr).
 */
export function printStepText(io: Io, result: StepRunResult & { recovered?: RecoveryPlan[]; wouldBlock?: string | null }, repoRoot: string, commit: string | null): void {
  for (const plan of result.recovered ?? []) io.stderr(`Recovered an interrupted transaction (${plan.action}): ${plan.reason}\n`);
  for (const warning of result.warnings) io.stderr(`Warning: ${warning}\n`);
  const workspace = relative(repoRoot, result.workspaceDir);
  switch (result.status) {
    case 'published': {
      const outcome = result.outcome === 'completed' || result.outcome === null ? '' : ` (${result.outcome})`;
      if (result.terminal === null) {
        io.stdout(`Accepted ${result.operation}${outcome} for ${result.slug}; next step: ${result.nextStep}.\n`);
      } else {
        io.stdout(`Accepted ${result.operation} for ${result.slug}: ${result.outcome} — ${result.terminal.reason}\n`);
        io.stdout(`${terminalLine(result)}\n`);
      }
      if (commit !== null) io.stdout(`Committed ${commit.slice(0, 12)}: cairn: ${result.slug}: ${result.operation}\n`);
      if (result.publish?.cleanupError != null) io.stderr(`Warning: ${result.publish.cleanupError}\nRun \`cairn recover\` to clean up.\n`);
      return;
    }
    case 'manual':
      io.stdout(result.prompt?.prompt ?? '');
      io.stderr(
        `Manual step: ${result.operation} for ${result.slug} is prepared.\n` +
          `Workspace: ${workspace}\n` +
          `Write the step's files there, save the step's output (what an agent would print) to a file, then run:\n` +
          `  ${acceptCommand(result)}\n`,
      );
      return;
    case 'dry-run': {
      const who = result.agentArgv === null ? 'manual mode (the prompt would be printed for you)' : result.agentArgv.join(' ');
      io.stdout(`Dry run: would run ${result.operation} for ${result.slug}; nothing was changed.\n`);
      io.stdout(`Agent: ${who}\nWorkspace: ${workspace}\n`);
      if (result.wouldBlock != null) io.stdout(`${paint(io, 'red', 'Would be blocked:')} ${result.wouldBlock}\n`);
      io.stdout(`--- prompt (sha256 ${result.prompt?.promptSha256 ?? ''}) ---\n${result.prompt?.prompt ?? ''}`);
      return;
    }
    case 'interrupted':
      io.stderr(`Interrupted by ${result.interruptedBy ?? 'a signal'}: the agent was stopped and nothing was published.\n`);
      return;
    case 'blocked':
    case 'failed':
      io.stderr(`Error: ${result.publish === null ? result.reason : publishErrorMessage(result.publish)}\n`);
      if (result.runDir !== null) io.stderr(`The accepted workspace is kept for inspection: ${workspace}\n`);
      return;
    case 'agent-failed':
    case 'rejected':
      io.stderr(`Error: ${result.reason}\n`);
      io.stderr(
        `Nothing was published.${result.logRunId === null ? '' : ` The agent's output is in the local run log: cairn log --show ${result.logRunId}.`}` +
          ` The workspace is kept: ${workspace}\n`,
      );
      io.stderr(`${retryHint(result)}\n`);
      return;
  }
}

/** What to run after a step that published nothing. */
function retryHint(result: StepRunResult): string {
  if (result.agentArgv === null && result.prompt === null) {
    return `Hint: Correct the output (or the files in the workspace) and run \`${acceptCommand(result)}\` again.`;
  }
  if (result.operation.startsWith('migration.refine.')) return `Hint: Run \`cairn refine ${result.slug} ...\` again; the feedback was not recorded.`;
  return `Hint: Run \`cairn plan ${result.slug}\` to run the step again.`;
}

interface PlanOptions extends AgentOptions {
  until?: string;
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

export function registerPlan(program: Command, io: Io, exit: ExitHolder): void {
  const command = program
    .command('plan')
    .description('run the next planning step of a migration (exactly one, unless --until), then publish it')
    .argument('<slug-or-path>', 'migration slug, or its directory under the migrations dir');
  addAgentOptions(command)
    .option('--until <step>', "keep going until this step has been accepted, or 'terminal'")
    .option('--dry-run', 'show the prompt and what would run; change nothing')
    .option('--commit', 'git-commit the migration directory after each published step')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(lockTimeoutOption())
    .action(
      action(io, exit, async (target: string, options: PlanOptions, cmd: Command) => {
        const context = await projectContext(cmd);
        const until = options.until === undefined ? null : parseUntil(options.until);
        const dryRun = options.dryRun === true;
        if (options.commit === true && !dryRun) checkCanCommit(context.repoRoot);
        const agent = await agentChoice(options, context, io);
        const taste = await loadTaste(context.repoRoot);
        const services = commandServices(context, io, dryRun);
        try {
          const slug = await resolveTarget(context, services, target, io, { dryRun, lockTimeout: options.lockTimeout });
          const ctx = engineContext(context, slug, services, options.lockTimeout);
          const commits = new Map<PlanStepOutcome, string>();
          const json = options.format === 'json';
          const results = await planUntil(
            ctx,
            { agent, taste, dryRun, progress: json ? undefined : (message) => io.stderr(`${message}\n`) },
            until,
            (result) => {
              if (result.status === 'published' && options.commit === true) {
                commits.set(result, commitMigration(context.repoRoot, path.join(context.liveRoot, slug), slug, result.operation));
              }
              if (!json) printStepText(io, result, context.repoRoot, commits.get(result) ?? null);
            },
          );
          const last = results[results.length - 1] as PlanStepOutcome;
          for (const warning of ctx.log?.warnings ?? []) io.stderr(`Warning: ${warning}\n`);
          if (json) {
            printJson(io, {
              slug,
              status: last.status,
              steps: results.map((result) => stepJson(result, context.repoRoot, commits.get(result) ?? null)),
            });
            if (stepExitCode(last) !== 0 && last.status !== 'dry-run') io.stderr(`Error: ${last.reason}\n`);
          } else if (last.status === 'published') {
            io.stdout(`Next: ${nextCommand(last)}\n`);
          }
          return stepExitCode(last);
        } finally {
          services.close();
        }
      }),
    );
}
