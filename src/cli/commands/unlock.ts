import type { Command } from 'commander';
import { Option } from 'commander';
import { unlockPublishLock } from '../../publish/unlock.js';
import { action, type ExitHolder } from '../action.js';
import { projectContext } from '../context.js';
import { printJson, type Io } from '../output.js';

export function registerUnlock(program: Command, io: Io, exit: ExitHolder): void {
  program
    .command('unlock')
    .description('remove the publish lock by its lock id (refuses a live holder without --force)')
    .argument('<lock-id>', "the lock id from owner.json (for a lock left by continuous-refactoring: its pid)")
    .option('--force', 'remove the lock even though its holder still looks alive')
    .option('--dry-run', 'check the lock id and the holder, and say what would be removed; remove nothing')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      action(io, exit, async (lockId: string, options: { force?: boolean; dryRun?: boolean; format: string }, command: Command) => {
        const context = await projectContext(command);
        const result = await unlockPublishLock(context.liveRoot, lockId, { force: options.force === true, dryRun: options.dryRun === true });
        if (options.format === 'json') {
          printJson(io, 'unlock', {
            lock_path: result.lockPath,
            lock_id: lockId,
            removed: result.removed,
            dry_run: !result.removed,
            forced: result.holderAlive,
            owner: result.owner,
          });
        } else {
          io.stdout(
            `${result.removed ? 'Removed' : 'Dry run: would remove'} publish lock ${lockId} at ${result.lockPath}, held by ${result.holder}${result.holderAlive ? ' (forced: the holder looked alive)' : ''}.\n`,
          );
        }
        return 0;
      }),
    );
}
