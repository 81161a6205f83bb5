import type Database from 'better-sqlite3';
import { newTimeOrderedId } from './ids.js';
import { toStoreJson, type StoreJson } from './json-values.js';
import { prepared } from './statements.js';
import { isoTime, optionalLimit, optionalText, requireText } from './validate.js';

/**
 * Event kinds cairn records. Kinds are free text (any non-empty string is
 * stored); these are the ones cairn itself uses.
 */
export type KnownEventKind =
  | 'publish.published'
  | 'publish.blocked'
  | 'publish.failed'
  | 'recovery'
  | 'review'
  | 'lock.reclaimed'
  | 'unlock'
  | 'store.recovered';

/** An event to record. */
export interface EventInput {
  kind: KnownEventKind | (string & {});
  /** The migration it concerns, if any. */
  slug?: string | null;
  /** Any JSON value; default `{}`. */
  details?: StoreJson;
  /** Default: now. */
  at?: Date;
}

/** A recorded event. */
export interface EventRecord {
  id: string;
  /** ISO 8601 UTC. */
  at: string;
  slug: string | null;
  kind: string;
  details: StoreJson;
}

/** Filters for `listEvents`; results are newest first. */
export interface EventFilter {
  slug?: string;
  kind?: string;
  limit?: number;
}

const INSERT_EVENT_SQL = 'INSERT INTO events (id, at, slug, kind, details) VALUES (?, ?, ?, ?, ?)';

/** Records an event; returns its new id (`e-<yyyymmddThhmmss>-<hex>`). */
export function recordEvent(db: Database.Database, input: EventInput): string {
  const kind = requireText(input.kind, 'event kind');
  const slug = optionalText(input.slug, 'slug');
  const details = toStoreJson(input.details ?? {}, 'event details');
  const at = input.at ?? new Date();
  const atIso = isoTime(at, 'at');
  const id = newTimeOrderedId('e', at);
  prepared(db, INSERT_EVENT_SQL).run(id, atIso, slug, kind, details);
  return id;
}

/** Events matching `filter`, newest first (by the order they were recorded). */
export function listEvents(db: Database.Database, filter: EventFilter = {}): EventRecord[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.slug !== undefined) {
    where.push('slug = ?');
    params.push(requireText(filter.slug, 'slug'));
  }
  if (filter.kind !== undefined) {
    where.push('kind = ?');
    params.push(requireText(filter.kind, 'event kind'));
  }
  const limit = optionalLimit(filter.limit);
  let sql = 'SELECT id, at, slug, kind, details FROM events';
  if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
  sql += ' ORDER BY seq DESC';
  if (limit !== null) {
    sql += ' LIMIT ?';
    params.push(limit);
  }
  const rows = prepared(db, sql).all(...params) as { id: string; at: string; slug: string | null; kind: string; details: string }[];
  return rows.map((r) => ({ id: r.id, at: r.at, slug: r.slug, kind: r.kind, details: JSON.parse(r.details) as StoreJson }));
}
