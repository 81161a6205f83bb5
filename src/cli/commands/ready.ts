import type { Command } from 'commander';
import { Option } from 'commander';
import { listReadyWork, type ReadyItem, type ReadyKind } from '../../planning/ready.js';
import { action, type ExitHolder } from '../action.js';
import { projectContext } from '../context.js';
import { alignColumns, paint, printJson, type Io } from '../output.js';

const HEADINGS: Record<ReadyKind, string> = {
  plan: 'Planning steps to run',
  review: 'Reviews awaiting a human',
  phase: 'Phases ready to start',
};

function readyText(io: Io, items: ReadyItem[]): string {
  if (items.length === 0) return 'Nothing to do: no planning step, review or phase is ready.\n';
  const out: string[] = [];
  for (const kind of ['plan', 'review', 'phase'] as const) {
    const group = items.filter((item) => item.kind === kind);
    if (group.length === 0) continue;
    if (out.length > 0) out.push('');
    out.push(paint(io, 'bold', `${HEADINGS[kind]} (${group.length})`));
    out.push(...alignColumns(group.map((item) => ['  ' + item.slug, item.file ?? item.detail, item.command])));
  }
  return `${out.join('\n')}\n`;
}

export function registerReady(program: Command, io: Io, exit: ExitHolder): void {
  program
    .command('ready')
    .description('list the work that can be done now: planning steps to run, reviews awaiting a human, phases ready to start')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      action(io, exit, async (options: { format: string }, command: Command) => {
        const context = await projectContext(command);
        const items = await listReadyWork({ liveRoot: context.liveRoot, repoRoot: context.repoRoot, reviewPolicy: context.reviewPolicy });
        if (options.format === 'json') printJson(io, 'ready', { items });
        else io.stdout(readyText(io, items));
        return 0;
      }),
    );
}
