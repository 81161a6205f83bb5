import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { constants } from 'node:os';
import { DEFAULT_AGENT_TIMEOUT_MS, DEFAULT_SILENCE_TIMEOUT_MS, AGENT_KINDS } from '../../agent/index.js';
import { CairnError } from '../../util/errors.js';
import { EffortInput } from '../../app/inputs.js';
import type { StepRunResult } from '../../planning/engine.js';
import { commitMigration, checkCanCommit } from '../../planning/commit.js';
import { loadTaste } from '../../planning/prompts.js';
import { parseUntil, planUntil, type PlanStepOutcome } from '../../planning/run-plan.js';
import { publishErrorMessage } from '../../publish/result.js';
import type { RecoveryPlan } from '../../publish/recovery.js';
import { action, type ExitHolder } from '../action.js';
import { projectContext } from '../context.js';
import { agentChoice, commandServices, engineContext, resolveTarget, type AgentOptions } from '../../app/engine-context.js';
import { acceptCommand, repoRelativePath, stepJson } from '../../outputs/step.js';
import { paint, printJson, type Io } from '../output.js';
import { lockTimeoutOption } from './new.js';

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
    .addOption(new Option('--effort <effort>', 'effort for the agent').choices(EffortInput.options))
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
  const workspace = repoRelativePath(repoRoot, result.workspaceDir);
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
            printJson(io, 'plan', {
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
