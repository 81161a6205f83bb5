import path from 'node:path';
import { postPublishCommit, parseStepName, printWarnings, withMigrationSession, type GlobalOptions, type Io } from '../../app/index.js';
import { CairnError, messageOf } from '../../util/index.js';
import { MAX_STEP_OUTPUT_BYTES, stepOutputTooLarge } from '../../agent/index.js';
import { FileTooLargeError, readRegularFileSync } from '../../fs/index.js';
import { acceptManualOutput, type StepRunResult } from '../../planning/index.js';
import { stepJson } from '../../outputs/index.js';
import { defineCommand } from '../command.js';
import { readStdin, stdinIsGiven } from '../stdin.js';
import { TARGET_ARGUMENT, publishingOptions } from '../options.js';
import { printJson } from '../output.js';
import { printDryRunLines } from '../publish-text.js';
import { nextCommands } from '../next-command.js';
import { nextCommand, printNextLine, printStepText, stepExitCode } from '../step-text.js';
import type { RecoveryPlan } from '../../publish/index.js';
import { STEPS } from '../../migration/index.js';

interface AcceptOptions {
  step: string;
  file?: string;
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

type AcceptView = (result: StepRunResult, slug: string, repoRoot: string, commit: string | null, recovered: readonly RecoveryPlan[]) => void;

/**
 * Reads the step's output from a regular file, or from stdin for `-`, at
 * most the step output cap of it: a longer output is refused before
 * anything is published.
 */
async function readOutput(source: string, cwd: string): Promise<string> {
  if (source === '-') return (await readStdin(MAX_STEP_OUTPUT_BYTES, () => stepOutputTooLarge('stdin', MAX_STEP_OUTPUT_BYTES + 1, true))).toString('utf8');
  const file = path.resolve(cwd, source);
  try {
    return readRegularFileSync(file, { maxBytes: MAX_STEP_OUTPUT_BYTES }).toString('utf8');
  } catch (error) {
    if (error instanceof FileTooLargeError) throw stepOutputTooLarge(file, error.size);
    throw new CairnError('usage', `Could not read the step output ${file}: ${messageOf(error)}`, { path: file });
  }
}

const NO_OUTPUT = "No step output given: pass --file <path>, or '-' to read it from stdin (or pipe it in).";

/** Where the output comes from: `--file <path>`, `-` for stdin, or null for stdin that was piped in without `-`. */
function outputSource(source: string | undefined, file: string | undefined): string | null {
  if (source !== undefined && source !== '-') {
    throw new CairnError('usage', `Unexpected argument '${source}': give the output with --file <path>, or '-' for stdin.`);
  }
  if (source !== undefined && file !== undefined) throw new CairnError('usage', "Give the output once: --file <path> or '-', not both.");
  const from = file ?? source;
  if (from !== undefined) return from;
  // `echo out | cairn accept x --step review`: piped output needs no '-'.
  if (stdinIsGiven()) return null;
  throw new CairnError('usage', NO_OUTPUT);
}

/** The step output; stdin piped in without `-` must hold something, or no output was given. */
async function readGivenOutput(source: string | null, cwd: string): Promise<string> {
  if (source !== null) return readOutput(source, cwd);
  const text = await readOutput('-', cwd);
  if (text === '') throw new CairnError('usage', NO_OUTPUT);
  return text;
}

function acceptText(io: Io, _options: AcceptOptions, globals: GlobalOptions): AcceptView {
  const next = nextCommands(globals);
  return (result, slug, repoRoot, commit) => {
    if (result.status === 'dry-run' && result.publish !== null) {
      const outcome = result.outcome === null || result.outcome === 'completed' ? '' : ` (${result.outcome})`;
      const accepted = `Dry run: the output would be accepted as ${result.operation}${outcome} for ${slug}`;
      io.stdout(
        result.publish.status === 'published'
          ? `${accepted}, next step ${result.nextStep}; nothing was changed.\n`
          : `${accepted}, but the publish would be blocked: ${result.publish.reason}\nNothing was changed.\n`,
      );
      printDryRunLines(io, result.publish, repoRoot);
      return;
    }
    printStepText(io, result, repoRoot, commit, next);
    if (result.status === 'published') printNextLine(io, nextCommand(result, next), next);
  };
}

function acceptJson(io: Io): AcceptView {
  return (result, slug, repoRoot, commit, recovered) => {
    printJson(io, 'accept', { slug, status: result.status, steps: [stepJson(result, repoRoot, commit, recovered)] });
    if (stepExitCode(result) !== 0) io.stderr(`Error: ${result.reason}\n`);
  };
}

export const acceptCommand = defineCommand<[string, string | undefined], AcceptOptions, AcceptView>({
  name: 'accept',
  description: 'accept the output of a manual step prepared by `cairn plan --agent manual` and publish its workspace',
  arguments: [TARGET_ARGUMENT, { name: '[source]', description: "'-' to read the output from stdin (same as --file -)" }],
  options: [
    { flags: '--step <step>', description: `the step the output is for (must be the prepared one): ${STEPS.join(', ')}`, required: true },
    { flags: '--file <path>', description: "file holding the step's output ('-' for stdin; piped stdin is read without it)" },
    ...publishingOptions('validate the output and check the publish; change nothing'),
  ],
  views: { text: acceptText, json: acceptJson },
  examples: ['accept my-migration --step expand --file expand.md', 'accept my-migration --step expand - < expand.md'],
  async run({ args: [target, source], options, io, project }, show) {
    const step = parseStepName(options.step);
    const from = outputSource(source, options.file);
    const context = await project();
    const dryRun = options.dryRun === true;
    const commits = postPublishCommit(context, { commit: options.commit, dryRun });
    const stdout = await readGivenOutput(from, process.cwd());
    return withMigrationSession(context, io, { target, dryRun, lockTimeout: options.lockTimeout }, async ({ slug, ctx, recovered }) => {
      const result = await acceptManualOutput(ctx, { step, stdout, dryRun });
      const commit = result.status === 'published' ? commits.after(slug, result.operation) : null;
      printWarnings(io, ctx.log?.warnings ?? []);
      show(result, slug, context.repoRoot, commit, recovered);
      return stepExitCode(result);
    });
  },
});
