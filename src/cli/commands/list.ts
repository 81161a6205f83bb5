import { listProject, type Io } from '../../app/index.js';
import { MIGRATION_STATUSES } from '../../migration/index.js';
import { formatListTsv, shownListRow, type ListRow } from '../../planning/index.js';
import { listRowJson } from '../../outputs/index.js';
import { warnInterruptedPublishes } from '../interrupted-publish.js';
import { defineCommand } from '../command.js';
import { formatOption } from '../common-options.js';
import { alignColumns, paint, printJson } from '../output.js';

interface ListOptions {
  status?: string[];
  awaitingReview?: boolean;
  format: string;
  headers: boolean;
  index: boolean;
}

type ListView = (rows: ListRow[], liveRoot: string) => void;

function filtered(options: ListOptions): boolean {
  return options.status !== undefined || options.awaitingReview === true;
}

function listText(io: Io, options: ListOptions): ListView {
  return (listed) => {
    const rows = listed.map(shownListRow);
    if (rows.length === 0) return io.stdout(filtered(options) ? 'No migrations match the filter.\n' : 'No migrations.\n');
    const table = rows.map((row) => [row.slug, row.status, row.cursor, row.awaitingReview ? 'awaiting review' : '', row.reason ?? '']);
    if (options.headers) table.unshift(['MIGRATION', 'STATUS', 'NEXT', 'REVIEW', 'REASON']);
    const lines = alignColumns(table).map((line, i) => {
      const row = rows[options.headers ? i - 1 : i];
      if (row === undefined) return paint(io, 'bold', line);
      return row.blocked || row.status === 'invalid-manifest' ? paint(io, 'red', line) : line;
    });
    io.stdout(`${lines.join('\n')}\n`);
  };
}

export const listCommand = defineCommand<[], ListOptions, ListView>({
  name: 'list',
  description: 'list the migrations with their status and next step',
  options: [
    { flags: '--status <status...>', description: 'only migrations with one of these statuses', choices: [...MIGRATION_STATUSES] },
    { flags: '--awaiting-review', description: 'only migrations awaiting a human review' },
    formatOption(['text', 'tsv', 'json']),
    { flags: '--no-headers', description: 'omit the header row (text and tsv)' },
    { flags: '--no-index', description: "read every migration's files instead of the local index" },
  ],
  views: {
    text: listText,
    tsv: (io, options) => (rows) => io.stdout(formatListTsv(rows, { headers: options.headers })),
    json: (io) => (rows, liveRoot) => printJson(io, 'list', { live_root: liveRoot, migrations: rows.map(listRowJson) }),
  },
  examples: ['list', 'list --status planning ready --format json', 'list --awaiting-review'],
  async run({ options, io, globals, project }, show) {
    const context = await project();
    show(await listProject(context, io, { status: options.status, awaitingReview: options.awaitingReview, useIndex: options.index }), context.liveRoot);
    await warnInterruptedPublishes(io, context.liveRoot, globals);
    return 0;
  },
});
