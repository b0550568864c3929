import Database from 'better-sqlite3';
import pg from 'pg';

/** The little the bench's own SQL needs from either database: run a statement, prepared once per text. */
export interface SqlClient {
  all(sql: string, params?: unknown[]): Promise<unknown[]>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export function sqliteClient(path: string, pragmas: readonly string[] = []): SqlClient & { db: Database.Database } {
  const db = new Database(path);
  for (const pragma of pragmas) db.pragma(pragma);
  const statements = new Map<string, Database.Statement>();
  return {
    db,
    async all(sql, params = []) {
      let statement = statements.get(sql);
      if (statement === undefined) statements.set(sql, (statement = db.prepare(sql)));
      return statement.reader ? statement.all(...params) : (statement.run(...params), []);
    },
    async exec(sql) {
      db.exec(sql);
    },
    async close() {
      db.close();
    },
  };
}

/** `?` placeholders become $1, $2…; each distinct text is a named prepared statement on every connection. */
export function postgresClient(url: string, connections: number): SqlClient {
  const pool = new pg.Pool({ connectionString: url, max: connections });
  const names = new Map<string, { name: string; text: string }>();
  return {
    async all(sql, params = []) {
      let prepared = names.get(sql);
      if (prepared === undefined) {
        let n = 0;
        prepared = { name: `s${names.size}`, text: sql.replace(/\?/g, () => `$${(n += 1)}`) };
        names.set(sql, prepared);
      }
      return (await pool.query({ ...prepared, values: params })).rows;
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async close() {
      await pool.end();
    },
  };
}
