import path from 'node:path';
import { sumsTarget } from '../consistency/index.js';
import { LstatCache, readRegularFileWithStatsSync, readStrictText } from '../fs/index.js';
import { listMigrationDirectories, migrationFiles, parseSums, sha256Hex } from '../migration/index.js';
import { fingerprintOfStats, outputDigestStaleness, trustedBeforeNs, type OutputDigest, type Store } from '../store/index.js';

/** Why a stage output named in a sums file got no digest. */
export type DigestSkipReason = 'sums-unreadable' | 'outside' | 'missing' | 'symlink' | 'not-regular' | 'unreadable';

/** What refreshing the verified digests under one live root did. */
export interface DigestRefresh {
  /** Files read, hashed and recorded now. */
  recorded: number;
  /** Of `recorded`, files changed within the racy window: not trusted until a later `cairn index`. */
  racy: number;
  /** Files whose record still held: not read. */
  fresh: number;
  /** Sums files or named files that got no record, by reason. */
  skipped: Record<DigestSkipReason, number>;
  /** Records dropped because no sums file names their file any more. */
  removed: number;
}

/** Records written per transaction. */
const WRITE_BATCH = 500;

function noSkips(): Record<DigestSkipReason, number> {
  return { 'sums-unreadable': 0, outside: 0, missing: 0, symlink: 0, 'not-regular': 0, unreadable: 0 };
}

/**
 * The stage outputs a migration's `.planning/sums` names that doctor would
 * hash: inside the migration directory once symlinks are resolved, and a
 * regular file themselves (the sums rule's own tests, so a digest exists
 * only for a file that rule reads). The rest are counted in `skipped`.
 */
function namedOutputs(dir: string, skipped: Record<DigestSkipReason, number>): string[] {
  const read = readStrictText(migrationFiles(dir).sums);
  if (read === null) return [];
  if ('error' in read) {
    skipped['sums-unreadable']++;
    return [];
  }
  const lstats = new LstatCache();
  const files: string[] = [];
  for (const entry of parseSums(read.text).entries) {
    const target = sumsTarget(dir, entry.path, lstats);
    if (target === null) skipped.outside++;
    else if (target.kind === 'file') files.push(target.file);
    else skipped[target.kind === 'other' ? 'not-regular' : target.kind]++;
  }
  return files;
}

/**
 * Reads and hashes `file` through one open that refuses a symlink, taking
 * the fingerprint from that open's `fstat`: what was hashed is what was
 * fingerprinted. The time is taken before the open, so a change during the
 * read is newer than the record and makes it racy. Null when it cannot be read.
 */
function verify(file: string): OutputDigest | null {
  const recordedAtMs = Date.now();
  try {
    const { bytes, stats } = readRegularFileWithStatsSync(file, { noFollow: true });
    return { file, fingerprint: fingerprintOfStats(file, stats), sha256: sha256Hex(bytes), recordedAtMs };
  } catch {
    return null;
  }
}

function isRacy(digest: OutputDigest): boolean {
  const trustedBefore = trustedBeforeNs(digest.recordedAtMs);
  return BigInt(digest.fingerprint.mtimeNs) >= trustedBefore || BigInt(digest.fingerprint.ctimeNs) >= trustedBefore;
}

/**
 * Brings the store's verified digests under `liveRoot` up to date: every
 * regular file a visible migration's `.planning/sums` names (as doctor's
 * sums rule reads them) whose record no longer holds is read, hashed and
 * recorded, whatever its content (doctor compares the record with the
 * sums file); records that still hold are kept without reading the file;
 * records of files no sums file names any more are deleted. A file changed
 * within the racy window is recorded too, and counted in `racy`: the trust
 * rule ignores its record until a `cairn index` after the window. Throws
 * the store's CairnError when the store cannot be read or written.
 */
export async function refreshOutputDigests(store: Store, liveRoot: string): Promise<DigestRefresh> {
  const { slugs } = await listMigrationDirectories(liveRoot);
  const known = store.lookupOutputDigestsLazy(liveRoot);
  const result: DigestRefresh = { recorded: 0, racy: 0, fresh: 0, skipped: noSkips(), removed: 0 };
  const named = new Set<string>();
  let pending: OutputDigest[] = [];
  const flush = () => {
    if (pending.length > 0) store.storeOutputDigests(liveRoot, pending);
    pending = [];
  };
  for (const slug of slugs) {
    for (const file of namedOutputs(path.join(liveRoot, slug), result.skipped)) {
      if (named.has(file)) continue;
      named.add(file);
      const record = known.get(file);
      if (record !== null && outputDigestStaleness(record) === null) {
        result.fresh++;
        continue;
      }
      const digest = verify(file);
      if (digest === null) {
        result.skipped.unreadable++;
        continue;
      }
      pending.push(digest);
      result.recorded++;
      if (isRacy(digest)) result.racy++;
      if (pending.length >= WRITE_BATCH) flush();
    }
  }
  flush();
  if ([...known.files()].some((file) => !named.has(file))) result.removed = store.deleteOutputDigestsExcept(liveRoot, named);
  return result;
}
