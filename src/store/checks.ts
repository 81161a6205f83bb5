import type Database from 'better-sqlite3';

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Names of the user tables (SQLite's own `sqlite_*` tables excluded), sorted. */
export function tableNames(db: Database.Database): string[] {
  const rows = db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`)
    .all() as { name: string }[];
  return rows.map((r) => r.name);
}

/** Exact row count of every user table, keyed by table name. */
export function rowCounts(db: Database.Database): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of tableNames(db)) {
    const row = db.prepare(`SELECT count(*) AS n FROM ${quoteIdentifier(name)}`).get() as { n: number };
    counts[name] = row.n;
  }
  return counts;
}

interface ForeignKeyViolation {
  table: string;
  rowid: number | null;
  parent: string;
}

/** Every row whose foreign key points at a missing parent, one sentence each. */
export function foreignKeyViolations(db: Database.Database): string[] {
  const rows = db.pragma('foreign_key_check') as ForeignKeyViolation[];
  return rows.map((r) => `table "${r.table}" row ${r.rowid ?? '?'} references a missing row of "${r.parent}"`);
}

/** Problems `PRAGMA quick_check` reports; empty when the file is sound. */
export function quickCheckProblems(db: Database.Database): string[] {
  const rows = db.pragma('quick_check') as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
  return problems;
}

/** `PRAGMA user_version`: the store's schema version (0 for a new, empty file). */
export function readUserVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
