import { LogLimitInput, parseWholeNumberFlag, DEFAULT_LOG_LIMIT, LOG_STEPS, logEntries, logSlug, parseLogStep, preparedRun, readRunLog, runOfPrepared, type PreparedRun, type Io } from '../../app/index.js';
import { CairnError } from '../../util/index.js';
import type { EventRecord, RunRecord, RunSummary, Store } from '../../store/index.js';
import { eventJson, runJson, storeTime } from '../../outputs/index.js';
import { defineCommand } from '../command.js';
import { formatOption } from '../options.js';
import { alignColumns, paint, printJson } from '../output.js';

interface LogOptions {
  step?: string;
  failed?: boolean;
  limit?: number;
  show?: string;
  format: string;
}

interface LogView {
  /** There is no local store yet. */
  empty(): void;
  /** One run in full (`--show`). */
  run(run: RunRecord): void;
  entries(runs: RunSummary[], events: EventRecord[]): void;
}

function positiveInt(value: string): number {
  return parseWholeNumberFlag(value, LogLimitInput, `--limit takes a whole number of at least 1, not '${value}'.`);
}

function shownRun(store: Store, key: string, prepared: PreparedRun | null): RunRecord {
  let run = store.getRun(key);
  if (run === null && prepared !== null) {
    const id = runOfPrepared(store, prepared);
    if (id !== null) run = store.getRun(id);
  }
  if (run === null) {
    throw new CairnError('not-found', `No run '${key}' in the local store.`, {
      hint: 'Run `cairn log` to see run ids. --show takes a run log id (r-…), or the run id or workspace of a run whose directory is still under .planning/work/.',
    });
  }
  return run;
}

function logText(io: Io, options: LogOptions): LogView {
  return {
    empty: () => io.stdout('No local history yet: nothing has been run or published from this checkout.\n'),
    run(run) {
      const head = alignColumns([
        ['Run', run.id],
        ['Migration', run.slug],
        ['Step', run.step],
        ['Agent', [run.agent, run.model, run.effort].filter((part) => part !== null).join(' ')],
        ['Started', storeTime(run.startedAt)],
        ['Ended', run.endedAt === null ? '(did not end)' : storeTime(run.endedAt)],
        ['Verdict', `${run.verdict ?? 'running'}${run.reason ? ` — ${run.reason}` : ''}`],
        ['Exit', run.signal ? `signal ${run.signal}` : String(run.exitCode ?? '')],
        ['Prompt sha256', run.promptSha256 ?? ''],
      ]);
      io.stdout(`${head.join('\n')}\n`);
      io.stdout(`\n--- stdout${run.stdoutTruncated ? ' (truncated)' : ''} ---\n${run.stdout ?? ''}`);
      if (!(run.stdout ?? '').endsWith('\n')) io.stdout('\n');
      io.stdout(`--- stderr${run.stderrTruncated ? ' (truncated)' : ''} ---\n${run.stderr ?? ''}`);
      if (!(run.stderr ?? '').endsWith('\n')) io.stdout('\n');
    },
    entries(runs, events) {
      io.stdout(paint(io, 'bold', `Agent runs (${runs.length})`) + '\n');
      if (runs.length === 0) io.stdout('  none\n');
      const runRows = runs.map((run) => [`  ${run.id}`, storeTime(run.startedAt), run.slug, run.step, run.verdict ?? 'running', run.reason ?? '']);
      if (runRows.length > 0) io.stdout(`${alignColumns(runRows).join('\n')}\n`);
      if (!(options.failed || options.step)) {
        io.stdout(`\n${paint(io, 'bold', `Events (${events.length})`)}\n`);
        if (events.length === 0) io.stdout('  none\n');
        const eventRows = events.map((event) => [`  ${storeTime(event.at)}`, event.kind, event.slug ?? '', JSON.stringify(event.details)]);
        if (eventRows.length > 0) io.stdout(`${alignColumns(eventRows).join('\n')}\n`);
      }
    },
  };
}

function logJson(io: Io): LogView {
  return {
    empty: () => printJson(io, 'log', { runs: [], events: [] }),
    run: (run) => printJson(io, 'log', { run: { ...runJson(run), stdout: run.stdout, stderr: run.stderr } }),
    entries: (runs, events) => printJson(io, 'log', { runs: runs.map(runJson), events: events.map(eventJson) }),
  };
}

export const logCommand = defineCommand<[string | undefined], LogOptions, LogView>({
  name: 'log',
  description: 'show the local run log (agent runs) and events, newest first',
  arguments: [{ name: '[slug]', description: 'only this migration' }],
  options: [
    { flags: '--step <step>', description: `only runs of this step: ${LOG_STEPS.join(', ')}` },
    { flags: '--failed', description: 'only runs that were not accepted' },
    { flags: '--limit <n>', description: 'at most this many runs and events (default 20)', parse: positiveInt },
    { flags: '--show <run-id>', description: 'print one run in full: prompt hash, stdout and stderr (a run log id r-…, or a planning run id / workspace directory)' },
    formatOption(),
  ],
  views: { text: logText, json: logJson },
  examples: ['log my-migration', 'log my-migration --step validate --failed', 'log --show <run-id>'],
  async run({ args: [target], options, project }, view) {
    const context = await project();
    const slug = target === undefined ? undefined : logSlug(context, target);
    if (options.step !== undefined) parseLogStep(options.step);
    // A planning run id or workspace: found through its run record while the run directory is kept.
    const prepared = options.show === undefined || options.show.startsWith('r-') ? null : await preparedRun(context, options.show);
    const log = readRunLog(context, (store) =>
      options.show === undefined
        ? logEntries(store, { slug, step: options.step, failedOnly: options.failed === true, limit: options.limit ?? DEFAULT_LOG_LIMIT })
        : { run: shownRun(store, options.show, prepared) },
    );
    if (log === null) {
      view.empty();
      return options.show === undefined ? 0 : 2;
    }
    if ('run' in log) view.run(log.run);
    else view.entries(log.runs, log.events);
    return 0;
  },
});
