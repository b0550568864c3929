import type { RunPage } from './run-store.ts';

/** A list query's row: created_at, session_id and the run's stored JSON, in list order. */
export type PageRow = [createdAt: number, sessionId: string, json: string];

/** A page from rows read one by one (PostgreSQL): the stored JSON fragments joined into one array, and its last row for the cursor. SQLite joins them inside the database (sqlite/list-runs.ts). */
export function pageOfRows(rows: PageRow[]): RunPage {
  if (rows.length === 0) return { body: '[]', count: 0 };
  const [createdAt, sessionId] = rows[rows.length - 1];
  let body = '[';
  for (let i = 0; i < rows.length; i += 1) body += i === 0 ? rows[i][2] : `,${rows[i][2]}`;
  return { body: `${body}]`, count: rows.length, last: { createdAt, sessionId } };
}
