import path from 'node:path';
import { moveProjectMigration, moveProjectRoot, postPublishCommit, type GlobalOptions, type Io } from '../../app/index.js';
import { commitMove, commitRootMove, rootCommitMessage, type MoveMigrationResult, type MoveRootResult } from '../../planning/index.js';
import { moveResultJson, moveRootResultJson } from '../../outputs/index.js';
import { CairnError, shellWord } from '../../util/index.js';
import { defineCommand } from '../command.js';
import { nextCommands } from '../next-command.js';
import { publishingOptions } from '../options.js';
import { printJson } from '../output.js';

interface MvOptions {
  root?: string;
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

type MvView = (outcome: MvOutcome, commit: string | null, repoRoot: string) => void;

type MvOutcome = { kind: 'migration'; result: MoveMigrationResult } | { kind: 'root'; result: MoveRootResult };

function relative(repoRoot: string, dir: string): string {
  return path.relative(repoRoot, dir).split(path.sep).join('/');
}

function mvText(io: Io, _options: MvOptions, globals: GlobalOptions): MvView {
  const next = nextCommands(globals);
  const showRoot = rootText(io, globals);
  return (outcome, commit, repoRoot) => {
    if (outcome.kind === 'root') {
      showRoot(outcome.result, commit);
      return;
    }
    const result = outcome.result;
    const from = relative(repoRoot, result.fromDir);
    const to = relative(repoRoot, result.toDir);
    const lines = result.changes.map((change) => `  ${change.file} ${change.field}: ${change.from} -> ${change.to}`);
    if (result.status === 'failed') {
      io.stderr(`Error: Could not move ${from} to ${to}: ${result.reason}\n`);
      io.stderr(
        result.transactionDir === null
          ? `Hint: ${result.from} is as it was; fix the cause and run \`cairn mv\` again.\n`
          : `Hint: Run \`cairn recover\` to finish or undo the move (transaction ${result.transactionDir}).\n`,
      );
      return;
    }
    const head = result.dryRun ? `Dry run: would move ${from} to ${to}` : `Moved ${from} to ${to}`;
    const changed = lines.length === 0 ? '' : `, rewriting:\n${lines.join('\n')}`;
    io.stdout(`${head}${changed}${lines.length === 0 ? '.' : ''}\n`);
    if (result.dryRun) {
      io.stdout('Nothing was changed.\n');
      return;
    }
    if (result.cleanupError !== null) io.stderr(`Warning: ${result.cleanupError}\n`);
    if (commit !== null) io.stdout(`Committed ${commit.slice(0, 12)}: cairn: ${result.to}: migration.move\n`);
    else io.stdout(`Next: git add -A -- ${shellWord(from)} ${shellWord(to)} && git commit, then ${next.cairn('status', [result.to])}\n`);
  };
}

function rootText(io: Io, globals: GlobalOptions): (result: MoveRootResult, commit: string | null) => void {
  const next = nextCommands(globals);
  return (result, commit) => {
    const lines = result.changes.map((change) => `  ${change.file} ${change.field}: ${change.from} -> ${change.to}`);
    if (result.status === 'failed') {
      io.stderr(`Error: Could not move the migrations root ${result.from} to ${result.to}: ${result.reason}\n`);
      io.stderr(
        result.journal === null
          ? `Hint: ${result.from} and the config are as they were; fix the cause and run \`cairn mv --root\` again.\n`
          : `Hint: Run \`cairn recover\` to finish or undo the move (journal ${result.journal}).\n`,
      );
      return;
    }
    const head = result.dryRun ? `Dry run: would move the migrations root ${result.from} to ${result.to}` : `Moved the migrations root ${result.from} to ${result.to}`;
    io.stdout(`${head}${lines.length === 0 ? '.' : `, rewriting:\n${lines.join('\n')}`}\n`);
    if (result.dryRun) {
      io.stdout('Nothing was changed.\n');
      return;
    }
    if (result.cleanupError !== null) io.stderr(`Warning: ${result.cleanupError}\n`);
    if (commit !== null) io.stdout(`Committed ${commit.slice(0, 12)}: ${rootCommitMessage(result.from, result.to)}\n`);
    else io.stdout(`Next: git add -A -- ${shellWord(result.from)} ${shellWord(result.to)} .planning/config.json && git commit, then ${next.cairn('doctor', ['--all'])}\n`);
  };
}

export const mvCommand = defineCommand<[string | undefined, string | undefined], MvOptions, MvView>({
  name: 'mv',
  description:
    'rename a migration (the directory, manifest name and the paths its planning state records), or with --root move the whole migrations root and the config, in one crash-safe transaction',
  arguments: [
    { name: '[slug]', description: 'the migration to rename' },
    { name: '[new-slug]', description: 'its new name (lowercase letters, digits and single dashes)' },
  ],
  options: [
    { flags: '--root <new-dir>', description: 'move the migrations root to this directory (relative to the repository root) instead of renaming one migration' },
    ...publishingOptions('show what would be moved and rewritten; change nothing', 'git-commit the move (the removal and the addition) after it'),
  ],
  views: {
    text: mvText,
    json: (io) => (outcome, commit) => {
      printJson(io, 'mv', outcome.kind === 'root' ? moveRootResultJson(outcome.result, commit) : moveResultJson(outcome.result, commit));
      if (outcome.result.status === 'failed') io.stderr(`Error: ${outcome.result.reason}\n`);
    },
  },
  examples: ['mv fresh http-client', 'mv fresh http-client --dry-run', 'mv --root planning/migrations --commit'],
  async run({ args: [from, to], options, io, project }, show) {
    if (options.root !== undefined && (from !== undefined || to !== undefined)) {
      throw new CairnError('usage', '`cairn mv --root <new-dir>` takes no slugs: it moves every migration.', { hint: 'Run `cairn mv --root <new-dir>` alone, or `cairn mv <slug> <new-slug>` to rename one migration.' });
    }
    if (options.root === undefined && (from === undefined || to === undefined)) {
      throw new CairnError('usage', '`cairn mv` needs a slug and a new slug, or --root <new-dir>.', { hint: 'Run `cairn mv <slug> <new-slug>`, or `cairn mv --root <new-dir>` to move the migrations root.' });
    }
    const context = await project();
    const dryRun = options.dryRun === true;
    postPublishCommit(context, { commit: options.commit, dryRun });
    if (options.root !== undefined) {
      const moved = await moveProjectRoot(context, io, { newRoot: options.root, dryRun, lockTimeout: options.lockTimeout });
      const made = moved.status === 'moved' && options.commit === true ? commitRootMove(context.repoRoot, moved.from, moved.to) : null;
      show({ kind: 'root', result: moved }, made, context.repoRoot);
      return moved.status === 'failed' ? 1 : 0;
    }
    if (from === undefined || to === undefined) return 2;
    const result = await moveProjectMigration(context, io, { from, to, dryRun, lockTimeout: options.lockTimeout });
    const commit = result.status === 'moved' && options.commit === true ? commitMove(context.repoRoot, result.fromDir, result.toDir, to) : null;
    show({ kind: 'migration', result }, commit, context.repoRoot);
    return result.status === 'failed' ? 1 : 0;
  },
});
