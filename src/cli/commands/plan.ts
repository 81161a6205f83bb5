import { postPublishCommit, agentChoice, printWarnings, withMigrationSession, type AgentOptions, type GlobalOptions, type Io } from '../../app/index.js';
import { loadTaste, parseUntil, planUntil, type PlanStepOutcome } from '../../planning/index.js';
import { stepJson } from '../../outputs/index.js';
import { defineCommand } from '../command.js';
import { AGENT_OPTIONS, TARGET_ARGUMENT, publishingOptions } from '../options.js';
import { printJson } from '../output.js';
import { nextCommands, type NextCommands } from '../next-command.js';
import { nextCommand, printNextLine, printStepText, stepExitCode } from '../step-text.js';
import type { RecoveryPlan } from '../../publish/index.js';
import { STEPS } from '../../migration/index.js';

interface PlanOptions extends AgentOptions {
  until?: string;
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

interface PlanView {
  /** Told when an agent starts. */
  progress?: (message: string) => void;
  /** One step, as soon as it is done (and committed). */
  step(result: PlanStepOutcome, repoRoot: string, commit: string | null): void;
  /** Every step of the call, once the last is done. */
  end(slug: string, results: PlanStepOutcome[], repoRoot: string, commits: ReadonlyMap<PlanStepOutcome, string>, recovered: readonly RecoveryPlan[]): void;
}

function planText(io: Io, options: PlanOptions, globals: GlobalOptions): PlanView {
  const next: NextCommands = nextCommands(globals, options);
  return {
    progress: (message) => io.stderr(`${message}\n`),
    step: (result, repoRoot, commit) => printStepText(io, result, repoRoot, commit, next),
    end(slug, results) {
      const last = results[results.length - 1];
      if (last === undefined) {
        io.stdout(`${options.until ?? ''} is already accepted for ${slug}; nothing was run.\n`);
        printNextLine(io, next.cairn('plan', [slug], true), next);
        return;
      }
      if (last.status === 'published') printNextLine(io, nextCommand(last, next), next);
    },
  };
}

function planJson(io: Io): PlanView {
  return {
    step: () => {},
    end(slug, results, repoRoot, commits, recovered) {
      const last = results[results.length - 1];
      if (last === undefined) {
        printJson(io, 'plan', { slug, status: 'already-accepted', steps: [] });
        return;
      }
      const steps = results.map((result, i) => stepJson(result, repoRoot, commits.get(result) ?? null, i === 0 ? recovered : []));
      printJson(io, 'plan', { slug, status: last.status, steps });
      if (stepExitCode(last) !== 0 && last.status !== 'dry-run') io.stderr(`Error: ${last.reason}\n`);
    },
  };
}

export const planCommand = defineCommand<[string], PlanOptions, PlanView>({
  name: 'plan',
  description: 'run the next planning step of a migration (exactly one, unless --until), then publish it',
  arguments: [TARGET_ARGUMENT],
  options: [
    ...AGENT_OPTIONS,
    { flags: '--until <step>', description: `keep going until this step has been accepted: ${[...STEPS, 'terminal'].join(', ')}` },
    ...publishingOptions('show the prompt and what would run; change nothing', 'git-commit the migration directory after each published step'),
  ],
  views: { text: planText, json: planJson },
  examples: ['plan my-migration', 'plan my-migration --until terminal --agent claude', 'plan my-migration --agent manual'],
  async run({ args: [target], options, io, project }, view) {
    const context = await project();
    const until = options.until === undefined ? null : parseUntil(options.until);
    const dryRun = options.dryRun === true;
    const commits = postPublishCommit(context, { commit: options.commit, dryRun });
    const agent = await agentChoice(options, context, io, !dryRun);
    const taste = await loadTaste(context.repoRoot);
    return withMigrationSession(context, io, { target, dryRun, lockTimeout: options.lockTimeout }, async ({ slug, ctx, recovered }) => {
      const committed = new Map<PlanStepOutcome, string>();
      const results = await planUntil(ctx, { agent, taste, dryRun, progress: view.progress }, until, (result) => {
        const commit = result.status === 'published' ? commits.after(slug, result.operation) : null;
        if (commit !== null) committed.set(result, commit);
        view.step(result, context.repoRoot, commit);
      });
      printWarnings(io, ctx.log?.warnings ?? []);
      view.end(slug, results, context.repoRoot, committed, recovered);
      const last = results[results.length - 1];
      return last === undefined ? 0 : stepExitCode(last);
    });
  },
});
