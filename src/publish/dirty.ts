import path from 'node:path';
import { isInside, toPosix, shellWord } from '../util/index.js';
import { gitDirtyPaths } from '../fs/index.js';
import { readPublishedRecord } from './published-record.js';
import type { PublishRecorder } from './recorder.js';

/** The reason a publish gives for a dirty live tree (docs/format.md §13.3). */
export const DIRTY_LIVE_REASON = "dirty live migration directory: its uncommitted changes are not cairn's last publish; commit them, or inspect them with cairn doctor";

/** The same refusal as a person reads it, before the list of paths (the hint says what to do). */
export const DIRTY_LIVE_MESSAGE = "The migration directory has uncommitted changes that are not cairn's last publish:";

export interface DirtyCheckInput {
  repoRoot: string;
  liveRoot: string;
  slug: string;
  recorder?: PublishRecorder | undefined;
}

/**
 * The live migration's uncommitted paths that block a change to it
 * (docs/format.md §13.3): none outside git, and none when the live tree, whose
 * digest is `liveId`, is exactly the snapshot cairn last published there, as
 * either the store or the published-snapshot record remembers it (the store
 * is a cache: missing, damaged or locked, the record decides).
 *
 * The store and the record are asked first: when either vouches for the
 * tree, no path can block, and `git status` is skipped. Git reads the whole
 * index even for one directory, so that call is the only part of a publish
 * whose cost grows with the number of sibling migrations.
 */
export function blockingDirtyPaths(input: DirtyCheckInput, liveId: string): string[] {
  const liveDir = path.join(input.liveRoot, input.slug);
  if (isInside(liveDir, input.repoRoot) && vouchedFor(input, liveId)) return [];
  return gitDirtyPaths(input.repoRoot, liveDir) ?? [];
}

/** True when the store or, failing that, the published-snapshot record names `liveId` as cairn's last publish there. */
function vouchedFor(input: DirtyCheckInput, liveId: string): boolean {
  if (storeSnapshot(input) === liveId) return true;
  return readPublishedRecord(input.repoRoot, input.liveRoot, input.slug, liveId) === liveId;
}

function storeSnapshot(input: DirtyCheckInput): string | null {
  try {
    return input.recorder?.lastPublishedSnapshot(input.liveRoot, input.slug) ?? null;
  } catch {
    return null;
  }
}

/**
 * What to do about a dirty live migration, in a user's words: the listed
 * changes are not what cairn published, so commit them (the command to run)
 * or inspect the directory. Never suggests discarding: an uncommitted change
 * may be an accepted step.
 */
export function dirtyLiveHint(repoRoot: string, liveDir: string, slug: string): string {
  const where = shellWord(toPosix(path.relative(repoRoot, liveDir)) || '.');
  return (
    `The files listed under ${where} are not committed, and the directory is not the snapshot cairn last published there, ` +
    `so cairn will not build on it. Commit them (\`git add -- ${where} && git commit\`) and run the command again, ` +
    `or run \`cairn doctor ${shellWord(slug)}\` to inspect the directory first.`
  );
}

