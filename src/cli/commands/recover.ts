import { recoverProject, type Io } from '../../app/index.js';
import { recoverExecutions, type ExecutionRecoveryReport } from '../../execution/index.js';
import { abandonedAgentLines, reapAbandonedRuns } from '../../planning/index.js';
import type { RecoveryReport } from '../../publish/index.js';
import { recoverReportJson } from '../../outputs/index.js';
import { defineCommand } from '../command.js';
import { LOCK_TIMEOUT_OPTION, dryRunOption, formatOption } from '../options.js';
import { printJson } from '../output.js';

function reportText(report: RecoveryReport, agentLines: readonly string[], runs: ExecutionRecoveryReport): string {
  const lines: string[] = [...agentLines];
  for (const done of runs.integrations) lines.push(`Interrupted integration (${done.action}): ${done.message}`);
  for (const run of runs.runs) lines.push(run.message);
  const verb = report.dryRun ? 'would' : 'did';
  for (const lock of report.reclaimedLocks) {
    lines.push(`Reclaimed stale publish lock${lock.owner?.lock_id ? ` ${lock.owner.lock_id}` : ''}: ${lock.reason}`);
  }
  if (report.lock !== null) {
    lines.push(
      report.lock.stale
        ? `Would reclaim the stale publish lock held by ${report.lock.holder}: ${report.lock.reason}`
        : `The publish lock is held by ${report.lock.holder}; recovery would wait for it`,
    );
  }
  for (const tomb of report.tombstones) lines.push(`${report.dryRun ? 'Would remove' : 'Removed'} lock tombstone ${tomb}`);
  for (const plan of report.plans) {
    const what = plan.action === 'leave' ? 'left alone' : `${verb} ${plan.action}`;
    lines.push(`${plan.txDir}${plan.slug === null ? '' : ` (${plan.slug})`}: ${what}: ${plan.reason}`);
    if (report.dryRun) for (const step of plan.steps) lines.push(`  - ${step}`);
  }
  if (lines.length === 0) return 'Nothing to recover.\n';
  return `${lines.join('\n')}\n`;
}

/** The report, and one line per agent process group that was stopped (or would be). */
type RecoverView = (report: RecoveryReport, agentLines: readonly string[], runs: ExecutionRecoveryReport) => void;

function recoverJson(io: Io): RecoverView {
  return (report, agentLines, runs) => {
    // The JSON document describes transactions and runs; stopped agents are notices.
    for (const line of agentLines) io.stderr(`${line}\n`);
    printJson(io, 'recover', recoverReportJson(report, runs));
  };
}

export const recoverCommand = defineCommand<[], { dryRun?: boolean; format: string; lockTimeout?: number }, RecoverView>({
  name: 'recover',
  description: 'finish or undo interrupted publish transactions and integrations and remove their leftovers; stop agents and remove worktrees left by a killed cairn',
  options: [dryRunOption('only say what recovery would do; take no lock, change nothing'), formatOption(), LOCK_TIMEOUT_OPTION],
  views: {
    text: (io) => (report, agentLines, runs) => io.stdout(reportText(report, agentLines, runs)),
    json: recoverJson,
  },
  examples: ['recover', 'recover --dry-run'],
  async run({ options, io, project }, show) {
    const context = await project();
    const dryRun = options.dryRun === true;
    const report = await recoverProject(context, io, { dryRun, lockTimeout: options.lockTimeout });
    const agents = await reapAbandonedRuns(context.repoRoot, null, { dryRun });
    const runs = await recoverExecutions({ repoRoot: context.repoRoot, liveRoot: context.liveRoot, lockTimeoutMs: options.lockTimeout ?? context.lockTimeoutMs, dryRun });
    show(report, abandonedAgentLines(context.repoRoot, agents, dryRun), runs);
    return 0;
  },
});
