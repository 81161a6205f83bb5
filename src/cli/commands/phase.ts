import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { commitMigration, checkCanCommit } from '../../planning/commit.js';
import { completePhase } from '../../planning/phases.js';
import { publishResultJson, recoveryPlanJson } from '../../outputs/publish-result.js';
import { action, type ExitHolder } from '../action.js';
import { projectContext } from '../context.js';
import { printJson, type Io } from '../output.js';
import { lockTimeoutOption, reportPublish } from './new.js';
import { commandServices, engineContext, resolveTarget } from '../../app/engine-context.js';

interface PhaseDoneOptions {
  phase?: string;
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

export function registerPhase(program: Command, io: Io, exit: ExitHolder): void {
  const phase = program.command('phase').description('work with the phases of a ready migration');
  phase
    .command('done')
    .description('mark the current phase done and move to the next one (status done after the last), through publish')
    .argument('<slug-or-path>', 'migration slug, or its directory under the migrations dir')
    .option('--phase <name>', 'the phase being completed; must be the current one (phases complete in order)')
    .option('--dry-run', 'check everything and show what would change; change nothing')
    .option('--commit', 'git-commit the migration directory after the publish')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(lockTimeoutOption())
    .action(
      action(io, exit, async (target: string, options: PhaseDoneOptions, cmd: Command) => {
        const context = await projectContext(cmd);
        const dryRun = options.dryRun === true;
        if (options.commit === true && !dryRun) checkCanCommit(context.repoRoot);
        const services = commandServices(context, io, dryRun);
        try {
          const slug = await resolveTarget(context, services, target, io, { dryRun, lockTimeout: options.lockTimeout });
          const ctx = engineContext(context, slug, services, options.lockTimeout);
          const done = await completePhase(ctx, { phase: options.phase ?? null, dryRun });
          const published = done.publish.status === 'published' && !dryRun;
          const commit =
            published && options.commit === true
              ? commitMigration(context.repoRoot, path.join(context.liveRoot, slug), slug, 'migration.phase-done')
              : null;
          for (const warning of [...(ctx.log?.warnings ?? []), ...done.warnings]) io.stderr(`Warning: ${warning}\n`);
          for (const plan of done.recovered) io.stderr(`Recovered an interrupted transaction (${plan.action}): ${plan.reason}\n`);
          if (options.format === 'json') {
            printJson(io, 'phase-done', {
              slug,
              phase: done.phase,
              next_phase: done.nextPhase,
              status: done.status,
              commit,
              recovered: done.recovered.map(recoveryPlanJson),
              result: publishResultJson(done.publish),
            });
            return done.publish.status === 'published' ? 0 : 1;
          }
          const after = done.nextPhase === null ? `${slug} is done: every phase is complete.` : `current phase: ${done.nextPhase}.`;
          const text = dryRun
            ? `Dry run: would mark phase ${done.phase} of ${slug} done; ${after}`
            : `Phase ${done.phase} of ${slug} is done; ${after}` +
              (commit === null ? '' : `\nCommitted ${commit.slice(0, 12)}: cairn: ${slug}: migration.phase-done`);
          return reportPublish(io, 'text', done.publish, text, context.repoRoot);
        } finally {
          services.close();
        }
      }),
    );
}
