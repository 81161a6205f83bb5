import path from 'node:path';
import type Database from 'better-sqlite3';
import { CairnError } from '../util/index.js';
import { isFingerprint, type Fingerprint } from './fingerprint.js';
import { indexEntryStaleness, type Staleness } from './freshness.js';
import { prepared } from './statements.js';
import { liveRootKey } from './validate.js';

/**
 * A stage output's SHA-256 as `cairn index` computed it, with the
 * fingerprint taken from the same open it read the bytes through. It
 * vouches for the file's content only while a fresh `lstat` still matches
 * the fingerprint and the file is not racy: the list index's rule, for an
 * entry with this one dependency.
 */
export interface OutputDigest {
  /** The file, absolute. */
  file: string;
  fingerprint: Fingerprint;
  /** Lower-case hex. */
  sha256: string;
  /** `Date.now()` taken before the file was opened. */
  recordedAtMs: number;
}

interface DigestRow {
  path: string;
  recorded_at_ms: number;
  kind: string;
  size: number;
  mtime_ns: string;
  ctime_ns: string;
  ino: string;
  dev: string;
  mode: number;
  sha256: string;
}

const SHA256 = /^[0-9a-f]{64}$/;
const COLUMNS = 'path, recorded_at_ms, kind, size, mtime_ns, ctime_ns, ino, dev, mode, sha256';

/**
 * The key of `file` under `root`: its path relative to the root with `/`
 * separators, or null when it is not below the root.
 */
export function digestPathKey(root: string, file: string): string | null {
  // The common case, a normalised absolute path below the root, without path.relative's work.
  if (file.startsWith(root) && file[root.length] === path.sep && path.isAbsolute(file) && path.normalize(file) === file) {
    const relative = file.slice(root.length + 1);
    return path.sep === '/' ? relative : relative.split(path.sep).join('/');
  }
  const relative = path.relative(root, path.resolve(file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return relative.split(path.sep).join('/');
}

/** A stored row as a record, or null when it does not decode (it is then ignored). */
function toDigest(root: string, row: DigestRow): OutputDigest | null {
  if (row.kind !== 'file' || !SHA256.test(row.sha256) || !Number.isSafeInteger(row.recorded_at_ms)) return null;
  const file = path.join(root, ...row.path.split('/'));
  const fingerprint = { path: file, kind: row.kind, size: row.size, mtimeNs: row.mtime_ns, ctimeNs: row.ctime_ns, ino: row.ino, dev: row.dev, mode: row.mode };
  return isFingerprint(fingerprint) ? { file, sha256: row.sha256, recordedAtMs: row.recorded_at_ms, fingerprint } : null;
}

/** Why `digest` cannot vouch for its file now (the list index's rule), or null when it can. */
export function outputDigestStaleness(digest: OutputDigest): Staleness | null {
  return indexEntryStaleness({ deps: [digest.fingerprint], recordedAtMs: digest.recordedAtMs });
}

/**
 * The records of the files below the directory `dir` of `liveRoot` (a key
 * prefix: `slug` for a migration directory; null for the whole root), read
 * in one query and decoded one by one when asked for by file key.
 */
export function lookupOutputDigestsBelow(db: Database.Database, liveRoot: string, dir: string | null): { get(key: string): OutputDigest | null } {
  const root = liveRootKey(liveRoot);
  const rows = (
    dir === null
      ? prepared(db, `SELECT ${COLUMNS} FROM output_digests WHERE live_root = ?`).all(root)
      : prepared(db, `SELECT ${COLUMNS} FROM output_digests WHERE live_root = ? AND path >= ? AND path < ?`).all(root, `${dir}/`, `${dir}0`)
  ) as DigestRow[];
  const byKey = new Map<string, DigestRow>();
  for (const row of rows) byKey.set(row.path, row);
  return {
    get: (key) => {
      const row = byKey.get(key);
      return row === undefined ? null : toDigest(root, row);
    },
  };
}

/** Every record under one live root, decoded on demand. */
export interface LazyDigests {
  /** The file of every stored record, absolute (decodable or not). */
  files(): Iterable<string>;
  /** The record of `file`, or null when there is none or it does not decode. */
  get(file: string): OutputDigest | null;
}

/** Every record under `liveRoot`, read in one query and decoded one by one when asked for. */
export function lookupOutputDigestsLazy(db: Database.Database, liveRoot: string): LazyDigests {
  const root = liveRootKey(liveRoot);
  const rows = new Map<string, DigestRow>();
  for (const row of prepared(db, `SELECT ${COLUMNS} FROM output_digests WHERE live_root = ?`).iterate(root) as Iterable<DigestRow>) {
    rows.set(path.join(root, ...row.path.split('/')), row);
  }
  return {
    files: () => rows.keys(),
    get: (file) => {
      const row = rows.get(path.resolve(file));
      return row === undefined ? null : toDigest(root, row);
    },
  };
}

/** Stores (replacing) records under `liveRoot` in one transaction; returns how many. */
export function storeOutputDigests(db: Database.Database, liveRoot: string, digests: Iterable<OutputDigest>): number {
  const root = liveRootKey(liveRoot);
  const rows = [...digests].map((digest) => {
    const key = digestPathKey(root, digest.file);
    const fp = digest.fingerprint;
    if (key === null) throw new CairnError('invalid-input', `${digest.file} is not inside ${root}.`);
    if (fp.kind !== 'file' || path.resolve(fp.path) !== path.resolve(digest.file)) {
      throw new CairnError('invalid-input', `The fingerprint of ${digest.file} is not that of the regular file itself.`);
    }
    if (!SHA256.test(digest.sha256)) throw new CairnError('invalid-input', `The digest of ${digest.file} is not a lower-case SHA-256.`);
    if (!Number.isSafeInteger(digest.recordedAtMs) || digest.recordedAtMs < 0) {
      throw new CairnError('invalid-input', `recordedAtMs of ${digest.file} must be a non-negative integer.`);
    }
    return [root, key, digest.recordedAtMs, fp.kind, fp.size, fp.mtimeNs, fp.ctimeNs, fp.ino, fp.dev, fp.mode, digest.sha256] as const;
  });
  const upsert = prepared(
    db,
    `INSERT INTO output_digests (live_root, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (live_root, path) DO UPDATE SET recorded_at_ms = excluded.recorded_at_ms, kind = excluded.kind, size = excluded.size,
       mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns, ino = excluded.ino, dev = excluded.dev, mode = excluded.mode, sha256 = excluded.sha256`,
  );
  db.transaction(() => {
    for (const row of rows) upsert.run(...row);
  }).immediate();
  return rows.length;
}

/** Deletes every record under `liveRoot` whose file is not in `keep` (absolute paths); returns how many. */
export function deleteOutputDigestsExcept(db: Database.Database, liveRoot: string, keep: Iterable<string>): number {
  const root = liveRootKey(liveRoot);
  const kept = new Set<string>();
  for (const file of keep) {
    const key = digestPathKey(root, file);
    if (key !== null) kept.add(key);
  }
  const remove = prepared(db, 'DELETE FROM output_digests WHERE live_root = ? AND path = ?');
  return db
    .transaction(() => {
      const keys = prepared(db, 'SELECT path FROM output_digests WHERE live_root = ?').pluck().all(root) as string[];
      let deleted = 0;
      for (const key of keys) {
        if (!kept.has(key)) deleted += remove.run(root, key).changes;
      }
      return deleted;
    })
    .immediate();
}
