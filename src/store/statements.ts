import type Database from 'better-sqlite3';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A prepared statement for `sql` on `db`, compiled once per connection. */
export function prepared(db: Database.Database, sql: string): Database.Statement {
  return cached(db, sql, false);
}

/** Like `prepared`, but the statement returns each row as an array of its columns (cheaper than an object). */
export function preparedRaw(db: Database.Database, sql: string): Database.Statement {
  return cached(db, sql, true);
}

function cached(db: Database.Database, sql: string, raw: boolean): Database.Statement {
  const key = raw ? `raw:${sql}` : sql;
  let statements = cache.get(db);
  if (statements === undefined) {
    statements = new Map();
    cache.set(db, statements);
  }
  let statement = statements.get(key);
  if (statement === undefined) {
    statement = db.prepare(sql);
    if (raw) statement.raw(true);
    statements.set(key, statement);
  }
  return statement;
}
