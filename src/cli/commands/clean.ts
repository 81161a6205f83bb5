import { cleanWorkspaces, type CleanReport, type Io } from '../../app/index.js';
import { cleanReportJson } from '../../outputs/index.js';
import { plural } from '../../util/index.js';
import { defineCommand } from '../command.js';
import { dryRunOption, formatOption } from '../options.js';
import { alignColumns, printJson } from '../output.js';

interface CleanOptions {
  all?: boolean;
  dryRun?: boolean;
  format: string;
}

type CleanView = (report: CleanReport) => void;

/** The closing line: what was removed (or would be), what stayed. */
function summaryLine(report: CleanReport): string {
  const count = (action: string) => report.workspaces.filter((entry) => entry.action === action).length;
  const gone = report.dryRun ? count('would-remove') : count('removed');
  const parts = [report.dryRun ? `Dry run: would remove ${plural(gone, 'workspace')}` : `Removed ${plural(gone, 'workspace')}`];
  if (count('kept') > 0) parts.push(`kept ${count('kept')}`);
  if (count('failed') > 0) parts.push(`could not remove ${count('failed')}`);
  return `${parts.join('; ')}${report.dryRun ? '; nothing was changed' : ''}.`;
}

function cleanText(io: Io): CleanView {
  return (report) => {
    if (report.workspaces.length === 0) {
      io.stdout('No workspaces under .planning/work/.\n');
      return;
    }
    const rows = report.workspaces.map((entry) => [entry.action, entry.path, entry.reason]);
    io.stdout(`${alignColumns(rows).join('\n')}\n${summaryLine(report)}\n`);
  };
}

export const cleanCommand = defineCommand<[], CleanOptions, CleanView>({
  name: 'clean',
  description:
    'remove the workspaces under .planning/work/ of finished, failed and abandoned runs; never a live run, and manual runs only with --all',
  options: [
    { flags: '--all', description: 'also remove manual runs waiting for `cairn accept` or for the MCP tool finish_phase' },
    dryRunOption('list what would be removed; remove nothing'),
    formatOption(),
  ],
  views: { text: cleanText, json: (io) => (report) => printJson(io, 'clean', cleanReportJson(report)) },
  examples: ['clean', 'clean --dry-run', 'clean --all'],
  async run({ options, project }, show) {
    const context = await project();
    const report = await cleanWorkspaces(context, { dryRun: options.dryRun === true, all: options.all === true });
    show(report);
    return report.workspaces.some((entry) => entry.action === 'failed') ? 1 : 0;
  },
});
