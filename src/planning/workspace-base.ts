import path from 'node:path';
import { CairnError } from '../util/index.js';
import { snapshotId } from '../fs/index.js';
import { blockingDirtyPaths, dirtyLiveHint, DIRTY_LIVE_MESSAGE, type DirtyCheckInput } from '../publish/index.js';

/*
 * Where a run starts (docs/format.md §9.1 step 1), once the command's session has
 * finished interrupted transactions: the live migration must not carry
 * uncommitted edits (the same check a publish makes), and its snapshot id
 * becomes the run's base: publishing later refuses if the live tree changed
 * in between.
 */

/** The blocked error for a dirty live migration, listing the paths. */
export function dirtyLiveError(repoRoot: string, liveDir: string, slug: string, dirty: readonly string[]): CairnError {
  return new CairnError('blocked', [DIRTY_LIVE_MESSAGE, ...dirty.map((entry) => `  ${entry}`)].join('\n'), {
    path: liveDir,
    hint: dirtyLiveHint(repoRoot, liveDir, slug),
  });
}

/**
 * The base snapshot id of a run: refuses a dirty live migration
 * (`CairnError('blocked')`) unless its tree is exactly what cairn last
 * published, then digests it.
 */
export async function captureBaseSnapshot(input: DirtyCheckInput): Promise<string> {
  const liveDir = path.join(input.liveRoot, input.slug);
  const liveId = await snapshotId(liveDir);
  const dirty = blockingDirtyPaths(input, liveId);
  if (dirty.length > 0) throw dirtyLiveError(input.repoRoot, liveDir, input.slug, dirty);
  return liveId;
}
