import path from 'node:path';
import { encodeJson, isJsonObject, jsonObject, parseJson, type JsonValue } from '../json/index.js';
import { messageOf, resolvePath, toPosix } from '../util/index.js';
import { confinementProblem, mkdirDurable, readRegularTextSync, runGit, writeFileDurable } from '../fs/index.js';

/*
 * The published-snapshot record (docs/format.md §13.3, docs/durability.md §8):
 * one small file per migration, `<repo>/.planning/work/.published/<slug>.json`,
 * naming the snapshot cairn last published there. It is the store's
 * `published_snapshots` row kept as a file, so that losing the store (deleted,
 * damaged and moved aside, locked while a publish ran) does not make cairn
 * mistake its own uncommitted publish for a human edit.
 *
 * The publish writes it after its commit point and before it removes its
 * transaction directory; recovery of a committed transaction writes it from
 * the journal. `.planning/work/` is git-ignored (format.md §2.3) and cairn's
 * own; a record that git tracks came from a commit and is ignored, as is one
 * reached through a symlink.
 */

export const PUBLISHED_RECORD_VERSION = 1;
/** `.planning/work/.published`: inside the ignored `work/`, under a name no slug can take (slugs never start with a dot). */
export const PUBLISHED_RECORD_DIR = path.join('.planning', 'work', '.published');
/** Far more than a record needs; anything larger is not one. */
const MAX_RECORD_BYTES = 4096;
const SNAPSHOT_ID = /^[0-9a-f]{64}$/;
const KEYS = ['live_dir', 'snapshot_id', 'version'] as const;

export interface PublishedRecord {
  /** The live migration directory, relative to the repository root, `/`-separated. */
  liveDir: string;
  /** 64 lowercase hex: the snapshot digest (format.md §11) cairn installed there. */
  snapshotId: string;
}

/** `<repoRoot>/.planning/work/.published/<slug>.json` */
export function publishedRecordPath(repoRoot: string, slug: string): string {
  return path.join(repoRoot, PUBLISHED_RECORD_DIR, `${slug}.json`);
}

/** The record's `live_dir` for `<liveRoot>/<slug>`. */
export function recordedLiveDir(repoRoot: string, liveRoot: string, slug: string): string {
  return toPosix(path.relative(resolvePath(repoRoot), path.join(resolvePath(liveRoot), slug)));
}

/** The record's bytes: `{live_dir, snapshot_id, version}`, the JSON encoding of format.md §3.1. */
export function encodePublishedRecord(record: PublishedRecord): string {
  const object = jsonObject();
  object.live_dir = record.liveDir;
  object.snapshot_id = record.snapshotId;
  object.version = PUBLISHED_RECORD_VERSION;
  return encodeJson(object);
}

/** The record in `text`, or null for anything that is not exactly one (unknown keys included). */
export function decodePublishedRecord(text: string): PublishedRecord | null {
  let value: JsonValue;
  try {
    value = parseJson(text);
  } catch {
    return null;
  }
  if (!isJsonObject(value)) return null;
  const keys = Object.keys(value).sort();
  if (keys.length !== KEYS.length || keys.some((key, index) => key !== KEYS[index])) return null;
  const { live_dir: liveDir, snapshot_id: snapshotId, version } = value;
  if (version !== PUBLISHED_RECORD_VERSION) return null;
  if (typeof liveDir !== 'string' || liveDir === '' || typeof snapshotId !== 'string' || !SNAPSHOT_ID.test(snapshotId)) return null;
  return { liveDir, snapshotId };
}

/**
 * Remembers that `snapshotId` is now live at `<liveRoot>/<slug>`: the record
 * replaced atomically and durably. Throws when it cannot be written, or when
 * a component of its path is a symlink or not what it should be (the record
 * is never written through a link).
 */
export async function writePublishedRecord(repoRoot: string, liveRoot: string, slug: string, snapshotId: string): Promise<void> {
  const file = publishedRecordPath(repoRoot, slug);
  const problem = confinementProblem(repoRoot, file, 'file', 'refuse');
  if (problem !== null) throw new Error(`${problem.message}; the record is not written through it`);
  await mkdirDurable(path.dirname(file));
  await writeFileDurable(file, encodePublishedRecord({ liveDir: recordedLiveDir(repoRoot, liveRoot, slug), snapshotId }));
}

/** {@link writePublishedRecord}, with a failure turned into a message (null on success). */
export async function writePublishedRecordSafely(repoRoot: string, liveRoot: string, slug: string, snapshotId: string): Promise<string | null> {
  try {
    await writePublishedRecord(repoRoot, liveRoot, slug, snapshotId);
    return null;
  } catch (error) {
    return `could not write the published-snapshot record ${publishedRecordPath(repoRoot, slug)}: ${messageOf(error)}`;
  }
}

/**
 * The snapshot id the record names for `<liveRoot>/<slug>`, or null when
 * there is no trustworthy record: missing, unreadable, malformed, written
 * for another live directory, reached through a symlink, or tracked by git
 * (a committed record is the repository author's, not this machine's).
 * With `expected`, a record naming another snapshot is null too, found
 * without running git.
 */
export function readPublishedRecord(repoRoot: string, liveRoot: string, slug: string, expected?: string): string | null {
  const file = publishedRecordPath(repoRoot, slug);
  if (hasLinkOrOddComponent(repoRoot, file)) return null;
  let record: PublishedRecord | null;
  try {
    record = decodePublishedRecord(readRegularTextSync(file, { noFollow: true, maxBytes: MAX_RECORD_BYTES }));
  } catch {
    return null;
  }
  if (record === null || record.liveDir !== recordedLiveDir(repoRoot, liveRoot, slug)) return null;
  if (expected !== undefined && record.snapshotId !== expected) return null;
  return trackedByGit(repoRoot, file) ? null : record.snapshotId;
}

/** True when git tracks `file` (or cannot say: then the record is not trusted either). */
function trackedByGit(repoRoot: string, file: string): boolean {
  const relative = toPosix(path.relative(repoRoot, file));
  const result = runGit(repoRoot, ['ls-files', '--cached', '-z', '--', relative]);
  if (result.error !== undefined || result.status !== 0) return true;
  return result.stdout !== '';
}

/** True when a component from `repoRoot` down to `file` is a symlink or not what it must be (or cannot be inspected). */
function hasLinkOrOddComponent(repoRoot: string, file: string): boolean {
  try {
    return confinementProblem(repoRoot, file, 'file', 'refuse') !== null;
  } catch {
    return true;
  }
}
