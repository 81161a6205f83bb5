import path from 'node:path';
import { postPublishCommit, agentChoice, printWarnings, withMigrationSession, type AgentOptions, type GlobalOptions, type Io } from '../../app/index.js';
import { CairnError, isCairnError, messageOf } from '../../util/index.js';
import { DEFAULT_MAX_READ_BYTES, readRegularTextSync } from '../../fs/index.js';
import { loadTaste, checkFeedback, refineMigration, type RefineFeedback, type PlanStepOutcome } from '../../planning/index.js';
import { stepJson } from '../../outputs/index.js';
import { defineCommand } from '../command.js';
import { readStdin } from '../stdin.js';
import { AGENT_OPTIONS, TARGET_ARGUMENT, publishingOptions } from '../options.js';
import { printJson } from '../output.js';
import { nextCommands } from '../next-command.js';
import { nextCommand, printNextLine, printStepText, stepExitCode } from '../step-text.js';
import type { RecoveryPlan } from '../../publish/index.js';

interface RefineOptions extends AgentOptions {
  message?: string;
  file?: string;
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

interface RefineView {
  /** Told when an agent starts. */
  progress?: (message: string) => void;
  refined(result: PlanStepOutcome, slug: string, repoRoot: string, commit: string | null, recovered: readonly RecoveryPlan[]): void;
}

/**
 * The feedback of `--message` or `--file` (`-` for stdin), read before anything else
 * (docs/format.md §9.6): exactly one of them; an unreadable file or blank text is a
 * usage error. The file is read as every file is (docs/security.md §2): a
 * regular file of at most 16 MiB, so a FIFO or a device cannot hang the command.
 */
export async function readFeedback(options: { message?: string; file?: string }, cwd: string): Promise<RefineFeedback> {
  if ((options.message === undefined) === (options.file === undefined)) {
    throw new CairnError('usage', 'Give the feedback with exactly one of --message <text> or --file <path>.');
  }
  let feedback: RefineFeedback;
  if (options.message !== undefined) {
    feedback = { text: options.message, source: 'message' };
  } else if (options.file === '-') {
    const text = await readStdin(DEFAULT_MAX_READ_BYTES, () => new CairnError('usage', `Could not read refinement feedback from stdin: more than ${DEFAULT_MAX_READ_BYTES} bytes`));
    feedback = { text: text.toString('utf8'), source: 'file' };
  } else {
    const file = path.resolve(cwd, options.file as string);
    try {
      feedback = { text: readRegularTextSync(file), source: 'file' };
    } catch (error) {
      throw new CairnError('usage', `Could not read refinement feedback file: ${file}: ${messageOf(error)}`, { path: file });
    }
  }
  checkFeedback(feedback.text);
  return feedback;
}

/**
 * The exit code of an error of the refine step (docs/format.md §9.6): a lock
 * timeout exits 3; a refusal (`not-refinable`) and any other error exit 1.
 */
function refineStepError(error: unknown): unknown {
  if (!isCairnError(error) || error.code === 'not-refinable' || error.code === 'lock-timeout' || error.exitCode === 1) return error;
  return new CairnError(error.code, error.message, {
    exitCode: 1,
    cause: error,
    ...(error.hint !== undefined ? { hint: error.hint } : {}),
    ...(error.path !== undefined ? { path: error.path } : {}),
  });
}

function refineText(io: Io, options: RefineOptions, globals: GlobalOptions): RefineView {
  const next = nextCommands(globals, options);
  return {
    progress: (message) => io.stderr(`${message}\n`),
    refined(result, slug, repoRoot, commit) {
      if (result.status === 'published') {
        io.stdout(`Refined ${slug}: ${result.reason}\n`);
        if (commit !== null) io.stdout(`Committed ${commit.slice(0, 12)}: cairn: ${slug}: ${result.operation}\n`);
        printNextLine(io, nextCommand(result, next), next);
        return;
      }
      printStepText(io, result, repoRoot, commit, next);
    },
  };
}

function refineJson(io: Io): RefineView {
  return {
    refined(result, slug, repoRoot, commit, recovered) {
      printJson(io, 'refine', { slug, status: result.status, steps: [stepJson(result, repoRoot, commit, recovered)] });
      if (stepExitCode(result) !== 0) io.stderr(`Error: ${result.reason}\n`);
    },
  };
}

export const refineCommand = defineCommand<[string], RefineOptions, RefineView>({
  name: 'refine',
  description: 'record feedback on a plan, reopen it for revision and run that one step',
  arguments: [TARGET_ARGUMENT],
  options: [
    { flags: '--message <text>', description: 'the feedback' },
    { flags: '--file <path>', description: "read the feedback from a file ('-' for stdin)" },
    ...AGENT_OPTIONS,
    ...publishingOptions('show the prompt the step would get; change nothing'),
  ],
  views: { text: refineText, json: refineJson },
  examples: ["refine my-migration --message 'split phase 2 into two phases'", 'refine my-migration --file feedback.md', 'refine my-migration --file - < feedback.md'],
  async run({ args: [target], options, io, project }, view) {
    const feedback = await readFeedback(options, process.cwd());
    const context = await project();
    const dryRun = options.dryRun === true;
    const commits = postPublishCommit(context, { commit: options.commit, dryRun });
    const agent = await agentChoice(options, context, io, !dryRun);
    const taste = await loadTaste(context.repoRoot);
    return withMigrationSession(context, io, { target, dryRun, lockTimeout: options.lockTimeout }, async ({ slug, ctx, recovered }) => {
      const result = await refineMigration(ctx, { agent, taste, dryRun, feedback, progress: view.progress }).catch((error: unknown) => {
        throw refineStepError(error);
      });
      const commit = result.status === 'published' ? commits.after(slug, result.operation) : null;
      printWarnings(io, ctx.log?.warnings ?? []);
      view.refined(result, slug, context.repoRoot, commit, recovered);
      return stepExitCode(result);
    });
  },
});
