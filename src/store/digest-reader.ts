import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { readUserVersion, tableNames } from './checks.js';
import { digestPathKey, lookupOutputDigestsBelow, outputDigestStaleness, type OutputDigest } from './output-digests.js';
import { assertStorePathConfined } from './paths.js';
import { sqliteDatabase } from './sqlite.js';
import { prepared } from './statements.js';
import { liveRootKey } from './validate.js';

type DigestsBelow = ReturnType<typeof lookupOutputDigestsBelow>;

/** Answers, from the store's verified digests, whether a file may be taken as matching without reading it. */
export interface OutputDigestReader {
  /**
   * True when the store holds a record of `file` (absolute, below `liveRoot`)
   * with digest `sha256` that a fresh `lstat` still vouches for (see
   * `outputDigestStaleness`). False for anything else, a failure of the
   * store included: the caller then reads and hashes the file itself.
   */
  matches(liveRoot: string, file: string, sha256: string): boolean;
  /** True when the store holds any record below `liveRoot`; false for any failure. */
  holdsAny(liveRoot: string): boolean;
  close(): void;
}

const NONE: OutputDigestReader = { matches: () => false, holdsAny: () => false, close() {} };

/** Migrations asked about one by one before the reader loads every record of the live root at once. */
const WHOLE_ROOT_AFTER = 16;

/** The first schema version with the `output_digests` table. */
const DIGESTS_VERSION = 3;

/**
 * Opens the store at `storePath` to read its verified digests without
 * writing anything: the file is opened read-only and `immutable`, so SQLite
 * takes no lock and creates no -wal or -shm file, and a store locked by
 * another process is read all the same. What it sees is the main database
 * file; records still in another process's write-ahead log are not seen
 * (`cairn index` checkpoints when it ends). A record read while another
 * process checkpoints is still one that `cairn index` once wrote, and each
 * record is checked against the file itself before it counts, so a
 * concurrent writer can cost a lookup but never make a wrong one pass.
 * A missing, damaged, older or unconfined store (`assertStorePathConfined`),
 * or any failure later, gives a reader that matches nothing.
 */
export function openOutputDigestReader(storePath: string): OutputDigestReader {
  let db: Database.Database;
  try {
    assertStorePathConfined(storePath);
    const Database = sqliteDatabase();
    db = new Database(`${pathToFileURL(path.resolve(storePath)).href}?immutable=1`, { readonly: true, fileMustExist: true });
  } catch {
    return NONE;
  }
  try {
    if (readUserVersion(db) < DIGESTS_VERSION || !tableNames(db).includes('output_digests')) {
      db.close();
      return NONE;
    }
  } catch {
    db.close();
    return NONE;
  }
  let failed = false;
  // The checks of one migration ask for its files one after another, so its records are read in
  // one query; once a run has asked about enough migrations, every record of the root in one.
  let cached: { root: string; dir: string; digests: DigestsBelow } | null = null;
  let whole: { root: string; digests: DigestsBelow } | null = null;
  let dirsAsked = 0;
  const recordOf = (root: string, key: string): OutputDigest | null => {
    if (whole !== null && whole.root === root) return whole.digests.get(key);
    const dir = key.slice(0, key.indexOf('/'));
    if (cached === null || cached.root !== root || cached.dir !== dir) {
      if (++dirsAsked > WHOLE_ROOT_AFTER) {
        whole = { root, digests: lookupOutputDigestsBelow(db, root, null) };
        cached = null;
        return whole.digests.get(key);
      }
      cached = { root, dir, digests: lookupOutputDigestsBelow(db, root, dir) };
    }
    return cached.digests.get(key);
  };
  return {
    matches(liveRoot, file, sha256) {
      if (failed) return false;
      try {
        const root = liveRootKey(liveRoot);
        const key = digestPathKey(root, file);
        if (key === null || key.indexOf('/') <= 0) return false;
        const digest = recordOf(root, key);
        return digest !== null && digest.sha256 === sha256 && outputDigestStaleness(digest) === null;
      } catch {
        failed = true;
        return false;
      }
    },
    holdsAny(liveRoot) {
      if (failed) return false;
      try {
        return prepared(db, 'SELECT 1 FROM output_digests WHERE live_root = ? LIMIT 1').get(liveRootKey(liveRoot)) !== undefined;
      } catch {
        return false;
      }
    },
    close() {
      cached = null;
      whole = null;
      if (db.open) db.close();
    },
  };
}
