import path from 'node:path';
import { resolveTargetMergeConflict, type Io } from '../../app/index.js';
import type { MergeResolution } from '../../planning/index.js';
import { resolveJson } from '../../outputs/index.js';
import { CairnError, plural } from '../../util/index.js';
import { defineCommand } from '../command.js';
import { TARGET_ARGUMENT, dryRunOption, formatOption } from '../options.js';
import { printJson } from '../output.js';

interface ResolveOptions {
  ours?: boolean;
  theirs?: boolean;
  dryRun?: boolean;
  format: string;
}

type ResolveView = (result: MergeResolution, repoRoot: string) => void;

function resolveText(io: Io): ResolveView {
  return (result, repoRoot) => {
    const from = `${result.side === 'ours' ? 'HEAD' : 'MERGE_HEAD'} (${result.commit.slice(0, 12)})`;
    const files = `${plural(result.written.length, 'file')}${result.removed.length > 0 ? `, removing ${result.removed.join(', ')}` : ''}`;
    const lines = [`Conflicted in ${result.slug}: ${result.conflicted.join(', ')}`];
    if (result.dryRun) {
      lines.push(`Dry run: would take --${result.side} from ${from}: ${files}; nothing was changed.`);
      return io.stdout(`${lines.join('\n')}\n`);
    }
    lines.push(`Took --${result.side} from ${from}: ${files}.`);
    for (const finding of result.findings) {
      lines.push(`  ${finding.severity} ${finding.code} ${path.relative(repoRoot, finding.path).split(path.sep).join('/')}: ${finding.message}`);
    }
    lines.push(
      result.staged
        ? `Staged ${result.slug}: doctor found no error. Run \`git commit\` to complete the merge.`
        : `Doctor found errors in ${result.slug}: the files are left as taken and nothing was staged. Fix them and run \`cairn doctor ${result.slug}\`, then \`git add\` the directory.`,
    );
    io.stdout(`${lines.join('\n')}\n`);
  };
}

export const resolveCommand = defineCommand<[string], ResolveOptions, ResolveView>({
  name: 'resolve',
  description: "during a conflicted git merge, take one side's version of a migration directory, check it with doctor and stage it",
  arguments: [TARGET_ARGUMENT],
  options: [
    { flags: '--ours', description: "take the current branch's version (HEAD)" },
    { flags: '--theirs', description: "take the merged branch's version (MERGE_HEAD)" },
    dryRunOption('say which files would be taken; change nothing'),
    formatOption(),
  ],
  views: {
    text: resolveText,
    json: (io) => (result, repoRoot) => printJson(io, 'resolve', resolveJson(result, repoRoot)),
  },
  examples: ['resolve my-migration --theirs', 'resolve my-migration --ours --dry-run'],
  async run({ args: [target], options, project }, show) {
    if ((options.ours === true) === (options.theirs === true)) {
      throw new CairnError('usage', 'resolve requires exactly one of --ours or --theirs.', {
        hint: `Run \`cairn resolve ${target} --ours\` to keep this branch's version, or \`--theirs\` for the merged branch's.`,
      });
    }
    const context = await project();
    const result = await resolveTargetMergeConflict(context, target, { side: options.ours === true ? 'ours' : 'theirs', dryRun: options.dryRun === true });
    show(result, context.repoRoot);
    return result.dryRun || result.staged ? 0 : 1;
  },
});
