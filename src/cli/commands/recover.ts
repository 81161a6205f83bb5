import { recoverProject } from '../../app/index.js';
import type { RecoveryReport } from '../../publish/index.js';
import { recoverReportJson } from '../../outputs/index.js';
import { defineCommand } from '../command.js';
import { LOCK_TIMEOUT_OPTION, dryRunOption, formatOption } from '../options.js';
import { printJson } from '../output.js';

function reportText(report: RecoveryReport): string {
  const lines: string[] = [];
  const verb = report.dryRun ? 'would' : 'did';
  for (const lock of report.reclaimedLocks) {
    lines.push(`reclaimed stale publish lock${lock.owner?.lock_id ? ` ${lock.owner.lock_id}` : ''}: ${lock.reason}`);
  }
  if (report.lock !== null) {
    lines.push(
      report.lock.stale
        ? `would reclaim the stale publish lock held by ${report.lock.holder}: ${report.lock.reason}`
        : `the publish lock is held by ${report.lock.holder}; recovery would wait for it`,
    );
  }
  for (const tomb of report.tombstones) lines.push(`${report.dryRun ? 'would remove' : 'removed'} lock tombstone ${tomb}`);
  for (const plan of report.plans) {
    const what = plan.action === 'leave' ? 'left alone' : `${verb} ${plan.action}`;
    lines.push(`${plan.txDir}${plan.slug === null ? '' : ` (${plan.slug})`}: ${what}: ${plan.reason}`);
    if (report.dryRun) for (const step of plan.steps) lines.push(`  - ${step}`);
  }
  if (lines.length === 0) return 'Nothing to recover.\n';
  return `${lines.join('\n')}\n`;
}

type RecoverView = (report: RecoveryReport) => void;

export const recoverCommand = defineCommand<[], { dryRun?: boolean; format: string; lockTimeout?: number }, RecoverView>({
  name: 'recover',
  description: 'finish or undo interrupted publish transactions and remove their leftovers',
  options: [dryRunOption('only say what recovery would do; take no lock, change nothing'), formatOption(), LOCK_TIMEOUT_OPTION],
  views: {
    text: (io) => (report) => io.stdout(reportText(report)),
    json: (io) => (report) => printJson(io, 'recover', recoverReportJson(report)),
  },
  async run({ options, io, project }, show) {
    show(await recoverProject(await project(), io, { dryRun: options.dryRun === true, lockTimeout: options.lockTimeout }));
    return 0;
  },
});
