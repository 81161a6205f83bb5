import path from 'node:path';
import type Database from 'better-sqlite3';
import { CairnError } from '../util/index.js';
import type { Fingerprint } from './fingerprint.js';
import type { FreshnessOptions } from './freshness.js';
import { toStoreJson, type StoreJson } from './json-values.js';
import { prepared, preparedRaw } from './statements.js';
import { depsJson, storedDepsFresh, storedFingerprint } from './stored-deps.js';
import { liveRootKey, requireText } from './validate.js';

/**
 * One cached `list` row: the row payload and the fingerprints of the files it
 * was computed from. Put a format version inside `row` if its shape may
 * change between cairn versions: the store does not interpret it.
 */
export interface IndexEntry {
  liveRoot: string;
  slug: string;
  deps: Fingerprint[];
  row: StoreJson;
  /** When the deps were fingerprinted (ms since the epoch). */
  recordedAtMs: number;
}

/** An entry to store. */
export interface IndexEntryInput {
  slug: string;
  /** Fingerprints taken BEFORE the files were read to compute `row`. */
  deps: readonly Fingerprint[];
  row: StoreJson;
  /**
   * `Date.now()` captured before the first dep was fingerprinted. Default: now,
   * which is right only when the deps were fingerprinted just now.
   */
  recordedAtMs?: number;
}

interface IndexRow {
  slug: string;
  recorded_at_ms: number;
  deps: string;
  row: string;
}

/** A stored row that no longer parses is treated as absent (it will be recomputed). */
function toEntry(liveRoot: string, r: IndexRow): IndexEntry | null {
  try {
    const stored: unknown = JSON.parse(r.deps);
    if (!Array.isArray(stored)) return null;
    const deps: Fingerprint[] = [];
    for (const item of stored) {
      const dep = storedFingerprint(liveRoot, item);
      if (dep === null) return null;
      deps.push(dep);
    }
    return { liveRoot, slug: r.slug, deps, row: JSON.parse(r.row) as StoreJson, recordedAtMs: r.recorded_at_ms };
  } catch {
    return null;
  }
}

/** The cached entry for `slug` under `liveRoot`, or null. Check it with `isIndexEntryFresh` before use. */
export function lookupIndex(db: Database.Database, liveRoot: string, slug: string): IndexEntry | null {
  const root = liveRootKey(liveRoot);
  const row = prepared(db, 'SELECT slug, recorded_at_ms, deps, row FROM list_index WHERE live_root = ? AND slug = ?').get(
    root,
    requireText(slug, 'slug'),
  ) as IndexRow | undefined;
  return row === undefined ? null : toEntry(root, row);
}

/**
 * Cached entries under `liveRoot`, keyed by slug, read in one query: all of
 * them, or only those in `slugs`.
 */
export function lookupIndexMany(db: Database.Database, liveRoot: string, slugs?: Iterable<string>): Map<string, IndexEntry> {
  const root = liveRootKey(liveRoot);
  const wanted = slugs === undefined ? null : new Set(slugs);
  const rows = prepared(db, 'SELECT slug, recorded_at_ms, deps, row FROM list_index WHERE live_root = ?').all(root) as IndexRow[];
  const entries = new Map<string, IndexEntry>();
  for (const r of rows) {
    if (wanted !== null && !wanted.has(r.slug)) continue;
    const entry = toEntry(root, r);
    if (entry !== null) entries.set(r.slug, entry);
  }
  return entries;
}

/**
 * Like `lookupIndexMany` for every entry under `liveRoot`, but each entry is
 * decoded only when `get` is called for its slug: a listing that checks the
 * entries one by one never holds all of them decoded at once.
 */
export function lookupIndexLazy(db: Database.Database, liveRoot: string): LazyIndex {
  const root = liveRootKey(liveRoot);
  const rows = new Map<string, IndexRow>();
  for (const r of prepared(db, 'SELECT slug, recorded_at_ms, deps, row FROM list_index WHERE live_root = ?').iterate(root) as Iterable<IndexRow>) {
    rows.set(r.slug, r);
  }
  return {
    slugs: () => rows.keys(),
    get: (slug) => {
      const r = rows.get(slug);
      return r === undefined ? null : toEntry(root, r);
    },
  };
}

/** The cached entries under one live root, decoded on demand. */
export interface LazyIndex {
  /** Every slug with a stored entry (decodable or not). */
  slugs(): Iterable<string>;
  /** The entry for `slug`, or null when there is none or it no longer decodes. */
  get(slug: string): IndexEntry | null;
}

/** What the index can serve of a listing (see `freshIndexRows`). */
export interface FreshIndexRows {
  /** The stored row of each slug whose entry is fresh. */
  rows: Map<string, StoreJson>;
  /** Every slug with a stored entry (fresh or not, decodable or not). */
  slugs: string[];
}

/**
 * The stored rows under `liveRoot` whose entries are fresh: for each entry
 * the answer of `get` and then `isIndexEntryFresh`, read in one query with
 * each entry checked as it comes (one lstat per dep, compared with the
 * stored fields as they are, no fingerprint built) and then dropped, so
 * only the rows served stay in memory.
 */
export function freshIndexRows(db: Database.Database, liveRoot: string, options: FreshnessOptions = {}): FreshIndexRows {
  const root = liveRootKey(liveRoot);
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  const rows = new Map<string, StoreJson>();
  const slugs: string[] = [];
  const query = preparedRaw(db, 'SELECT slug, recorded_at_ms, deps, row FROM list_index WHERE live_root = ?');
  for (const [slug, recordedAtMs, deps, row] of query.iterate(root) as Iterable<[string, number, string, string]>) {
    slugs.push(slug);
    try {
      if (storedDepsFresh(root, prefix, JSON.parse(deps), recordedAtMs, options)) rows.set(slug, JSON.parse(row) as StoreJson);
    } catch {
      // A stored entry that no longer parses is never served (it will be recomputed).
    }
  }
  return { rows, slugs };
}

/** Stores (replacing) entries under `liveRoot` in one transaction; returns how many. */
export function storeIndexMany(db: Database.Database, liveRoot: string, entries: Iterable<IndexEntryInput>): number {
  const root = liveRootKey(liveRoot);
  const now = Date.now();
  const rows = [...entries].map((e) => {
    const slug = requireText(e.slug, 'slug');
    const recordedAtMs = e.recordedAtMs ?? now;
    if (!Number.isSafeInteger(recordedAtMs) || recordedAtMs < 0) {
      throw new CairnError('invalid-input', `recordedAtMs of "${slug}" must be a non-negative integer.`);
    }
    return [root, slug, recordedAtMs, depsJson(root, e.deps, slug), toStoreJson(e.row, `index row of "${slug}"`)] as const;
  });
  const upsert = prepared(
    db,
    `INSERT INTO list_index (live_root, slug, recorded_at_ms, deps, row) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (live_root, slug) DO UPDATE SET recorded_at_ms = excluded.recorded_at_ms, deps = excluded.deps, row = excluded.row`,
  );
  db.transaction(() => {
    for (const r of rows) upsert.run(...r);
  }).immediate();
  return rows.length;
}

/** Stores (replacing) one entry. */
export function storeIndex(
  db: Database.Database,
  liveRoot: string,
  slug: string,
  deps: readonly Fingerprint[],
  row: StoreJson,
  recordedAtMs?: number,
): void {
  storeIndexMany(db, liveRoot, [recordedAtMs === undefined ? { slug, deps, row } : { slug, deps, row, recordedAtMs }]);
}

/** Deletes every entry under `liveRoot` whose slug is not in `keep`; returns how many were deleted. */
export function deleteIndexExcept(db: Database.Database, liveRoot: string, keep: Iterable<string>): number {
  const root = liveRootKey(liveRoot);
  const kept = new Set(keep);
  const remove = prepared(db, 'DELETE FROM list_index WHERE live_root = ? AND slug = ?');
  return db
    .transaction(() => {
      const slugs = prepared(db, 'SELECT slug FROM list_index WHERE live_root = ?').pluck().all(root) as string[];
      let deleted = 0;
      for (const slug of slugs) {
        if (!kept.has(slug)) deleted += remove.run(root, slug).changes;
      }
      return deleted;
    })
    .immediate();
}
