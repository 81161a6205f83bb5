import { appendFileSync } from 'node:fs';
import { countLeftoverWorkspaces, doctorRun, JobsInput, parseWholeNumberFlag, SeverityInput, type DoctorProgress, type Io } from '../../app/index.js';
import type { ProjectContext } from '../../config/index.js';
import { SummaryCounter, doctorExitCode, type DoctorGroup, type DoctorSummary } from '../../consistency/index.js';
import { DOCTOR_FORMATS, createReporter, githubStepSummary, JSON_SCHEMA_VERSION, type DoctorFormat } from '../../outputs/index.js';
import type { Severity } from '../../migration/index.js';
import { CairnError, CAIRN_VERSION, messageOf } from '../../util/index.js';
import { defineCommand, type Views } from '../command.js';
import { formatOption } from '../options.js';
import { paint, permitWorkflowCommands } from '../output.js';

interface DoctorOptions {
  all?: boolean;
  format: DoctorFormat;
  severity: Severity;
  jobs?: number;
}

function jobsCount(value: string): number {
  return parseWholeNumberFlag(value, JobsInput, `--jobs takes a whole number from 1 to 64, not '${value}'.`);
}

/** Shows one run's groups as they are checked, then its summary, for the repository paths are reported against. */
type DoctorView = (repoRoot: string) => { group(group: DoctorGroup): void; end(summary: DoctorSummary): void };

function reporterView(format: DoctorFormat): (io: Io) => DoctorView {
  return (io) => (repoRoot) => {
    if (format === 'github') permitWorkflowCommands(io);
    const reporter = createReporter(format, {
      repoRoot,
      paint: (colour, text) => paint(io, colour, text),
      schemaVersion: JSON_SCHEMA_VERSION,
      toolVersion: CAIRN_VERSION,
    });
    const write = (text: string): void => {
      if (text !== '') io.stdout(text);
    };
    return { group: (group) => write(reporter.group(group)), end: (summary) => write(reporter.end(summary)) };
  };
}

/**
 * Progress on stderr while `--all` runs, only when stderr is a terminal. It
 * holds only counts and moves the cursor, so it is written straight to the
 * terminal rather than through the Io guard that makes control characters
 * visible.
 */
function progressReporter(): DoctorProgress | null {
  if (process.stderr.isTTY !== true) return null;
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (done !== total && now - last < 100) return;
      last = now;
      shown = true;
      process.stderr.write(`\rcairn doctor: checked ${done}/${total} migrations`);
    },
    clear() {
      if (shown) process.stderr.write('\r\u001b[K');
    },
  };
}

/**
 * A note on stderr about workspaces `cairn clean` would remove. They are no
 * finding (nothing is wrong, and no `--severity` makes them fail the run),
 * so no report format carries them.
 */
async function noteLeftovers(io: Io, project: () => Promise<ProjectContext>): Promise<void> {
  let count: number;
  try {
    count = await countLeftoverWorkspaces(await project());
  } catch {
    return;
  }
  if (count === 0) return;
  const what = count === 1 ? '1 workspace is' : `${count} workspaces are`;
  io.stderr(`Note: ${what} left under .planning/work/ by finished, failed or abandoned runs; \`cairn clean\` removes them.\n`);
}

/** With `--format github` in a GitHub Actions job, the summary also goes to the job's summary page. */
function appendStepSummary(io: Io, summary: DoctorSummary): void {
  const file = process.env['GITHUB_STEP_SUMMARY'];
  if (file === undefined || file === '') return;
  try {
    appendFileSync(file, githubStepSummary(summary));
  } catch (error) {
    io.stderr(`Warning: could not append the summary to $GITHUB_STEP_SUMMARY (${file}): ${messageOf(error)}\n`);
  }
}

export const doctorCommand = defineCommand<[string | undefined], DoctorOptions, DoctorView>({
  name: 'doctor',
  description: 'check migrations for consistency problems; read-only (exit 1 when a finding reaches --severity). Without an argument it checks everything, as --all does',
  arguments: [{ name: '[slug-or-path]', description: 'one migration, by slug or by its directory (omit to check everything)' }],
  options: [
    { flags: '--all', description: 'check every migration, the publish lock and leftover transactions (the default without an argument)' },
    formatOption(DOCTOR_FORMATS),
    { flags: '--severity <severity>', description: 'lowest finding severity that fails the run', choices: SeverityInput.options, default: 'error' },
    { flags: '--jobs <n>', description: 'threads that check migrations at once (default: up to 2, for 400 or more migrations whose files are cached)', parse: jobsCount },
  ],
  views: { text: reporterView('text'), ...Object.fromEntries(DOCTOR_FORMATS.map((format) => [format, reporterView(format)])) } as Views<DoctorOptions, DoctorView>,
  examples: ['doctor', 'doctor my-migration --format json', 'doctor --format github --severity warning --jobs 2'],
  async run({ args: [target], options, globals, io, project }, view) {
    if (target !== undefined && options.all === true) {
      throw new CairnError('usage', 'doctor takes either --all or <slug-or-path>, not both.', {
        hint: 'Run `cairn doctor` (or `cairn doctor --all`) to check everything, or `cairn doctor <slug>` for one migration.',
      });
    }
    const run = await doctorRun(target, globals, progressReporter(), options.jobs);
    const shown = view(run.repoRoot);
    const counter = new SummaryCounter(options.severity);
    for await (const group of run.groups) {
      counter.add(group);
      shown.group(group);
    }
    const summary = counter.result();
    shown.end(summary);
    if (options.format === 'github') appendStepSummary(io, summary);
    if (target === undefined) await noteLeftovers(io, project);
    return doctorExitCode(summary);
  },
});
