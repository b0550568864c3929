import type { Run } from '../src/domain/run.ts';
import { formatTimestamp, type Micros } from '../src/domain/timestamp.ts';
import type { SqlClient } from './sql-client.ts';

export const THIN_TABLE = 'thin_runs';
const COLUMNS = 'session_id, status, created_at, workflow_id, workspace_id, execution_start, execution_end, dry_run, credential_id';
const BATCH = 500;

/** Issue 5's thin schema: a rowid, ISO-text timestamps and one index per access path, nothing clever. */
export async function createThinTable(client: SqlClient, kind: 'sqlite' | 'postgres'): Promise<void> {
  const id = kind === 'sqlite' ? 'id INTEGER PRIMARY KEY' : 'id BIGSERIAL PRIMARY KEY';
  await client.exec(`
    CREATE TABLE ${THIN_TABLE} (
      ${id}, session_id TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, workflow_id TEXT NOT NULL,
      workspace_id TEXT NOT NULL, execution_start TEXT, execution_end TEXT, dry_run BOOLEAN NOT NULL, credential_id TEXT);
    CREATE INDEX thin_ws ON ${THIN_TABLE} (workspace_id, created_at);
    CREATE INDEX thin_ws_workflow ON ${THIN_TABLE} (workspace_id, workflow_id, created_at);
    CREATE INDEX thin_ws_credential ON ${THIN_TABLE} (workspace_id, credential_id, created_at);
    CREATE INDEX thin_ws_status ON ${THIN_TABLE} (workspace_id, status, created_at);`);
}

const iso = (micros: Micros | null) => (micros === null ? null : formatTimestamp(micros));

/** An INSERT of n rows, and the values of one row for it. */
export const insertThinSql = (rows: number): string =>
  `INSERT INTO ${THIN_TABLE} (${COLUMNS}) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;

export const thinValues = (r: Run, kind: 'sqlite' | 'postgres'): unknown[] => [
  r.sessionId, r.status, iso(r.createdAt), r.workflowId, r.workspaceId, iso(r.executionStart), iso(r.executionEnd),
  kind === 'sqlite' ? Number(r.dryRun) : r.dryRun, r.credentialId,
];

/**
 * Loads runs with multi-row INSERTs of 500 rows, each its own transaction.
 * PostgreSQL gets the ANALYZE that autovacuum would soon run anyway; SQLite
 * gets none, as a naive deployment would not run one.
 */
export async function loadThinTable(client: SqlClient, kind: 'sqlite' | 'postgres', runs: Iterable<Run>): Promise<number> {
  let values: unknown[] = [];
  let count = 0;
  const flush = async () => {
    await client.all(insertThinSql(values.length / 9), values);
    values = [];
  };
  for (const r of runs) {
    values.push(...thinValues(r, kind));
    count += 1;
    if (count % BATCH === 0) await flush();
  }
  if (values.length > 0) await flush();
  if (kind === 'postgres') await client.exec(`ANALYZE ${THIN_TABLE}`);
  return count;
}
