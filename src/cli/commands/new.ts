import path from 'node:path';
import { checkCanCommit, commitMigration } from '../../planning/commit.js';
import { openServices } from '../../app/services.js';
import type { Command } from 'commander';
import { Option } from 'commander';
import { LockTimeoutMsInput, parseWholeNumberFlag } from '../../app/inputs.js';
import { createMigration } from '../../planning/new-migration.js';
import { publishErrorMessage, type PublishResult } from '../../publish/result.js';
import { publishResultJson } from '../../outputs/publish-result.js';
import { action, type ExitHolder } from '../action.js';
import { projectContext } from '../context.js';
import { paint, printJson, type Io } from '../output.js';

/** `--lock-timeout <ms>` for every mutating command. */
export function lockTimeoutOption(): Option {
  return new Option('--lock-timeout <ms>', 'how long to wait for the publish lock, in milliseconds (default: config or 30000)').argParser(
    parseLockTimeout,
  );
}

function parseLockTimeout(value: string): number {
  return parseWholeNumberFlag(value, LockTimeoutMsInput, `--lock-timeout must be a whole number of milliseconds, got '${value}'.`);
}

/** The lines of a dry-run diff: files with sizes, then the transitions and checks. */
export function dryRunLines(result: PublishResult, repoRoot: string): string[] {
  const lines: string[] = [];
  const diff = result.diff;
  if (diff !== undefined) {
    for (const entry of diff.added) lines.push(`  + ${entry.path} (${entry.size} bytes)`);
    for (const entry of diff.changed) lines.push(`  ~ ${entry.path} (${entry.oldSize ?? '?'} → ${entry.size} bytes)`);
    for (const entry of diff.removed) lines.push(`  - ${entry.path} (${entry.size} bytes)`);
    if (diff.added.length + diff.changed.length + diff.removed.length === 0) lines.push('  (no file changes)');
    lines.push(`State: ${diff.cursor.from ?? '(none)'} → ${diff.cursor.to ?? '(none)'}`);
    lines.push(`Status: ${diff.status.from ?? '(none)'} → ${diff.status.to ?? '(none)'}`);
  }
  const failed = result.invariants.filter((invariant) => !invariant.passed);
  lines.push(
    failed.length === 0
      ? `Invariants: all ${result.invariants.length} passed`
      : `Invariants: ${failed.length} of ${result.invariants.length} failed (${failed.map((invariant) => invariant.name).join(', ')})`,
  );
  const errors = result.findings.filter((finding) => finding.severity === 'error');
  lines.push(errors.length === 0 ? 'Findings: none blocking' : `Findings: ${errors.length} blocking`);
  for (const finding of result.findings) {
    lines.push(`  ${finding.severity} ${finding.code}: ${path.relative(repoRoot, finding.path) || '.'}: ${finding.message}`);
  }
  for (const plan of result.recovered) lines.push(`Pending recovery: ${plan.action} ${plan.txDir}: ${plan.reason}`);
  return lines;
}

/**
 * Prints a publish result: JSON (`{schema_version, result}`) or text, with a
 * blocked or failed result's message on stderr. Returns the exit code:
 * 0 published (or a dry run that would publish), 1 blocked or failed.
 */
export function reportPublish(io: Io, format: string, result: PublishResult, successText: string, repoRoot: string): number {
  const ok = result.status === 'published';
  if (format === 'json') {
    printJson(io, 'new', { result: publishResultJson(result) });
    if (!ok) io.stderr(`Error: ${publishErrorMessage(result)}\n`);
    return ok ? 0 : 1;
  }
  if (result.dryRun) {
    io.stdout(`${ok ? successText : paint(io, 'red', `Dry run: the publish would be ${result.status}: ${result.reason}`)}\n`);
    io.stdout(`${dryRunLines(result, repoRoot).join('\n')}\n`);
    return ok ? 0 : 1;
  }
  if (!ok) {
    io.stderr(`Error: ${publishErrorMessage(result)}\n`);
    return 1;
  }
  io.stdout(`${successText}\n`);
  if (result.cleanupError !== null) io.stderr(`Warning: ${result.cleanupError}\nRun \`cairn recover\` to clean up.\n`);
  return 0;
}

export function registerNew(program: Command, io: Io, exit: ExitHolder): void {
  program
    .command('new')
    .description('create a migration (status planning, next step approaches) through the publish transaction')
    .argument('<slug>', 'directory name of the new migration')
    .requiredOption('--target <text>', 'what the migration should change')
    .option('--dry-run', 'check everything and show what would be created; change nothing')
    .option('--commit', 'git-commit the new migration directory after the publish')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(lockTimeoutOption())
    .action(
      action(
        io,
        exit,
        async (
          slug: string,
          options: { target: string; dryRun?: boolean; commit?: boolean; format: string; lockTimeout?: number },
          command: Command,
        ) => {
          const context = await projectContext(command);
          if (options.commit === true && options.dryRun !== true) checkCanCommit(context.repoRoot);
          const services = options.dryRun ? null : openServices(context, io);
          const created = await createMigration({
            ...(services?.recorder !== undefined ? { recorder: services.recorder } : {}),
            repoRoot: context.repoRoot,
            liveRoot: context.liveRoot,
            slug,
            target: options.target,
            dryRun: options.dryRun === true,
            lockTimeoutMs: options.lockTimeout ?? context.lockTimeoutMs,
          }).finally(() => services?.close());
          const where = path.relative(context.repoRoot, created.result.liveDir).split(path.sep).join('/');
          const text = created.result.dryRun
            ? `Dry run: would create migration ${slug} at ${where}; nothing was changed.`
            : `Created migration ${slug} at ${where}.\nNext: cairn plan ${slug}`;
          const code = reportPublish(io, options.format, created.result, text, context.repoRoot);
          if (code === 0 && options.commit === true && !created.result.dryRun) {
            const commit = commitMigration(context.repoRoot, created.result.liveDir, slug, 'migration.new');
            if (options.format !== 'json') io.stdout(`Committed ${commit.slice(0, 12)}: cairn: ${slug}: migration.new\n`);
          }
          if (code !== 0 && !created.workspaceRemoved && options.format !== 'json') {
            io.stderr(`The workspace is kept for inspection: ${created.workspaceDir}\n`);
          }
          return code;
        },
      ),
    );
}
