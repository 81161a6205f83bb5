import type { Command } from 'commander';
import { openServices } from '../../app/services.js';
import { Option } from 'commander';
import { recover, type RecoveryReport } from '../../publish/recovery.js';
import { recoverReportJson } from '../../outputs/recover.js';
import { action, type ExitHolder } from '../action.js';
import { projectContext } from '../context.js';
import { printJson, type Io } from '../output.js';
import { lockTimeoutOption } from './new.js';

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

export function registerRecover(program: Command, io: Io, exit: ExitHolder): void {
  program
    .command('recover')
    .description('finish or undo interrupted publish transactions and remove their leftovers')
    .option('--dry-run', 'only say what recovery would do; take no lock, change nothing')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(lockTimeoutOption())
    .action(
      action(io, exit, async (options: { dryRun?: boolean; format: string; lockTimeout?: number }, command: Command) => {
        const context = await projectContext(command);
        const services = options.dryRun ? null : openServices(context, io);
        const report = await recover(context.liveRoot, {
          dryRun: options.dryRun === true,
          lockTimeoutMs: options.lockTimeout ?? context.lockTimeoutMs,
          ...(services?.recorder !== undefined ? { recorder: services.recorder } : {}),
        }).finally(() => services?.close());
        if (options.format === 'json') printJson(io, 'recover', recoverReportJson(report));
        else io.stdout(reportText(report));
        return 0;
      }),
    );
}
