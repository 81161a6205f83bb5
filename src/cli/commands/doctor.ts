import path from 'node:path';
import { transactionIncompleteInspector } from '../../consistency/transaction-inspector.js';
import type { Command } from 'commander';
import { Option } from 'commander';
import { resolveProjectContext } from '../../config/context.js';
import { findProjectRoot } from '../../config/load.js';
import { CONFIG_RELATIVE_PATH } from '../../config/schema.js';
import {
  CONFIG_SLUG,
  DOCTOR_FORMATS,
  SummaryCounter,
  configFindings,
  createReporter,
  doctorAll,
  doctorExitCode,
  doctorMigration,
  type DoctorFormat,
  type DoctorGroup,
} from '../../consistency/index.js';
import type { Severity } from '../../migration/index.js';
import { CairnError, isCairnError } from '../../util/errors.js';
import { SeverityInput } from '../../app/inputs.js';
import { resolveMigrationTarget } from '../../planning/resolve.js';
import { resolvePath } from '../../util/paths.js';
import { CAIRN_VERSION } from '../../util/version.js';
import { action, type ExitHolder } from '../action.js';
import { globalOptions, type GlobalOptions } from '../context.js';
import { JSON_SCHEMA_VERSION, paint, type Io } from '../output.js';

interface DoctorOptions {
  all?: boolean;
  format: DoctorFormat;
  severity: Severity;
}

/**
 * When the project context fails on `.planning/config.json`, doctor reports
 * `config-invalid` instead of stopping. Returns null for any other error.
 */
async function configGroup(error: unknown, globals: GlobalOptions): Promise<DoctorGroup | null> {
  if (!isCairnError(error) || error.code !== 'invalid-config') return null;
  const repo = globals.repo;
  const found = repo !== undefined ? path.resolve(process.cwd(), repo) : await findProjectRoot(process.cwd());
  if (found === null) return null;
  const repoRoot = resolvePath(found);
  const configPath = path.join(repoRoot, CONFIG_RELATIVE_PATH);
  const findings = await configFindings(repoRoot, configPath);
  if (findings.length === 0) return null;
  return { slug: CONFIG_SLUG, path: configPath, kind: 'config', findings };
}

/** Tells how far `--all` has come. */
export interface DoctorProgress {
  update: (done: number, total: number) => void;
  clear: () => void;
}

/** Progress on stderr while `--all` runs, only when stderr is a terminal. */
function progressReporter(io: Io): DoctorProgress | null {
  if (process.stderr.isTTY !== true) return null;
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (done !== total && now - last < 100) return;
      last = now;
      shown = true;
      io.stderr(`\rcairn doctor: checked ${done}/${total} migrations`);
    },
    clear() {
      if (shown) io.stderr('\r\u001b[K');
    },
  };
}

/** What one doctor run checks: the repository it reports paths against and the groups, in order. */
export interface DoctorRun {
  repoRoot: string;
  groups: AsyncIterable<DoctorGroup>;
}

async function* single<T>(value: Promise<T>): AsyncGenerator<T> {
  yield await value;
}

async function* withProgress(groups: AsyncIterable<DoctorGroup>, clear: () => void): AsyncGenerator<DoctorGroup> {
  try {
    yield* groups;
  } finally {
    clear();
  }
}

/**
 * The groups `cairn doctor` checks: one migration (`target`) or, without a
 * target, every migration, the lock and leftover transactions. A project
 * whose `.planning/config.json` is invalid yields its `config-invalid`
 * finding instead of an error.
 */
export async function doctorRun(target: string | undefined, globals: GlobalOptions, progress: DoctorProgress | null): Promise<DoctorRun> {
  let context;
  try {
    context = await resolveProjectContext({ cwd: process.cwd(), repo: globals.repo, migrationsDir: globals.migrationsDir });
  } catch (error) {
    const group = await configGroup(error, globals);
    if (group === null) throw error;
    return { repoRoot: path.dirname(path.dirname(group.path)), groups: single(Promise.resolve(group)) };
  }
  const repoRoot = context.repoRoot;
  if (target !== undefined) {
    const resolved = resolveMigrationTarget(target, context.liveRoot, repoRoot);
    return { repoRoot, groups: single(doctorMigration(resolved, { repoRoot })) };
  }
  const groups = doctorAll({
    repoRoot,
    liveRoot: context.liveRoot,
    configPath: context.configPath ?? undefined,
    inspectTransactionDirs: transactionIncompleteInspector(context.liveRoot),
    onProgress: progress === null ? undefined : (done, total) => progress.update(done, total),
  });
  return { repoRoot, groups: progress === null ? groups : withProgress(groups, progress.clear) };
}

export function registerDoctor(program: Command, io: Io, exit: ExitHolder): void {
  program
    .command('doctor')
    .description('check migrations for consistency problems; read-only (exit 1 when a finding reaches --severity)')
    .argument('[slug-or-path]', 'one migration, by slug or by its directory')
    .option('--all', 'check every migration, the publish lock and leftover transactions')
    .addOption(new Option('--format <format>', 'output format').choices([...DOCTOR_FORMATS]).default('text'))
    .addOption(
      new Option('--severity <severity>', 'lowest finding severity that fails the run').choices(SeverityInput.options).default('error'),
    )
    .action(
      action(io, exit, async (target: string | undefined, options: DoctorOptions, command: Command) => {
        if ((target === undefined) === (options.all !== true)) {
          throw new CairnError('usage', 'doctor requires exactly one of --all or <slug-or-path>.', {
            hint: 'Run `cairn doctor --all`, or `cairn doctor <slug>` for one migration.',
          });
        }
        const run = await doctorRun(target, globalOptions(command), progressReporter(io));
        const reporter = createReporter(options.format, {
          repoRoot: run.repoRoot,
          paint: (colour, text) => paint(io, colour, text),
          schemaVersion: JSON_SCHEMA_VERSION,
          toolVersion: CAIRN_VERSION,
        });
        const counter = new SummaryCounter(options.severity);
        for await (const group of run.groups) {
          counter.add(group);
          const text = reporter.group(group);
          if (text !== '') io.stdout(text);
        }
        const summary = counter.result();
        const tail = reporter.end(summary);
        if (tail !== '') io.stdout(tail);
        return doctorExitCode(summary);
      }),
    );
}
