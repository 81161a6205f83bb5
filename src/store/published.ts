import path from 'node:path';
import type Database from 'better-sqlite3';
import { prepared } from './statements.js';
import { isoTime, requireText } from './validate.js';

/** The last snapshot cairn published for one migration under one live root. */
export interface PublishedSnapshot {
  /** Absolute path of the live migrations root. */
  liveRoot: string;
  slug: string;
  snapshotId: string;
  /** ISO 8601 UTC. */
  at: string;
}

/** Records (replacing any earlier one) the snapshot cairn just published for `slug`. */
export function setPublishedSnapshot(
  db: Database.Database,
  liveRoot: string,
  slug: string,
  snapshotId: string,
  at?: Date,
): PublishedSnapshot {
  const record: PublishedSnapshot = {
    liveRoot: path.resolve(requireText(liveRoot, 'liveRoot')),
    slug: requireText(slug, 'slug'),
    snapshotId: requireText(snapshotId, 'snapshotId'),
    at: isoTime(at, 'at'),
  };
  prepared(
    db,
    `INSERT INTO published_snapshots (live_root, slug, snapshot_id, at) VALUES (?, ?, ?, ?)
     ON CONFLICT (live_root, slug) DO UPDATE SET snapshot_id = excluded.snapshot_id, at = excluded.at`,
  ).run(record.liveRoot, record.slug, record.snapshotId, record.at);
  return record;
}

/** The snapshot cairn last published for `slug` under `liveRoot`, or null. */
export function getPublishedSnapshot(db: Database.Database, liveRoot: string, slug: string): PublishedSnapshot | null {
  const root = path.resolve(requireText(liveRoot, 'liveRoot'));
  const row = prepared(db, 'SELECT snapshot_id, at FROM published_snapshots WHERE live_root = ? AND slug = ?').get(
    root,
    requireText(slug, 'slug'),
  ) as { snapshot_id: string; at: string } | undefined;
  return row === undefined ? null : { liveRoot: root, slug, snapshotId: row.snapshot_id, at: row.at };
}
