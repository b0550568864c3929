import type Database from 'better-sqlite3';
import type { ListQuery } from '../../domain/list-query.ts';
import { combinations, listPlan, MAX_FAN_OUT, type Filter, type FilterColumn, type ListPlan } from '../list-plan.ts';
import type { RunPage } from '../run-store.ts';

/** Greater than any session_id: with it, a cursor at `end` excludes nothing at `end`. */
const AFTER_ANY_ID = '~';

/**
 * How SQLite reads a plan: the index that drives it, the filters checked on
 * its entries, and the scans (arms) it merges, each an equality per column.
 * A plan fanned out over statuses or workflows with the other list as an IN
 * filter (Q4: 2 statuses x 3 workflows) is read instead as one arm per
 * (status, workflow) pair on runs_by_status_workflow, up to MAX_FAN_OUT
 * pairs: a status arm walked every entry of its status in the window and
 * checked the workflow on it, about 1,300 entries for Q4's 500 runs.
 */
interface Read {
  index?: string;
  filters: Filter[];
  arms: Filter[];
  key: string;
}

const PAIRED: readonly FilterColumn[] = ['status', 'workflow_id'];

function readOf(plan: ListPlan): Read {
  const { fanOut, filters } = plan;
  const other = filters.length === 1 ? filters[0] : undefined;
  const paired =
    fanOut !== undefined &&
    other !== undefined &&
    other.values.length > 1 &&
    PAIRED.includes(fanOut.column) &&
    PAIRED.includes(other.column) &&
    fanOut.values.length * other.values.length <= MAX_FAN_OUT;
  if (paired) return { index: 'runs_by_status_workflow', filters: [], arms: [fanOut, other], key: `${plan.shape},pairs*${other.values.length}` };
  return { index: plan.index && `runs_by_${plan.index.replace('_id', '')}`, filters, arms: fanOut ? [fanOut] : [], key: plan.shape };
}

function armSql(read: Read, combination: number[], columns: string): string {
  const where = [
    'workspace = @ws',
    'created_at >= @start',
    'created_at <= @end',
    '(created_at, session_id) < (@cursorAt, @cursorId)',
    ...read.filters.map((f, i) =>
      f.values.length === 1 ? `${f.column} = @f${i}` : `${f.column} IN (SELECT value FROM json_each(@f${i}))`,
    ),
    ...combination.map((v, k) => `${read.arms[k].column} = @a${k}_${v}`),
  ];
  const source = read.index === undefined ? 'runs' : `runs INDEXED BY ${read.index}`;
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

/** The SQL of a read: one ordered scan, or a merge of one ordered scan per arm. */
const listSql = (read: Read, columns: string): string =>
  `${combinations(read.arms).map((c) => armSql(read, c, columns)).join(' UNION ALL ')} ${ORDER}`;

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
function pageSql(read: Read): string {
  const page = `count(*), CAST(coalesce('[' || group_concat(json, ',') || ']', '[]') AS BLOB)`;
  if (read.index === undefined) {
    return `SELECT ${page} FROM (${listSql(read, 'created_at, session_id, json')})`;
  }
  return (
    `SELECT ${page} FROM (${listSql(read, 'created_at, session_id')}) k ` +
    'CROSS JOIN runs r ON r.workspace = @ws AND r.created_at = k.created_at AND r.session_id = k.session_id'
  );
}

/**
 * The statement of one GET /runs query: its key among prepared statements,
 * its SQL (built only when the key is new: a page is a hot path), and its
 * parameters. The plan test explains exactly this.
 */
export function listStatement(workspace: number, query: ListQuery): { key: string; sql: () => string; params: Record<string, unknown> } {
  const read = readOf(listPlan(query));
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
  read.filters.forEach((f, i) => (params[`f${i}`] = f.values.length === 1 ? f.values[0] : JSON.stringify(f.values)));
  read.arms.forEach((f, k) => f.values.forEach((v, i) => (params[`a${k}_${i}`] = v)));
  return { key: read.key, sql: () => pageSql(read), params };
}

type PageRow = [count: number, body: Buffer];

/** Prepares each query shape once. */
export class RunLister {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}

  list(workspace: number, query: ListQuery): RunPage {
    const { key, sql, params } = listStatement(workspace, query);
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(sql()).raw(true);
      this.statements.set(key, statement);
    }
    const [count, body] = statement.get(params) as PageRow;
    return { body, count };
  }
}
