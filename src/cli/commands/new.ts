import path from 'node:path';
import { postPublishCommit, newMigration, type GlobalOptions, type Io } from '../../app/index.js';
import type { NewMigrationResult } from '../../planning/index.js';
import { publishResultJson } from '../../outputs/index.js';
import { nextCommands } from '../next-command.js';
import { defineCommand } from '../command.js';
import { publishingOptions } from '../options.js';
import { printJson } from '../output.js';
import { printPublishText, publishExitCode, publishFailureText } from '../publish-text.js';

interface NewOptions {
  target: string;
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

interface NewView {
  created(created: NewMigrationResult, slug: string, repoRoot: string): void;
  /** After a real publish: the commit made (or null), then what to run next. */
  finished(slug: string, commit: string | null): void;
}

function newText(io: Io, _options: NewOptions, globals: GlobalOptions): NewView {
  const next = nextCommands(globals);
  return {
    created(created, slug, repoRoot) {
      const where = path.relative(repoRoot, created.result.liveDir).split(path.sep).join('/');
      const text = created.result.dryRun
        ? `Dry run: would create migration ${slug} at ${where}; nothing was changed.`
        : `Created migration ${slug} at ${where}.`;
      printPublishText(io, created.result, text, repoRoot);
      if (publishExitCode(created.result) !== 0 && !created.workspaceRemoved) {
        io.stderr(`The workspace is kept for inspection: ${created.workspaceDir}\n`);
      }
    },
    finished(slug, commit) {
      if (commit !== null) io.stdout(`Committed ${commit.slice(0, 12)}: cairn: ${slug}: migration.new\n`);
      io.stdout(`Next: ${next.cairn('plan', [slug])}\n`);
    },
  };
}

function newJson(io: Io): NewView {
  return {
    created({ result }) {
      printJson(io, 'new', { result: publishResultJson(result) });
      if (result.status !== 'published') io.stderr(`Error: ${publishFailureText(result)}\n`);
    },
    finished: () => {},
  };
}

export const newCommand = defineCommand<[string], NewOptions, NewView>({
  name: 'new',
  description: 'create a migration (status planning, next step approaches) through the publish transaction',
  arguments: [{ name: '<slug>', description: 'directory name of the new migration' }],
  options: [
    { flags: '--target <text>', description: 'what the migration should change', required: true },
    ...publishingOptions('check everything and show what would be created; change nothing', 'git-commit the new migration directory after the publish'),
  ],
  views: { text: newText, json: newJson },
  examples: ["new extract-http-client --target 'move the HTTP calls behind one client module'"],
  async run({ args: [slug], options, io, project }, view) {
    const context = await project();
    const dryRun = options.dryRun === true;
    const commits = postPublishCommit(context, { commit: options.commit, dryRun });
    const created = await newMigration(context, io, { slug, target: options.target, dryRun, lockTimeout: options.lockTimeout });
    view.created(created, slug, context.repoRoot);
    const code = publishExitCode(created.result);
    if (code === 0 && !dryRun) view.finished(slug, commits.after(slug, 'migration.new'));
    return code;
  },
});
