/**
 * The naive list query that the thin server and the in-process baseline both
 * run: one WHERE with IN lists and an ORDER BY, as a hand-written or generated
 * REST layer would write it. Times are in whatever type the table stores
 * (ISO text in the thin table, integer microseconds in runledger's).
 */
export interface NaiveFilter {
  workspaceId: string;
  start: unknown;
  end: unknown;
  cursor?: unknown;
  statuses: readonly string[];
  workflows: readonly string[];
  credential?: string;
  limit: number;
}

export const LIST_COLUMNS = 'session_id, status, created_at, workflow_id, workspace_id, execution_start, execution_end, dry_run';

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** SQL with `?` placeholders and its parameters, in order. */
export function naiveListSql(table: string, f: NaiveFilter): { sql: string; params: unknown[] } {
  const where = ['workspace_id = ?', 'created_at >= ?', 'created_at <= ?'];
  const params: unknown[] = [f.workspaceId, f.start, f.end];
  if (f.cursor !== undefined) {
    where.push('created_at < ?');
    params.push(f.cursor);
  }
  if (f.statuses.length > 0) {
    where.push(`status IN (${marks(f.statuses.length)})`);
    params.push(...f.statuses);
  }
  if (f.workflows.length > 0) {
    where.push(`workflow_id IN (${marks(f.workflows.length)})`);
    params.push(...f.workflows);
  }
  if (f.credential !== undefined) {
    where.push('credential_id = ?');
    params.push(f.credential);
  }
  params.push(f.limit);
  return { sql: `SELECT ${LIST_COLUMNS} FROM ${table} WHERE ${where.join(' AND ')} ORDER BY created_at DESC LIMIT ?`, params };
}
