import { agentChoice, postPublishCommit, printWarnings, withPhaseSession, withRunSession, type AgentOptions, type GlobalOptions, type Io } from '../../app/index.js';
import { DEFAULT_MAX_ATTEMPTS, INTEGRATE_MODES, resolveValidationCommand, runAll, runPhase, untrustedCommandError, type IntegrateMode, type PhaseRunResult, type RunAllAction, type RunAllResult, type RunPhaseOptions, type AbandonedRun } from '../../execution/index.js';
import { EFFORTS, isEffort, type Effort } from '../../migration/index.js';
import { cleanedUpJson, phaseRunJson, runActionJson } from '../../outputs/index.js';
import { loadTaste } from '../../planning/index.js';
import type { ProjectContext } from '../../config/index.js';
import { CairnError, shellWord } from '../../util/index.js';
import { defineCommand } from '../command.js';
import { nextCommands, type NextCommands } from '../next-command.js';
import { AGENT_OPTIONS, LOCK_TIMEOUT_OPTION, dryRunOption, formatOption } from '../options.js';
import { asSentence, printJson } from '../output.js';
import { signalExitCode } from '../step-text.js';
import { confirmValidationTrust } from '../trust-prompt.js';

interface RunOptions extends AgentOptions {
  all?: boolean;
  validate?: string;
  maxEffort?: string;
  skipReadyCheck?: boolean;
  maxAttempts?: number;
  integrate: string;
  remote?: string;
  commitPrefix?: string;
  maxActions?: number;
  maxConsecutiveFailures?: number;
  validateTimeout?: number;
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

interface RunView {
  progress: ((message: string) => void) | undefined;
  action?: ((action: RunAllAction) => void) | undefined;
  one(result: PhaseRunResult, cleanedUp: readonly AbandonedRun[]): void;
  all(result: RunAllResult, cleanedUp: readonly AbandonedRun[]): void;
}

function wholeNumber(flag: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new CairnError('usage', `${flag} must be a whole number of at least ${min}, got '${value}'.`);
    }
    return n;
  };
}

function parseSeconds(flag: string): (value: string) => number {
  return (value) => {
    const seconds = Number(value);
    if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 2_000_000) {
      throw new CairnError('usage', `${flag} must be a number of seconds (0 for none), got '${value}'.`);
    }
    return Math.round(seconds * 1000);
  };
}

/** The exit code of one phase run: 0 when it did what it should (deferral included), 130 interrupted, else 1. */
export function phaseRunExitCode(result: PhaseRunResult): number {
  switch (result.status) {
    case 'integrated':
    case 'committed':
    case 'pushed':
    case 'deferred':
    case 'dry-run':
      return 0;
    case 'interrupted':
      return signalExitCode(result.interruptedBy ?? 'SIGINT');
    default:
      return 1;
  }
}

function short(commit: string | null): string {
  return commit === null ? '' : commit.slice(0, 12);
}

/** `Validated with: <command>`, and on which attempt when it took more than one. */
function validatedLine(result: PhaseRunResult): string {
  const attempt = result.attempts.length > 1 ? ` (attempt ${result.attempts.length})` : '';
  return `Validated with: ${result.validationCommand ?? '(none)'}${attempt}\n`;
}

function phaseText(io: Io, result: PhaseRunResult, next: NextCommands, validate: string | undefined): void {
  printWarnings(io, result.warnings);
  for (const attempt of result.attempts) {
    if (attempt.outcome !== 'green') io.stderr(`Attempt ${attempt.attempt} failed: ${attempt.reason}\n`);
  }
  switch (result.status) {
    case 'dry-run':
      io.stdout(
        `Dry run: ${result.reason}\n` +
          `  phase:       ${result.phase} (${result.phaseFile})\n` +
          `  effort:      ${result.effort ?? '(agent default)'}\n` +
          `  agent:       ${result.agentArgv?.map(shellWord).join(' ') ?? '(none)'}\n` +
          `  validation:  ${result.validationCommand ?? '(none)'}\n` +
          `  branch:      ${result.branch ?? '(none)'}\n` +
          `  integration: ${result.integration?.detail ?? '(none)'}\n` +
          'Nothing was changed.\n',
      );
      return;
    case 'integrated':
      io.stdout(`Phase ${result.phase} of ${result.slug} is done: ${result.integration?.detail ?? ''}.\n`);
      io.stdout(validatedLine(result));
      io.stdout(result.nextPhase === null ? `${result.slug} is done: every phase is complete.\n` : `Next phase: ${result.nextPhase} (run \`${next.cairn('run', [result.slug], true)}${validate === undefined ? '' : ` --validate ${shellWord(validate)}`}\`).\n`);
      return;
    case 'committed':
      io.stdout(`Phase ${result.phase} of ${result.slug} is committed on branch ${result.branch ?? '?'} (${short(result.commit)}).\n`);
      io.stdout(validatedLine(result));
      if (result.integration !== null && result.integration.mode !== 'branch') io.stderr(`Not integrated: ${result.integration.detail}.\n`);
      if (result.integration?.mergeCommand) io.stdout(`To integrate it: ${result.integration.mergeCommand}\n`);
      return;
    case 'pushed':
      io.stdout(`Phase ${result.phase} of ${result.slug} is committed on branch ${result.branch ?? '?'} (${short(result.commit)}) and ${result.integration?.detail ?? 'pushed'}.\n`);
      io.stdout(validatedLine(result));
      return;
    case 'deferred': {
      const deferral = result.deferral;
      io.stdout(`Deferred: ${result.reason}\n`);
      if (deferral !== null) {
        io.stdout(`  cooldown until ${deferral.cooldownUntil ?? '-'}; wake up on ${deferral.wakeUpOn ?? '-'}\n`);
        if (deferral.awaitingHumanReview) io.stdout(`  ${result.slug} now awaits a human review: \`${next.cairn('review', [result.slug])}\`\n`);
      }
      return;
    }
    case 'interrupted':
      io.stderr(`Interrupted by ${result.interruptedBy ?? 'a signal'}: the agent was stopped and nothing was changed.\n`);
      return;
    case 'baseline-failed':
      io.stderr(`Error: ${asSentence(result.reason, result.slug)}\nHint: Fix the tests on your branch first; see \`${next.cairn('log', [result.slug])}\` for the validation output.\n`);
      return;
    default:
      io.stderr(`Error: ${asSentence(result.reason, result.slug)}\nHint: The attempts' diffs, agent output and validation output are in the run log: \`${next.cairn('log', [result.slug])}\`.\n`);
  }
}

function runText(io: Io, options: RunOptions, globals: GlobalOptions): RunView {
  const next = nextCommands(globals, options);
  return {
    progress: (message) => io.stderr(`${message}\n`),
    action: (action) => io.stderr(`[${action.kind}] ${action.slug} ${action.detail}: ${action.status} — ${action.reason}\n`),
    one: (result) => {
      phaseText(io, result, next, options.validate);
      const save = next.saveAgentHint();
      if (save !== null && result.status === 'integrated' && result.nextPhase !== null) io.stderr(`Hint: ${save}\n`);
    },
    all(result) {
      const count = (test: (action: RunAllAction) => boolean): number => result.actions.filter(test).length;
      const commits = result.actions.filter((action) => action.commit !== null).map((action) => `${action.slug}: ${short(action.commit)}`);
      io.stdout(
        `Ran ${result.actions.length} action${result.actions.length === 1 ? '' : 's'} (stopped: ${result.stoppedBecause}): ` +
          `${count((a) => a.kind === 'plan' && a.ok)} planning step${count((a) => a.kind === 'plan' && a.ok) === 1 ? '' : 's'}, ` +
          `${count((a) => a.kind === 'phase' && a.ok && a.status !== 'deferred')} phase${count((a) => a.kind === 'phase' && a.ok && a.status !== 'deferred') === 1 ? '' : 's'} done, ` +
          `${count((a) => a.status === 'deferred')} deferred, ${count((a) => !a.ok)} failed.\n`,
      );
      for (const action of result.actions) io.stdout(`  ${action.ok ? 'ok    ' : 'failed'} ${action.kind} ${action.slug} ${action.detail}: ${action.status}${action.ok ? '' : ` — ${action.reason}`}\n`);
      if (commits.length > 0) io.stdout(`Commits: ${commits.join(', ')}\n`);
      for (const waiting of result.awaitingReview) io.stdout(`Awaiting review (skipped): ${waiting.slug} — ${waiting.reason}; run \`${next.cairn('review', [waiting.slug])}\`\n`);
    },
  };
}

function runJson(io: Io): RunView {
  return {
    progress: undefined,
    one: (result, cleanedUp) =>
      printJson(io, 'run', { mode: 'one', phase: phaseRunJson(result), actions: [], awaiting_review: [], stopped_because: null, cleaned_up: cleanedUpJson(cleanedUp) }),
    all: (result, cleanedUp) =>
      printJson(io, 'run', {
        mode: 'all',
        phase: null,
        actions: result.actions.map(runActionJson),
        awaiting_review: result.awaitingReview,
        stopped_because: result.stoppedBecause,
        cleaned_up: cleanedUpJson(cleanedUp),
      }),
  };
}

function parseIntegrate(value: string): IntegrateMode {
  if ((INTEGRATE_MODES as readonly string[]).includes(value)) return value as IntegrateMode;
  throw new CairnError('usage', `--integrate must be one of ${INTEGRATE_MODES.join(', ')}, got '${value}'.`);
}

function parseMaxEffort(value: string | undefined): Effort | null {
  if (value === undefined) return null;
  if (isEffort(value)) return value;
  throw new CairnError('usage', `--max-effort must be one of ${EFFORTS.join(', ')}, got '${value}'.`);
}

/** The validation command to run: `--validate`, else the config's once trusted (asking on a terminal). */
async function validationFor(context: ProjectContext, io: Io, flag: string | undefined, dryRun: boolean, slug: string | undefined): Promise<{ command: string; source: string } | null> {
  const resolved = await resolveValidationCommand({ flag: flag ?? null, config: context.config, repoRoot: context.repoRoot, env: process.env });
  if (resolved === null) return null;
  if (resolved.trusted || dryRun) return { command: resolved.command, source: resolved.source };
  if (await confirmValidationTrust(io, resolved)) return { command: resolved.command, source: resolved.source };
  throw untrustedCommandError(resolved, slug);
}

export const runCommand = defineCommand<[string | undefined], RunOptions, RunView>({
  name: 'run',
  description: "carry out the current phase of a migration in its own git worktree, gated by the project's tests (or with --all, all eligible work)",
  arguments: [{ name: '[slug-or-path]', description: 'migration slug, or its directory under the migrations dir (omit with --all)' }],
  options: [
    { flags: '--all', description: 'keep doing the next eligible work (planning steps and phases, in `cairn ready` order) until none is left' },
    ...AGENT_OPTIONS,
    { flags: '--validate <command>', description: 'the validation command (run with sh -c in the worktree); default: "validate" in .planning/config.json, once trusted' },
    { flags: '--validate-timeout <seconds>', description: 'stop the validation command after this long (default 3600; 0 = never)', parse: parseSeconds('--validate-timeout') },
    { flags: '--max-effort <effort>', description: 'defer a phase whose required effort is above this', choices: EFFORTS },
    { flags: '--skip-ready-check', description: "do not ask the agent whether the phase's precondition holds" },
    { flags: '--max-attempts <n>', description: `attempts before giving up (default ${DEFAULT_MAX_ATTEMPTS})`, parse: wholeNumber('--max-attempts', 1) },
    { flags: '--integrate <mode>', description: 'ff: fast-forward your branch when it is clean at the same commit; branch: leave the phase branch; push: push it to --remote', choices: INTEGRATE_MODES, default: 'ff' },
    { flags: '--remote <name>', description: 'the remote for --integrate push' },
    { flags: '--commit-prefix <prefix>', description: "the phase commit's subject prefix (default cairn)" },
    { flags: '--max-actions <n>', description: 'with --all: stop after this many actions', parse: wholeNumber('--max-actions', 1) },
    { flags: '--max-consecutive-failures <n>', description: 'with --all: stop after this many failures in a row (default 3)', parse: wholeNumber('--max-consecutive-failures', 1) },
    dryRunOption('show what would run (phase, agent, validation command, integration); change nothing'),
    { flags: '--commit', description: 'git-commit the migration directory after a published planning step or deferral' },
    formatOption(),
    LOCK_TIMEOUT_OPTION,
  ],
  views: { text: runText, json: runJson },
  examples: ['run my-migration', 'run --all --max-actions 5', "run my-migration --validate 'npm test' --integrate branch"],
  async run({ args: [target], options, io, project }, view) {
    if (options.all === true && target !== undefined) throw new CairnError('usage', 'Give either a migration or --all, not both.');
    if (options.all !== true && target === undefined) {
      throw new CairnError('usage', 'Which migration? Give its slug, or --all to run every eligible one.', { hint: 'Run `cairn ready` to see what can run.' });
    }
    if (options.integrate === 'push' && options.remote === undefined) {
      throw new CairnError('usage', '--integrate push needs --remote <name>', { hint: 'e.g. --integrate push --remote origin' });
    }
    if (options.remote !== undefined && options.integrate !== 'push') throw new CairnError('usage', '--remote is only used with --integrate push');
    const context = await project();
    const dryRun = options.dryRun === true;
    const agent = await agentChoice(options, context, io, !dryRun);
    const taste = await loadTaste(context.repoRoot);
    const validation = await validationFor(context, io, options.validate, dryRun, target);
    const commits = postPublishCommit(context, { commit: options.commit, dryRun });
    const phaseOptions: RunPhaseOptions = {
      agent,
      taste,
      validation,
      ...(options.validateTimeout !== undefined ? { validationTimeoutMs: options.validateTimeout } : {}),
      maxEffort: parseMaxEffort(options.maxEffort),
      skipReadyCheck: options.skipReadyCheck === true,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      integrate: parseIntegrate(options.integrate),
      remote: options.remote ?? null,
      commitPrefix: options.commitPrefix ?? 'cairn',
      dryRun,
      progress: view.progress,
    };
    if (options.all === true) {
      if (dryRun) throw new CairnError('usage', '--dry-run shows one migration\'s phase; run `cairn ready` to see what --all would do.');
      return withRunSession(context, io, { dryRun, lockTimeout: options.lockTimeout }, async (session) => {
        const result = await runAll({
          phase: phaseOptions,
          plan: { agent, taste },
          maxActions: options.maxActions ?? null,
          maxConsecutiveFailures: options.maxConsecutiveFailures ?? 3,
          contextFor: session.contextFor,
          liveRoot: context.liveRoot,
          repoRoot: context.repoRoot,
          reviewPolicy: context.reviewPolicy,
          afterPublish: (slug, operation) => commits.after(slug, operation),
          onAction: view.action,
        });
        view.all(result, session.cleanedUp);
        if (result.stoppedBecause === 'interrupted') return signalExitCode('SIGINT');
        return result.actions.some((action) => !action.ok) ? 1 : 0;
      });
    }
    if (options.maxActions !== undefined || options.maxConsecutiveFailures !== undefined) {
      throw new CairnError('usage', '--max-actions and --max-consecutive-failures go with --all');
    }
    return withPhaseSession(context, io, { target: target as string, dryRun, lockTimeout: options.lockTimeout }, async ({ ctx, cleanedUp }) => {
      const result = await runPhase(ctx, phaseOptions);
      if (result.status === 'deferred') commits.after(ctx.slug, 'migration.defer');
      printWarnings(io, ctx.log?.warnings ?? []);
      view.one(result, cleanedUp);
      return phaseRunExitCode(result);
    });
  },
});
