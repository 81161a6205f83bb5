import path from 'node:path';
import { moveProjectMigration, postPublishCommit, type GlobalOptions, type Io } from '../../app/index.js';
import { commitMove, type MoveMigrationResult } from '../../planning/index.js';
import { moveResultJson } from '../../outputs/index.js';
import { shellWord } from '../../util/index.js';
import { defineCommand } from '../command.js';
import { nextCommands } from '../next-command.js';
import { publishingOptions } from '../options.js';
import { printJson } from '../output.js';

interface MvOptions {
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

type MvView = (result: MoveMigrationResult, commit: string | null, repoRoot: string) => void;

function relative(repoRoot: string, dir: string): string {
  return path.relative(repoRoot, dir).split(path.sep).join('/');
}

function mvText(io: Io, _options: MvOptions, globals: GlobalOptions): MvView {
  const next = nextCommands(globals);
  return (result, commit, repoRoot) => {
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

export const mvCommand = defineCommand<[string, string], MvOptions, MvView>({
  name: 'mv',
  description:
    'rename a migration: the directory, manifest name and the paths its planning state records, in one crash-safe transaction',
  arguments: [
    { name: '<slug>', description: 'the migration to rename' },
    { name: '<new-slug>', description: 'its new name (lowercase letters, digits and single dashes)' },
  ],
  options: publishingOptions('show what would be renamed and rewritten; change nothing', 'git-commit the rename (the removal and the addition) after the move'),
  views: {
    text: mvText,
    json: (io) => (result, commit) => {
      printJson(io, 'mv', moveResultJson(result, commit));
      if (result.status === 'failed') io.stderr(`Error: ${result.reason}\n`);
    },
  },
  examples: ['mv fresh http-client', 'mv fresh http-client --dry-run', 'mv fresh http-client --commit'],
  async run({ args: [from, to], options, io, project }, show) {
    const context = await project();
    const dryRun = options.dryRun === true;
    postPublishCommit(context, { commit: options.commit, dryRun });
    const result = await moveProjectMigration(context, io, { from, to, dryRun, lockTimeout: options.lockTimeout });
    const commit = result.status === 'moved' && options.commit === true ? commitMove(context.repoRoot, result.fromDir, result.toDir, to) : null;
    show(result, commit, context.repoRoot);
    return result.status === 'failed' ? 1 : 0;
  },
});
