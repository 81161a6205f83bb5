import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { CairnError, messageOf } from '../../util/errors.js';
import { commitMigration, checkCanCommit } from '../../planning/commit.js';
import { loadTaste } from '../../planning/prompts.js';
import { checkFeedback, refineMigration, type RefineFeedback } from '../../planning/refine.js';
import { action, type ExitHolder } from '../action.js';
import { projectContext } from '../context.js';
import { printJson, type Io } from '../output.js';
import { lockTimeoutOption } from './new.js';
import { agentChoice, commandServices, engineContext, resolveTarget, type AgentOptions } from '../../app/engine-context.js';
import { stepJson } from '../../outputs/step.js';
import { addAgentOptions, nextCommand, printStepText, stepExitCode } from './plan.js';

interface RefineOptions extends AgentOptions {
  message?: string;
  file?: string;
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

/**
 * The feedback of `--message` or `--file`, read before anything else
 * (spec §5.5): exactly one of them; an unreadable file or blank text is a
 * usage error.
 */
export async function readFeedback(options: { message?: string; file?: string }, cwd: string): Promise<RefineFeedback> {
  if ((options.message === undefined) === (options.file === undefined)) {
    throw new CairnError('usage', 'Give the feedback with exactly one of --message <text> or --file <path>.');
  }
  let feedback: RefineFeedback;
  if (options.message !== undefined) {
    feedback = { text: options.message, source: 'message' };
  } else {
    const file = path.resolve(cwd, options.file as string);
    try {
      feedback = { text: await readFile(file, 'utf8'), source: 'file' };
    } catch (error) {
      throw new CairnError('usage', `could not read refinement feedback file: ${file}: ${messageOf(error)}`, { path: file });
    }
  }
  checkFeedback(feedback.text);
  return feedback;
}

/** The messages of refusals that are the caller's to fix (exit 2, spec §5.5); any other refine error exits 1. */
export const REFINE_USAGE_FRAGMENTS = [
  'cannot be refined',
  'only planning or unexecuted ready migrations',
  'already advanced',
  'missing .planning/state.json',
  'Cannot reopen planning state',
  'Planning state is terminal',
] as const;

function withRefineExitCode(error: unknown): unknown {
  if (!(error instanceof CairnError) || error.code === 'lock-timeout') return error;
  const usage = REFINE_USAGE_FRAGMENTS.some((fragment) => error.message.includes(fragment));
  const exitCode = usage ? 2 : 1;
  if (error.exitCode === exitCode) return error;
  return new CairnError(error.code, error.message, {
    exitCode,
    cause: error,
    ...(error.hint !== undefined ? { hint: error.hint } : {}),
    ...(error.path !== undefined ? { path: error.path } : {}),
  });
}

export function registerRefine(program: Command, io: Io, exit: ExitHolder): void {
  const command = program
    .command('refine')
    .description('record feedback on a plan, reopen it for revision and run that one step')
    .argument('<slug-or-path>', 'migration slug, or its directory under the migrations dir')
    .option('--message <text>', 'the feedback')
    .option('--file <path>', 'read the feedback from a file');
  addAgentOptions(command)
    .option('--dry-run', 'show the prompt the step would get; change nothing')
    .option('--commit', 'git-commit the migration directory after the publish')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(lockTimeoutOption())
    .action(
      action(io, exit, async (target: string, options: RefineOptions, cmd: Command) => {
        const feedback = await readFeedback(options, process.cwd());
        const context = await projectContext(cmd);
        const dryRun = options.dryRun === true;
        if (options.commit === true && !dryRun) checkCanCommit(context.repoRoot);
        const agent = await agentChoice(options, context, io);
        const taste = await loadTaste(context.repoRoot);
        const services = commandServices(context, io, dryRun);
        try {
          const slug = await resolveTarget(context, services, target, io, { dryRun, lockTimeout: options.lockTimeout });
          const ctx = engineContext(context, slug, services, options.lockTimeout);
          const json = options.format === 'json';
          const result = await refineMigration(ctx, {
            agent,
            taste,
            dryRun,
            feedback,
            progress: json ? undefined : (message) => io.stderr(`${message}\n`),
          }).catch((error: unknown) => {
            throw withRefineExitCode(error);
          });
          const commit =
            result.status === 'published' && options.commit === true
              ? commitMigration(context.repoRoot, path.join(context.liveRoot, slug), slug, result.operation)
              : null;
          for (const warning of ctx.log?.warnings ?? []) io.stderr(`Warning: ${warning}\n`);
          if (json) {
            printJson(io, 'refine', { slug, status: result.status, steps: [stepJson(result, context.repoRoot, commit)] });
            if (stepExitCode(result) !== 0) io.stderr(`Error: ${result.reason}\n`);
          } else if (result.status === 'published') {
            io.stdout(`Refined ${slug}: ${result.reason}\n`);
            if (commit !== null) io.stdout(`Committed ${commit.slice(0, 12)}: cairn: ${slug}: ${result.operation}\n`);
            io.stdout(`Next: ${nextCommand(result)}\n`);
          } else {
            printStepText(io, result, context.repoRoot, commit);
            if (result.publish?.reason.startsWith('stale base snapshot') === true) {
              io.stderr(`Live migration changed while refine was running. Run \`cairn doctor ${slug}\` if unsure, then rerun \`cairn refine ${slug} ...\`.\n`);
            }
          }
          return stepExitCode(result);
        } finally {
          services.close();
        }
      }),
    );
}
