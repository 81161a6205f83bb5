import type { GlobalOptions, Io } from '../app/index.js';
import { interruptedPublishes } from '../publish/index.js';
import { nextCommands } from './next-command.js';

/*
 * A read command (status, list) shows the live tree as it is. After a crash
 * mid-publish that tree is half swapped until `cairn recover` (or the next
 * mutating command) finishes or undoes the publish, so the reader is told
 * on stderr that what it sees may change.
 */

/** Warns on stderr of each interrupted publish under `liveRoot` (of `slug` only, when given). */
export async function warnInterruptedPublishes(io: Io, liveRoot: string, globals: GlobalOptions, slug?: string): Promise<void> {
  const plans = await interruptedPublishes(liveRoot).catch(() => []);
  for (const plan of plans) {
    if (slug !== undefined && plan.slug !== slug) continue;
    const what = plan.action === 'roll-back' ? 'roll it back' : 'finish it';
    io.stderr(
      `Warning: An interrupted publish of ${plan.slug ?? 'a migration'} is pending; recovery would ${what}, so what is shown may change. ` +
        `Run \`${nextCommands(globals).cairn('recover')}\`.\n`,
    );
  }
}
