import { postPublishCommit, printWarnings, withMigrationSession, type Io } from '../../app/index.js';
import { completePhase, type PhaseDoneResult } from '../../planning/index.js';
import { publishResultJson, recoveryPlanJson } from '../../outputs/index.js';
import { defineCommand, defineGroup } from '../command.js';
import { TARGET_ARGUMENT, publishingOptions } from '../options.js';
import { printJson } from '../output.js';
import { printPublishText, publishExitCode } from '../publish-text.js';
import type { RecoveryPlan } from '../../publish/index.js';

interface PhaseDoneOptions {
  phase?: string;
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

type PhaseDoneView = (done: PhaseDoneResult, slug: string, commit: string | null, repoRoot: string, recovered: readonly RecoveryPlan[]) => void;

function phaseDoneText(io: Io): PhaseDoneView {
  return (done, slug, commit, repoRoot) => {
    const after = done.nextPhase === null ? `${slug} is done: every phase is complete.` : `current phase: ${done.nextPhase}.`;
    const text = done.publish.dryRun
      ? `Dry run: would mark phase ${done.phase} of ${slug} done; ${after}`
      : `Phase ${done.phase} of ${slug} is done; ${after}` +
        (commit === null ? '' : `\nCommitted ${commit.slice(0, 12)}: cairn: ${slug}: migration.phase-done`);
    printPublishText(io, done.publish, text, repoRoot);
  };
}

function phaseDoneJson(io: Io): PhaseDoneView {
  return (done, slug, commit, _repoRoot, recovered) =>
    printJson(io, 'phase-done', {
      slug,
      phase: done.phase,
      next_phase: done.nextPhase,
      status: done.status,
      commit,
      recovered: recovered.map(recoveryPlanJson),
      result: publishResultJson(done.publish),
    });
}

const phaseDoneCommand = defineCommand<[string], PhaseDoneOptions, PhaseDoneView>({
  name: 'done',
  description: 'mark the current phase done and move to the next one (status done after the last), through publish',
  arguments: [TARGET_ARGUMENT],
  options: [
    { flags: '--phase <name>', description: 'the phase being completed; must be the current one (phases complete in order)' },
    ...publishingOptions('check everything and show what would change; change nothing'),
  ],
  views: { text: phaseDoneText, json: phaseDoneJson },
  examples: ['phase done my-migration', 'phase done my-migration --phase extract-interface --commit'],
  async run({ args: [target], options, io, project }, show) {
    const context = await project();
    const dryRun = options.dryRun === true;
    const commits = postPublishCommit(context, { commit: options.commit, dryRun });
    return withMigrationSession(context, io, { target, dryRun, lockTimeout: options.lockTimeout }, async ({ slug, ctx, recovered }) => {
      const done = await completePhase(ctx, { phase: options.phase ?? null, dryRun });
      const commit = done.publish.status === 'published' ? commits.after(slug, 'migration.phase-done') : null;
      printWarnings(io, [...(ctx.log?.warnings ?? []), ...done.warnings]);
      show(done, slug, commit, context.repoRoot, recovered);
      return publishExitCode(done.publish);
    });
  },
});

export const phaseCommand = defineGroup({
  name: 'phase',
  description: 'work with the phases of a ready migration',
  commands: [phaseDoneCommand],
  examples: ['phase done my-migration'],
});
