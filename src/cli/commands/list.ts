import type { Command } from 'commander';
import { Option } from 'commander';
import { MigrationStatusInput } from '../../app/inputs.js';
import { filterRows, formatListTsv, type ListRow } from '../../planning/list.js';
import { listRowJson } from '../../outputs/list.js';
import { listMigrations } from '../../app/list-index.js';
import { action, type ExitHolder } from '../action.js';
import { projectContext } from '../context.js';
import { alignColumns, paint, printJson, type Io } from '../output.js';
import { openServices } from '../../app/services.js';

function listText(io: Io, rows: ListRow[], headers: boolean): string {
  if (rows.length === 0) return 'No migrations.\n';
  const table = rows.map((row) => [
    row.slug,
    row.status,
    row.cursor,
    row.awaitingReview ? 'awaiting review' : '',
    row.reason ?? '',
  ]);
  if (headers) table.unshift(['MIGRATION', 'STATUS', 'NEXT', 'REVIEW', 'REASON']);
  const lines = alignColumns(table);
  return (
    lines
      .map((line, i) => {
        const row = rows[headers ? i - 1 : i];
        if (row === undefined) return paint(io, 'bold', line);
        return row.blocked || row.status === 'invalid-manifest' ? paint(io, 'red', line) : line;
      })
      .join('\n') + '\n'
  );
}

export function registerList(program: Command, io: Io, exit: ExitHolder): void {
  program
    .command('list')
    .description('list the migrations with their status and next step')
    .addOption(new Option('--status <status>', 'only migrations with this status').choices(MigrationStatusInput.options))
    .option('--awaiting-review', 'only migrations awaiting a human review')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'tsv', 'json']).default('text'))
    .option('--no-headers', 'omit the header row (text and tsv)')
    .option('--no-index', "read every migration's files instead of the local index")
    .action(
      action(
        io,
        exit,
        async (
          options: { status?: string; awaitingReview?: boolean; format: string; headers: boolean; index: boolean },
          command: Command,
        ) => {
          const context = await projectContext(command);
          // The index lives in an initialised project's gitignored store only.
          const services = context.configPath !== null && options.index ? openServices(context, io) : null;
          let all: ListRow[];
          try {
            all = await listMigrations(context.liveRoot, context.repoRoot, services?.store ?? null);
          } finally {
            services?.close();
          }
          const rows = filterRows(all, { status: options.status, awaitingReview: options.awaitingReview });
          if (options.format === 'json') printJson(io, 'list', { live_root: context.liveRoot, migrations: rows.map(listRowJson) });
          else if (options.format === 'tsv') io.stdout(formatListTsv(rows, { headers: options.headers }));
          else io.stdout(listText(io, rows, options.headers));
          return 0;
        },
      ),
    );
}
