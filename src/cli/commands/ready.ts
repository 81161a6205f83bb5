import { readyWork, type GlobalOptions, type Io } from '../../app/index.js';
import type { ReadyItem, ReadyKind } from '../../planning/index.js';
import { defineCommand } from '../command.js';
import { formatOption } from '../options.js';
import { nextCommands } from '../next-command.js';
import { alignColumns, paint, printJson } from '../output.js';

const HEADINGS: Record<ReadyKind, string> = {
  plan: 'Planning steps to run',
  review: 'Reviews awaiting a human',
  phase: 'Phases ready to start',
};

function readyText(io: Io, items: ReadyItem[], globals: GlobalOptions): string {
  const next = nextCommands(globals);
  if (items.length === 0) return 'Nothing to do: no planning step, review or phase is ready.\n';
  const out: string[] = [];
  for (const kind of ['plan', 'review', 'phase'] as const) {
    const group = items.filter((item) => item.kind === kind);
    if (group.length === 0) continue;
    if (out.length > 0) out.push('');
    out.push(paint(io, 'bold', `${HEADINGS[kind]} (${group.length})`));
    out.push(...alignColumns(group.map((item) => ['  ' + item.slug, item.file ?? item.detail, next.carry(item.command)])));
  }
  return `${out.join('\n')}\n`;
}

type ReadyView = (items: ReadyItem[]) => void;

export const readyCommand = defineCommand<[], { format: string }, ReadyView>({
  name: 'ready',
  description: 'list the work that can be done now: planning steps to run, reviews awaiting a human, phases ready to start',
  options: [formatOption()],
  views: {
    text: (io, _options, globals) => (items) => io.stdout(readyText(io, items, globals)),
    json: (io) => (items) => printJson(io, 'ready', { items }),
  },
  examples: ['ready', 'ready --format json'],
  async run({ project }, show) {
    show(await readyWork(await project()));
    return 0;
  },
});
