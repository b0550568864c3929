import type pg from 'pg';
import type { ListQuery } from '../../domain/list-query.ts';
import { listPlan, type ListPlan } from '../list-plan.ts';
import type { RunPage } from '../run-store.ts';

/** Sorts before every session_id: (t, NIL) excludes every run at t and nothing after it. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const ORDER = 'ORDER BY created_at DESC, session_id DESC LIMIT $6';

/**
 * One keyset scan: $1 workspace, $2..$3 the window, ($4, $5) the position
 * the page continues before, $6 the limit, then the filters' values, then
 * the fanned-out values. Each arm is ordered and limited on its own so that
 * PostgreSQL reads it as a backwards index range scan (an Append over the
 * window's monthly partitions, newest first) that stops after `limit` rows.
 */
function armSql(plan: ListPlan, arm: number | null): string {
  const where = [
    'workspace = $1',
    'created_at >= $2',
    'created_at <= $3',
    '(created_at, session_id) < ($4, $5::uuid)',
    ...plan.filters.map((f, i) => {
      const param = `$${7 + i}`;
      const type = f.column === 'workflow_id' ? 'uuid' : 'text';
      return f.values.length === 1 ? `${f.column} = ${param}::${type}` : `${f.column} = ANY(${param}::${type}[])`;
    }),
  ];
  if (arm !== null) where.push(`${plan.fanOut!.column} = $${7 + plan.filters.length + arm}`);
  return `SELECT created_at, session_id, json FROM runs WHERE ${where.join(' AND ')} ${ORDER}`;
}

/**
 * The SQL of a plan: one ordered scan, or one ordered scan per fanned-out
 * value merged newest first (PostgreSQL reads them through a Merge Append,
 * each arm stopping after `limit` rows).
 */
export function listSql(plan: ListPlan): string {
  if (plan.fanOut === undefined) return armSql(plan, null);
  return `${plan.fanOut.values.map((_, i) => `(${armSql(plan, i)})`).join(' UNION ALL ')} ${ORDER}`;
}

/** The named statement and values for one GET /runs query; the plan test explains exactly this. */
export function listStatement(workspace: number, query: ListQuery): pg.QueryConfig & { rowMode: 'array' } {
  const plan = listPlan(query);
  // Without a cursor the page starts after `end`: just past it, before any session_id.
  const [cursorAt, cursorId] = query.cursor
    ? [query.cursor.createdAt, query.cursor.sessionId ?? NIL_UUID]
    : [query.end + 1, NIL_UUID];
  return {
    name: `rl_list_${plan.shape}`,
    text: listSql(plan),
    values: [
      workspace,
      query.start,
      query.end,
      cursorAt,
      cursorId,
      query.limit,
      ...plan.filters.map((f) => (f.values.length === 1 ? f.values[0] : f.values)),
      ...(plan.fanOut?.values ?? []),
    ],
    rowMode: 'array',
  };
}

/** A page of runs: the stored JSON fragments joined, byte for byte what the SQLite store sends. */
export async function listRuns(pool: pg.Pool, workspace: number, query: ListQuery): Promise<RunPage> {
  const { rows } = await pool.query<[number, string, string]>(listStatement(workspace, query));
  if (rows.length === 0) return { body: '[]', count: 0 };
  const [createdAt, sessionId] = rows[rows.length - 1];
  let body = '[';
  for (let i = 0; i < rows.length; i += 1) body += i === 0 ? rows[i][2] : `,${rows[i][2]}`;
  return { body: `${body}]`, count: rows.length, last: { createdAt, sessionId } };
}
