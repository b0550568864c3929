import type Database from 'better-sqlite3';
import type { ListQuery } from '../../domain/list-query.ts';
import { listPlan, type ListPlan } from '../list-plan.ts';
import type { RunPage } from '../run-store.ts';

/** Greater than any session_id: with it, a cursor at `end` excludes nothing at `end`. */
const AFTER_ANY_ID = '~';

function armSql(plan: ListPlan, arm: number | null, columns: string): string {
  const where = [
    'workspace = @ws',
    'created_at >= @start',
    'created_at <= @end',
    '(created_at, session_id) < (@cursorAt, @cursorId)',
    ...plan.filters.map((f, i) =>
      f.values.length === 1 ? `${f.column} = @f${i}` : `${f.column} IN (SELECT value FROM json_each(@f${i}))`,
    ),
  ];
  if (arm !== null) where.push(`${plan.fanOut!.column} = @o${arm}`);
  const source = plan.index === undefined ? 'runs' : `runs INDEXED BY runs_by_${plan.index.replace('_id', '')}`;
  return `SELECT ${columns} FROM ${source} WHERE ${where.join(' AND ')}`;
}

/**
 * The limit is bound as an expression, not a bare parameter: SQLite reads a
 * bare parameter's bound value when it plans a LIMIT, and a statement planned
 * with a bound value is prepared again whenever that parameter is bound anew,
 * which here is every execution. In-process on 1,000,000 runs, the same
 * pages: an empty page (Q8) 28 against 5-6 µs, 7 days of failed runs (Q2)
 * 480-580 against 440-490 µs, 2 statuses × 3 workflows (Q4) 890-940
 * against 725-845 µs.
 */
const ORDER = 'ORDER BY created_at DESC, session_id DESC LIMIT @limit + 0';

/** The SQL of a plan: one ordered scan, or a merge of one ordered scan per fanned-out value. */
function listSql(plan: ListPlan, columns: string): string {
  if (plan.fanOut === undefined) return `${armSql(plan, null, columns)} ${ORDER}`;
  return `${plan.fanOut.values.map((_, i) => armSql(plan, i, columns)).join(' UNION ALL ')} ${ORDER}`;
}

/**
 * The page as one row built inside SQLite: its size, the stored fragments
 * joined into the array as bytes (no JS string per run, no second encoding for
 * the socket). The aggregate takes the rows in the order the LIMITed subquery yields
 * them, which is list order (the API tests compare whole pages with it).
 *
 * Read through an index, the page's keys are chosen from the index where its
 * entries carry every filter (each index carries the usual companion filter,
 * access-indexes.ts; another filter is checked in the table), and only the
 * runs returned are looked up, the CROSS JOIN keeping the keys' order. Along
 * the primary key the rows are at hand already.
 */
export function pageSql(plan: ListPlan): string {
  const page = `count(*), CAST(coalesce('[' || group_concat(json, ',') || ']', '[]') AS BLOB)`;
  if (plan.index === undefined) {
    return `SELECT ${page} FROM (${listSql(plan, 'created_at, session_id, json')})`;
  }
  return (
    `SELECT ${page} FROM (${listSql(plan, 'created_at, session_id')}) k ` +
    'CROSS JOIN runs r ON r.workspace = @ws AND r.created_at = k.created_at AND r.session_id = k.session_id'
  );
}

type PageRow = [count: number, body: Buffer];

/** Prepares each query shape once. */
export class RunLister {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}

  list(workspace: number, query: ListQuery): RunPage {
    const plan = listPlan(query);
    let statement = this.statements.get(plan.shape);
    if (statement === undefined) {
      statement = this.db.prepare(pageSql(plan)).raw(true);
      this.statements.set(plan.shape, statement);
    }
    const params: Record<string, unknown> = {
      ws: workspace,
      start: query.start,
      // SQLite bounds an index range by created_at alone, not by the row value
      // below, so the cursor must also cap `end`: else a deep page would walk
      // every row from `end` down to the cursor.
      end: Math.min(query.end, query.cursor?.createdAt ?? query.end),
      cursorAt: query.cursor?.createdAt ?? query.end,
      cursorId: query.cursor ? (query.cursor.sessionId ?? '') : AFTER_ANY_ID,
      limit: query.limit,
    };
    plan.filters.forEach((f, i) => (params[`f${i}`] = f.values.length === 1 ? f.values[0] : JSON.stringify(f.values)));
    plan.fanOut?.values.forEach((v, i) => (params[`o${i}`] = v));
    const [count, body] = statement.get(params) as PageRow;
    return { body, count };
  }
}
