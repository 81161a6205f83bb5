import path from 'node:path';
import { gitDirtyPaths } from '../fs/index.js';
import type { PublishRecorder } from './recorder.js';

/** The reason a publish gives for a dirty live tree (docs/format.md §13.3). */
export const DIRTY_LIVE_REASON = 'dirty live migration directory; commit, discard, or inspect with migration doctor';

export interface DirtyCheckInput {
  repoRoot: string;
  liveRoot: string;
  slug: string;
  recorder?: PublishRecorder | undefined;
}

/**
 * The live migration's uncommitted paths that block a change to it
 * (docs/format.md §13.3): none outside git, and none when the live tree, whose digest
 * is `liveId`, is exactly the snapshot cairn last published there.
 */
export function blockingDirtyPaths(input: DirtyCheckInput, liveId: string): string[] {
  const dirty = gitDirtyPaths(input.repoRoot, path.join(input.liveRoot, input.slug));
  if (dirty === null || dirty.length === 0) return [];
  let lastPublished: string | null = null;
  try {
    lastPublished = input.recorder?.lastPublishedSnapshot(input.liveRoot, input.slug) ?? null;
  } catch {
    lastPublished = null;
  }
  return lastPublished === liveId ? [] : dirty;
}
