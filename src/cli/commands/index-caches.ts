import { indexProject, type DigestSkipReason, type IndexReport, type Io } from '../../app/index.js';
import { indexReportJson } from '../../outputs/index.js';
import { plural } from '../../util/index.js';
import { defineCommand } from '../command.js';
import { formatOption } from '../options.js';
import { printJson } from '../output.js';

interface IndexOptions {
  format: string;
}

type IndexView = (report: IndexReport) => void;

const SKIP_WORDS: Record<DigestSkipReason, string> = {
  'sums-unreadable': 'unreadable .planning/sums',
  outside: 'outside the migration',
  missing: 'missing',
  symlink: 'symlink',
  'not-regular': 'not a regular file',
  unreadable: 'unreadable',
};

function indexText(io: Io): IndexView {
  return (report) => {
    const { digests } = report;
    const lines = [`List index: ${plural(report.listRows, 'migration')}, ${report.listRefreshed} refreshed.`];
    const racy = digests.racy > 0 ? ` (${digests.racy} changed in the last 2 s: run \`cairn index\` again for doctor to use them)` : '';
    lines.push(`Stage output digests: ${digests.recorded} recorded${racy}, ${digests.fresh} already fresh, ${digests.removed} removed.`);
    const skips = (Object.keys(SKIP_WORDS) as DigestSkipReason[]).filter((reason) => digests.skipped[reason] > 0);
    if (skips.length > 0) {
      lines.push(`Skipped (doctor checks these itself): ${skips.map((reason) => `${digests.skipped[reason]} ${SKIP_WORDS[reason]}`).join(', ')}.`);
    }
    io.stdout(`${lines.join('\n')}\n`);
  };
}

export const indexCommand = defineCommand<[], IndexOptions, IndexView>({
  name: 'index',
  description:
    "refresh the local store's caches: the list index and the verified digests of stage outputs, which let doctor skip unchanged files; run it after a pull",
  options: [formatOption()],
  views: { text: indexText, json: (io) => (report) => printJson(io, 'index', indexReportJson(report)) },
  examples: ['index', 'index --format json'],
  async run({ io, project }, show) {
    const context = await project();
    show(await indexProject(context, io));
    return 0;
  },
});
