import type { ListQuery } from '../../domain/list-query.ts';
import { combinations, listPlan, MAX_FAN_OUT, type Filter } from '../list-plan.ts';
import { LARGE_PAGE, type RunPage } from '../run-store.ts';
import { copyPage } from './copy-page.ts';
import { toDbText } from './nul-safe-text.ts';
import type { NamedStatement, ReadPipeline } from './read-pipeline.ts';
import { inlineValues, type SqlValue } from './sql-literal.ts';

/** Sorts before every session_id: (t, NIL) excludes every run at t and nothing after it. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const ORDER = 'ORDER BY created_at DESC, session_id DESC LIMIT $6';

/**
 * How the store reads one query: equalities every scan shares, and the
 * scans ("arms"), each an equality per multi-valued filter. list-plan fans
 * out one multi-valued filter and leaves the others as IN lists; PostgreSQL
 * 15 reads `column = ANY(list)` on an index in index order per value, not
 * in created_at order, and so sorts the window. Here every multi-valued
 * filter is fanned out (one arm per combination of values) while the
 * combinations stay within MAX_FAN_OUT; past that, list-plan's choice holds.
 */
interface Read {
  shared: Filter[];
  fannedOut: Filter[];
  name: string;
}

function readOf(query: ListQuery): Read {
  const plan = listPlan(query);
  const all = plan.fanOut === undefined ? plan.filters : [...plan.filters, plan.fanOut];
  const multi = all.filter((f) => f.values.length > 1);
  const arms = multi.reduce((n, f) => n * f.values.length, 1);
  const [shared, fannedOut] =
    arms <= MAX_FAN_OUT ? [all.filter((f) => f.values.length === 1), multi] : [plan.filters, plan.fanOut ? [plan.fanOut] : []];
  const name = [
    ...shared.map((f) => `${f.column}${f.values.length === 1 ? '=' : ' in'}`),
    ...fannedOut.map((f) => `${f.column}*${f.values.length}`),
  ].join(',');
  return { shared, fannedOut, name: `rl_list_${name}` };
}

/** Credential ids are stored escaped (nul-safe-text.ts); UUIDs and statuses cannot need it. */
const dbValue = (f: Filter, value: string): string => (f.column === 'credential_id' ? toDbText(value) : value);

const cast = (f: Filter): string => (f.column === 'workflow_id' ? 'uuid' : 'text');

/**
 * $1 workspace, $2..$3 the window up to where the page continues, ($4, $5)
 * that position (never after the window's end), $6 the limit, then the shared
 * filters' values, then each fanned-out filter's values. Each arm is ordered
 * and limited on its own so that PostgreSQL reads it as a backwards index
 * range scan (an Append over the window's partitions, newest first)
 * that stops after `limit` rows, and merges the arms with a Merge Append.
 *
 * The row value ($4, $5) bounds the scan from above; `created_at <= $3` is
 * there only for partition pruning, so $3 is the cursor's time when there is
 * one: a deep page then starts no scan in the partitions after it (a
 * year's window with the cursor at day 300: 5 monthly partitions scanned
 * against 14, and 10-15 % less of PostgreSQL's CPU), and a prepared merge
 * of arms writes it as `<= ANY(ARRAY[$3])`, which prunes alike. Written plainly, PostgreSQL
 * pairs it with `>= $2` into a range of unknown bounds, which it guesses at
 * 0.5 % of the table when it makes the generic plan it caches. A window
 * that small makes every plan look cheap, and under a merge of limited arms
 * (each costed for a tenth of its rows, then a tenth of that) PostgreSQL
 * picked by start-up cost alone: where the primary key is a level shallower
 * than the filter's index, each arm read the whole window along the primary
 * key and filtered it (200,000 runs, 3 statuses over 30 days). The two
 * bounds guessed apart make the window 20 times larger, and the filter's
 * index wins again. The price is building a one-element array for each run
 * read, about 0.15 µs (Q2's 500 runs: 660 against 531 µs of PostgreSQL's
 * CPU), so a single scan, whose plan the plan test finds right with the
 * plain bound, keeps it. So does a page read on one partition, where
 * nothing is pruned: there, a window of one month in a quarter's partition
 * made PostgreSQL take the ANY as an index condition, which PostgreSQL 15
 * reads in no useful order, and sort each arm (plan test, last month).
 */
function listSql(read: Read, prepared: boolean, table: string): string {
  const arms = combinations(read.fannedOut);
  // One scan orders by columns it need not output; arms merged by a UNION must output their keys.
  const columns = arms.length === 1 ? 'json' : 'created_at, session_id, json';
  const where = [
    'workspace = $1',
    'created_at >= $2',
    prepared && arms.length > 1 && table === 'runs' ? 'created_at <= ANY(ARRAY[$3::bigint])' : 'created_at <= $3',
    '(created_at, session_id) < ($4, $5::uuid)',
    ...read.shared.map((f, i) =>
      f.values.length === 1 ? `${f.column} = $${7 + i}::${cast(f)}` : `${f.column} = ANY($${7 + i}::${cast(f)}[])`,
    ),
  ].join(' AND ');
  const firstParam: number[] = [];
  read.fannedOut.reduce((next, f) => (firstParam.push(next), next + f.values.length), 7 + read.shared.length);
  const arm = (combination: number[]) => {
    const equalities = combination.map((v, k) => ` AND ${read.fannedOut[k].column} = $${firstParam[k] + v}::${cast(read.fannedOut[k])}`);
    return `SELECT ${columns} FROM ${table} WHERE ${where}${equalities.join('')} ${ORDER}`;
  };
  if (arms.length === 1) return arm(arms[0]);
  return `SELECT json FROM (${arms.map((c) => `(${arm(c)})`).join(' UNION ALL ')} ${ORDER}) page`;
}

/**
 * Up to LARGE_PAGE runs, a page is read on the main thread through the
 * pipeline, as a named prepared statement, and built inside PostgreSQL:
 * the runs' stored fragments joined by string_agg, in list order (the
 * LIMITed subquery's), and the number of runs. The joined value is copied
 * into the page as bytes, straight off the socket (read-pipeline.ts), so
 * it is never a JS string. A larger page, read on a reader thread, is
 * copied out with COPY, a run per row (copy-page.ts), planned for its
 * values: slicing an array of 10,000 costs PostgreSQL five times the join
 * itself, and one string_agg value cost it 13 ms of a 10,000-run page's
 * 21 ms of CPU (8 ms as rows).
 */
const pipelined = (query: ListQuery): boolean => query.limit <= LARGE_PAGE;

/**
 * The statement and values for one GET /runs query; the plan test explains
 * exactly this. Pages up to LARGE_PAGE runs run it as a named prepared
 * statement; larger ones inline the values into a COPY, which takes no
 * parameters, and is planned for them.
 *
 * `table` is runs, or the one partition that holds the whole window
 * (partitions.ts, RunPartitions.holding). A generic plan on runs locks
 * every partition and prunes them as it starts: pgbench at 10 clients ran an
 * empty page (Q8) at 66,200 tps through runs and 76,400 on its partition, and
 * over HTTP 7 days of failed runs served 11 % more. A prepared statement's
 * name names its table.
 */
export function listStatement(
  workspace: number,
  query: ListQuery,
  table = 'runs',
): { name?: string; text: string; values: SqlValue[] } {
  const read = readOf(query);
  const prepared = pipelined(query);
  // Without a cursor, or with one past `end`, the page starts just after `end`, before any session_id.
  const [cursorAt, cursorId] =
    query.cursor !== undefined && query.cursor.createdAt <= query.end ? [query.cursor.createdAt, query.cursor.sessionId ?? NIL_UUID] : [query.end + 1, NIL_UUID];
  return {
    name: prepared ? (table === 'runs' ? read.name : `${read.name}@${table.slice(-6)}`) : undefined,
    text: prepared ? `SELECT count(*), string_agg(json, ',') FROM (${listSql(read, true, table)}) page` : listSql(read, false, table),
    values: [
      workspace,
      query.start,
      Math.min(query.end, cursorAt),
      cursorAt,
      cursorId,
      query.limit,
      ...read.shared.map((f) => (f.values.length === 1 ? dbValue(f, f.values[0]) : f.values.map((v) => dbValue(f, v)))),
      ...read.fannedOut.flatMap((f) => f.values.map((v) => dbValue(f, v))),
    ],
  };
}

/** Bytes a run's fragment takes, about: how much a page copied out is given to start with. */
const RUN_BYTES = 360;

/**
 * A page of runs: the stored JSON fragments joined, byte for byte what the
 * SQLite store sends. `table` as for listStatement. A page up to LARGE_PAGE
 * runs is read through the pipeline; a larger one is copied out on a
 * connection of the pipeline's pool.
 */
export function listRuns(reads: ReadPipeline, workspace: number, query: ListQuery, table = 'runs'): Promise<RunPage> {
  const statement = listStatement(workspace, query, table);
  return pipelined(query)
    ? reads.page(statement as NamedStatement)
    : copyPage(reads.pool, inlineValues(statement.text, statement.values), query.limit * RUN_BYTES);
}
