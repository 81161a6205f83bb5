import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { CairnError, messageOf } from '../../util/errors.js';
import { commitMigration, checkCanCommit } from '../../planning/commit.js';
import { acceptManualOutput } from '../../planning/engine-accept.js';
import { parseStepName } from '../../app/inputs.js';
import { action, type ExitHolder } from '../action.js';
import { projectContext } from '../context.js';
import { printJson, type Io } from '../output.js';
import { commandServices, engineContext, resolveTarget } from '../../app/engine-context.js';
import { stepJson } from '../../outputs/step.js';
import { nextCommand, printStepText, stepExitCode } from './plan.js';
import { dryRunLines, lockTimeoutOption } from './new.js';

interface AcceptOptions {
  step: string;
  file?: string;
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

/** Reads the step's output from a file, or from stdin for `-`. */
async function readOutput(source: string, cwd: string): Promise<string> {
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  const file = path.resolve(cwd, source);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CairnError('usage', `Could not read the step output ${file}: ${messageOf(error)}`, { path: file });
  }
}

export function registerAccept(program: Command, io: Io, exit: ExitHolder): void {
  program
    .command('accept')
    .description('accept the output of a manual step prepared by `cairn plan --agent manual` and publish its workspace')
    .argument('<slug-or-path>', 'migration slug, or its directory under the migrations dir')
    .argument('[source]', "'-' to read the output from stdin (same as --file -)")
    .requiredOption('--step <step>', 'the step the output is for (must be the prepared one)')
    .option('--file <path>', "file holding the step's output ('-' for stdin)")
    .option('--dry-run', 'validate the output and check the publish; change nothing')
    .option('--commit', 'git-commit the migration directory after the publish')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(lockTimeoutOption())
    .action(
      action(io, exit, async (target: string, source: string | undefined, options: AcceptOptions, cmd: Command) => {
        const step = parseStepName(options.step);
        if (source !== undefined && source !== '-') {
          throw new CairnError('usage', `Unexpected argument '${source}': give the output with --file <path>, or '-' for stdin.`);
        }
        if (source !== undefined && options.file !== undefined) throw new CairnError('usage', "Give the output once: --file <path> or '-', not both.");
        const from = options.file ?? source;
        if (from === undefined) throw new CairnError('usage', "No step output given: pass --file <path>, or '-' to read it from stdin.");
        const context = await projectContext(cmd);
        const dryRun = options.dryRun === true;
        if (options.commit === true && !dryRun) checkCanCommit(context.repoRoot);
        const stdout = await readOutput(from, process.cwd());
        const services = commandServices(context, io, dryRun);
        try {
          const slug = await resolveTarget(context, services, target, io, { dryRun, lockTimeout: options.lockTimeout });
          const ctx = engineContext(context, slug, services, options.lockTimeout);
          const result = await acceptManualOutput(ctx, { step, stdout, dryRun });
          const commit =
            result.status === 'published' && options.commit === true
              ? commitMigration(context.repoRoot, path.join(context.liveRoot, slug), slug, result.operation)
              : null;
          for (const warning of ctx.log?.warnings ?? []) io.stderr(`Warning: ${warning}\n`);
          if (options.format === 'json') {
            printJson(io, 'accept', { slug, status: result.status, steps: [stepJson(result, context.repoRoot, commit)] });
            if (result.status !== 'published') io.stderr(`Error: ${result.reason}\n`);
          } else if (result.status === 'dry-run' && result.publish !== null) {
            const outcome = result.outcome === null || result.outcome === 'completed' ? '' : ` (${result.outcome})`;
            io.stdout(`Dry run: the output would be accepted as ${result.operation}${outcome} for ${slug}, next step ${result.nextStep}; nothing was changed.\n`);
            io.stdout(`${dryRunLines(result.publish, context.repoRoot).join('\n')}\n`);
          } else {
            printStepText(io, result, context.repoRoot, commit);
            if (result.status === 'published') io.stdout(`Next: ${nextCommand(result)}\n`);
          }
          return stepExitCode(result);
        } finally {
          services.close();
        }
      }),
    );
}
