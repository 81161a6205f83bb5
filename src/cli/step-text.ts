import { constants } from 'node:os';
import { printWarnings, type Io } from '../app/index.js';
import { rerunCommand, type StepRunResult } from '../planning/index.js';
import { shellWord } from '../util/index.js';
import { acceptCommand, repoRelativePath } from '../outputs/index.js';
import type { NextCommands } from './next-command.js';
import { asSentence, paint } from './output.js';
import { printDirtyHint, publishFailureText } from './publish-text.js';

/* How plan, accept, refine and review show a planning step's result as text, and its exit code. */

/** 128 + the signal number: what a shell reports for a process ended by that signal (130 for SIGINT). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 2);
}

/** The exit code of a step result: 0 published, manual or a dry run that would run and publish; 130 interrupted; else 1. */
export function stepExitCode(result: StepRunResult & { wouldBlock?: string | null }): number {
  switch (result.status) {
    case 'published':
    case 'manual':
      return 0;
    case 'dry-run':
      if (result.publish !== null && result.publish.status !== 'published') return 1;
      return result.wouldBlock === null || result.wouldBlock === undefined ? 0 : 1;
    case 'interrupted':
      return signalExitCode(result.interruptedBy ?? 'SIGINT');
    default:
      return 1;
  }
}

/** What to run after a published step. */
export function nextCommand(result: StepRunResult, next: NextCommands): string {
  if (result.terminal === null) return next.cairn('plan', [result.slug], true);
  switch (result.terminal.outcome) {
    case 'awaiting_human_review':
      return next.cairn('review', [result.slug], true);
    case 'ready':
      return next.cairn('ready');
    case 'skipped':
      return next.cairn('status', [result.slug]);
  }
}

/**
 * The `Next:` line after a published step, and once after it how to save
 * the agent flags the command repeats (stderr).
 */
export function printNextLine(io: Io, command: string, next: NextCommands): void {
  io.stdout(`Next: ${command}\n`);
  const save = next.saveAgentHint();
  if (save !== null && command.includes(' --agent')) io.stderr(`Hint: ${save}\n`);
}

function terminalLine(result: StepRunResult, next: NextCommands): string | null {
  if (result.terminal === null) return null;
  switch (result.terminal.outcome) {
    case 'ready':
      return `${result.slug} is ready: run its first phase with \`${next.cairn('run', [result.slug], true)}\`.`;
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
export function printStepText(
  io: Io,
  result: StepRunResult & { wouldBlock?: string | null },
  repoRoot: string,
  commit: string | null,
  next: NextCommands,
): void {
  printWarnings(io, result.warnings);
  const workspace = repoRelativePath(repoRoot, result.workspaceDir);
  switch (result.status) {
    case 'published': {
      const outcome = result.outcome === 'completed' || result.outcome === null ? '' : ` (${result.outcome})`;
      if (result.terminal === null) {
        io.stdout(`Accepted ${result.operation}${outcome} for ${result.slug}; next step: ${result.nextStep}.\n`);
      } else {
        io.stdout(`Accepted ${result.operation} for ${result.slug}: ${result.outcome} — ${result.terminal.reason}\n`);
        io.stdout(`${terminalLine(result, next)}\n`);
      }
      if (commit !== null) io.stdout(`Committed ${commit.slice(0, 12)}: cairn: ${result.slug}: ${result.operation}\n`);
      if (result.publish?.cleanupError != null) io.stderr(`Warning: ${result.publish.cleanupError}\nRun \`${next.cairn('recover')}\` to clean up.\n`);
      return;
    }
    case 'manual':
      io.stdout(result.prompt?.prompt ?? '');
      io.stderr(
        `Manual step: ${result.operation} for ${result.slug} is prepared.\n` +
          `Workspace: ${workspace}\n` +
          `Write the step's files there, save the step's output (what an agent would print) to a file, then run:\n` +
          `  ${next.carry(acceptCommand(result))}\n`,
      );
      return;
    case 'dry-run': {
      const who = result.agentArgv === null ? 'manual mode (the prompt would be printed for you)' : result.agentArgv.map(shellWord).join(' ');
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
      if (result.publish?.staleBase === true) {
        io.stderr(`Error: ${result.reason}\n`);
        if (result.runDir !== null) io.stderr(`This run's workspace is kept for inspection: ${workspace}\n`);
        io.stderr(`${next.hint(`Hint: Run \`${rerunCommand(result.slug, result.operation)}\`; \`${next.cairn('status', [result.slug])}\` shows where the plan is now.`)}\n`);
        return;
      }
      io.stderr(`Error: ${result.publish === null ? asSentence(result.reason, result.slug) : publishFailureText(result.publish)}\n`);
      if (result.runDir !== null) io.stderr(`Nothing was published. This run's workspace is kept for inspection: ${workspace}\n`);
      if (result.publish !== null) printDirtyHint(io, result.publish, repoRoot);
      return;
    case 'agent-failed':
    case 'rejected':
      io.stderr(`Error: ${result.reason}\n`);
      io.stderr(
        `Nothing was published.${result.logRunId === null ? '' : ` The agent's output is in the local run log: ${next.cairn('log', ['--show', result.logRunId])}.`}` +
          ` The workspace is kept: ${workspace}\n`,
      );
      io.stderr(`${retryHint(result, next)}\n`);
      return;
  }
}

/** What to run after a step that published nothing. */
function retryHint(result: StepRunResult, next: NextCommands): string {
  if (result.agentArgv === null && result.prompt === null) {
    return `Hint: Correct the output (or the files in the workspace) and run \`${next.carry(acceptCommand(result))}\` again.`;
  }
  if (result.operation.startsWith('migration.refine.')) return `Hint: Run \`${next.cairn('refine', [result.slug], true)} ...\` again; the feedback was not recorded.`;
  return `Hint: Run \`${next.cairn('plan', [result.slug], true)}\` to run the step again.`;
}
