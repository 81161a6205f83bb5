import { unlockPublishLock, type UnlockResult } from '../../publish/index.js';
import { defineCommand } from '../command.js';
import { dryRunOption, formatOption } from '../options.js';
import { printJson } from '../output.js';

type UnlockView = (result: UnlockResult, lockId: string) => void;

export const unlockCommand = defineCommand<[string], { force?: boolean; dryRun?: boolean; format: string }, UnlockView>({
  name: 'unlock',
  description: 'remove the publish lock by its lock id (refuses a live holder without --force)',
  arguments: [{ name: '<lock-id>', description: 'the lock id from owner.json (for a lock left by continuous-refactoring: its pid)' }],
  options: [
    { flags: '--force', description: 'remove the lock even though its holder still looks alive' },
    dryRunOption('check the lock id and the holder, and say what would be removed; remove nothing'),
    formatOption(),
  ],
  views: {
    text: (io) => (result, lockId) =>
      io.stdout(
        `${result.removed ? 'Removed' : 'Dry run: would remove'} publish lock ${lockId} at ${result.lockPath}, held by ${result.holder}${result.holderAlive ? ' (forced: the holder looked alive)' : ''}.\n`,
      ),
    json: (io) => (result, lockId) =>
      printJson(io, 'unlock', {
        lock_path: result.lockPath,
        lock_id: lockId,
        removed: result.removed,
        dry_run: !result.removed,
        forced: result.holderAlive,
        owner: result.owner,
      }),
  },
  examples: ['unlock 12345', 'unlock 12345 --force'],
  async run({ args: [lockId], options, project }, show) {
    const context = await project();
    show(await unlockPublishLock(context.liveRoot, lockId, { force: options.force === true, dryRun: options.dryRun === true }), lockId);
    return 0;
  },
});
