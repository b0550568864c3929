import type pg from 'pg';
import type { ListQuery } from '../../domain/list-query.ts';
import { listPlan, MAX_FAN_OUT, type Filter } from '../list-plan.ts';
import type { RunPage } from '../run-store.ts';
import { toDbText } from './nul-safe-text.ts';

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
  const combinations = multi.reduce((n, f) => n * f.values.length, 1);
  const [shared, fannedOut] =
    combinations <= MAX_FAN_OUT ? [all.filter((f) => f.values.length === 1), multi] : [plan.filters, plan.fanOut ? [plan.fanOut] : []];
  const name = [
    ...shared.map((f) => `${f.column}${f.values.length === 1 ? '=' : ' in'}`),
    ...fannedOut.map((f) => `${f.column}*${f.values.length}`),
  ].join(',');
  return { shared, fannedOut, name: `rl_list_${name}` };
}

/** Credential ids are stored escaped (nul-safe-text.ts); UUIDs and statuses cannot need it. */
const dbValue = (f: Filter, value: string): string => (f.column === 'credential_id' ? toDbText(value) : value);

const cast = (f: Filter): string => (f.column === 'workflow_id' ? 'uuid' : 'text');

/** Every combination of one value index per fanned-out filter. */
function combinations(filters: Filter[]): number[][] {
  return filters.reduce<number[][]>((acc, f) => acc.flatMap((c) => f.values.map((_, i) => [...c, i])), [[]]);
}

/**
 * $1 workspace, $2..$3 the window, ($4, $5) the position the page continues
 * before, $6 the limit, then the shared filters' values, then each
 * fanned-out filter's values. Each arm is ordered and limited on its own so
 * that PostgreSQL reads it as a backwards index range scan (an Append over
 * the window's monthly partitions, newest first) that stops after `limit`
 * rows, and merges the arms with a Merge Append.
 */
export function listSql(read: Read): string {
  const where = [
    'workspace = $1',
    'created_at >= $2',
    'created_at <= $3',
    '(created_at, session_id) < ($4, $5::uuid)',
    ...read.shared.map((f, i) =>
      f.values.length === 1 ? `${f.column} = $${7 + i}::${cast(f)}` : `${f.column} = ANY($${7 + i}::${cast(f)}[])`,
    ),
  ].join(' AND ');
  const firstParam: number[] = [];
  read.fannedOut.reduce((next, f) => (firstParam.push(next), next + f.values.length), 7 + read.shared.length);
  const arm = (combination: number[]) => {
    const equalities = combination.map((v, k) => ` AND ${read.fannedOut[k].column} = $${firstParam[k] + v}::${cast(read.fannedOut[k])}`);
    return `SELECT created_at, session_id, json FROM runs WHERE ${where}${equalities.join('')} ${ORDER}`;
  };
  const arms = combinations(read.fannedOut);
  return arms.length === 1 ? arm(arms[0]) : `${arms.map((c) => `(${arm(c)})`).join(' UNION ALL ')} ${ORDER}`;
}

/**
 * The page as one row built inside PostgreSQL: its size and the stored
 * fragments joined. One value of a few MB crosses the wire and the driver
 * instead of a row per run, each parsed into JS strings and joined again.
 * The brackets are added in JS: `'[' || page || ']'` copied the page twice
 * inside PostgreSQL and cost as much as the join itself. string_agg takes
 * the rows in the order the LIMITed subquery yields them, which is list
 * order (the API tests compare whole pages with it).
 */
const pageSql = (read: Read): string => `SELECT count(*), string_agg(json, ',') FROM (${listSql(read)}) page`;

type PageRow = [count: number, runs: string | null];

/**
 * The page as bytes. Fragments are ASCII (run.ts), so each character is one
 * byte and latin1 copies them without the UTF-8 passes: as a string, Fastify
 * measured the page's UTF-8 length twice and encoded it once more, and the
 * brackets made a second copy of a string of up to 15 MB.
 */
function pageBytes(runs: string): Buffer {
  const body = Buffer.allocUnsafe(runs.length + 2);
  body[0] = 0x5b; // [
  body.write(runs, 1, 'latin1');
  body[body.length - 1] = 0x5d; // ]
  return body;
}

/** The named statement and values for one GET /runs query; the plan test explains exactly this. */
export function listStatement(workspace: number, query: ListQuery): pg.QueryConfig & { rowMode: 'array' } {
  const read = readOf(query);
  // Without a cursor the page starts after `end`: just past it, before any session_id.
  const [cursorAt, cursorId] = query.cursor ? [query.cursor.createdAt, query.cursor.sessionId ?? NIL_UUID] : [query.end + 1, NIL_UUID];
  return {
    name: read.name,
    text: pageSql(read),
    values: [
      workspace,
      query.start,
      query.end,
      cursorAt,
      cursorId,
      query.limit,
      ...read.shared.map((f) => (f.values.length === 1 ? dbValue(f, f.values[0]) : f.values.map((v) => dbValue(f, v)))),
      ...read.fannedOut.flatMap((f) => f.values.map((v) => dbValue(f, v))),
    ],
    rowMode: 'array',
  };
}

/** A page of runs: the stored JSON fragments joined, byte for byte what the SQLite store sends. */
export async function listRuns(pool: pg.Pool, workspace: number, query: ListQuery): Promise<RunPage> {
  const [count, runs] = (await pool.query<PageRow>(listStatement(workspace, query))).rows[0];
  return { body: pageBytes(runs ?? ''), count };
}
