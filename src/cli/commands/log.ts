import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { CairnError } from '../../util/errors.js';
import { LogLimitInput, parseWholeNumberFlag } from '../../app/inputs.js';
import { openStore, storePathFor } from '../../store/index.js';
import { DEFAULT_LOG_LIMIT, eventJson, logEntries, runJson } from '../../outputs/log.js';
import { action, type ExitHolder } from '../action.js';
import { projectContext } from '../context.js';
import { alignColumns, paint, printJson, type Io } from '../output.js';

function positiveInt(value: string): number {
  return parseWholeNumberFlag(value, LogLimitInput, `--limit takes a whole number of at least 1, not '${value}'.`);
}

export function registerLog(program: Command, io: Io, exit: ExitHolder): void {
  program
    .command('log')
    .description('show the local run log (agent runs) and events, newest first')
    .argument('[slug]', 'only this migration')
    .option('--step <step>', 'only runs of this planning step')
    .option('--failed', 'only runs that were not accepted')
    .option('--limit <n>', 'at most this many runs and events (default 20)', positiveInt)
    .option('--show <run-id>', "print one run in full: prompt hash, stdout and stderr")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      action(
        io,
        exit,
        async (
          slug: string | undefined,
          options: { step?: string; failed?: boolean; limit?: number; show?: string; format: string },
          command: Command,
        ) => {
          const context = await projectContext(command);
          const storePath = storePathFor(context.repoRoot);
          if (!existsSync(storePath)) {
            if (options.format === 'json') printJson(io, 'log', { runs: [], events: [] });
            else io.stdout('No local history yet: nothing has been run or published from this checkout.\n');
            return options.show === undefined ? 0 : 2;
          }
          const store = openStore(storePath, { readonly: true, quickCheck: false });
          try {
            if (options.show !== undefined) {
              const run = store.getRun(options.show);
              if (run === null) {
                throw new CairnError('not-found', `No run '${options.show}' in the local store.`, {
                  hint: 'Run `cairn log` to see run ids.',
                });
              }
              if (options.format === 'json') {
                printJson(io, 'log', { run: { ...runJson(run), stdout: run.stdout, stderr: run.stderr } });
              } else {
                const head = alignColumns([
                  ['Run', run.id],
                  ['Migration', run.slug],
                  ['Step', run.step],
                  ['Agent', [run.agent, run.model, run.effort].filter((part) => part !== null).join(' ')],
                  ['Started', run.startedAt],
                  ['Ended', run.endedAt ?? '(did not end)'],
                  ['Verdict', `${run.verdict ?? 'running'}${run.reason ? ` — ${run.reason}` : ''}`],
                  ['Exit', run.signal ? `signal ${run.signal}` : String(run.exitCode ?? '')],
                  ['Prompt sha256', run.promptSha256 ?? ''],
                ]);
                io.stdout(`${head.join('\n')}\n`);
                io.stdout(`\n--- stdout${run.stdoutTruncated ? ' (truncated)' : ''} ---\n${run.stdout ?? ''}`);
                if (!(run.stdout ?? '').endsWith('\n')) io.stdout('\n');
                io.stdout(`--- stderr${run.stderrTruncated ? ' (truncated)' : ''} ---\n${run.stderr ?? ''}`);
                if (!(run.stderr ?? '').endsWith('\n')) io.stdout('\n');
              }
              return 0;
            }
            const { runs, events } = logEntries(store, { slug, step: options.step, failedOnly: options.failed === true, limit: options.limit ?? DEFAULT_LOG_LIMIT });
            if (options.format === 'json') {
              printJson(io, 'log', { runs: runs.map(runJson), events: events.map(eventJson) });
              return 0;
            }
            io.stdout(paint(io, 'bold', `Agent runs (${runs.length})`) + '\n');
            if (runs.length === 0) io.stdout('  none\n');
            const runRows = runs.map((run) => [
              `  ${run.id}`,
              run.startedAt,
              run.slug,
              run.step,
              run.verdict ?? 'running',
              run.reason ?? '',
            ]);
            if (runRows.length > 0) io.stdout(`${alignColumns(runRows).join('\n')}\n`);
            if (!(options.failed || options.step)) {
              io.stdout(`\n${paint(io, 'bold', `Events (${events.length})`)}\n`);
              if (events.length === 0) io.stdout('  none\n');
              const eventRows = events.map((event) => [`  ${event.at}`, event.kind, event.slug ?? '', JSON.stringify(event.details)]);
              if (eventRows.length > 0) io.stdout(`${alignColumns(eventRows).join('\n')}\n`);
            }
            return 0;
          } finally {
            store.close();
          }
        },
      ),
    );
}
