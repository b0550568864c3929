import pg from 'pg';
import { migrate } from './migrations.ts';

const INT8_OID = 20;

/**
 * bigint columns hold microseconds (exact in a JS number until the year
 * 2255), so they are read as numbers, not the strings pg gives by default.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Settings of every connection. random_page_cost 1.1 (the default, 4, models
 * spinning disks) tells the planner that a backwards index scan reading
 * `limit` rows in order beats a bitmap scan of the window plus a sort,
 * which it is on SSDs: test/postgres-plans.test.ts holds it to that.
 *
 * plan_cache_mode: every statement with parameters is planned once per
 * connection, without its values. By default PostgreSQL plans each of a
 * prepared statement's first five executions for its values and then keeps
 * planning them so whenever the cached plan's estimate is not cheaper. A
 * list statement's plan costs more than running it (1,000,000 runs): 1.5 ms
 * against 0.6 ms for two statuses × three workflows, and PostgreSQL's CPU
 * for an empty page was 205 µs planned each time against 53 µs with the
 * cached plan. The statements are written so that the
 * plan made without values is the right one (list-runs.ts), and the plan
 * test checks that plan for every shape. A large page's COPY carries its
 * values inline and is planned for them.
 */
export const SESSION_OPTIONS = '-c random_page_cost=1.1 -c plan_cache_mode=force_generic_plan';

/**
 * Run once on each new connection: it makes its backend allocate and free
 * one 8 MB block. glibc's malloc hands out blocks from 128 KB up by mmap,
 * each returned to the system when freed and faulted in page by page when
 * next used, until a freed mapped block raises that threshold to its own
 * size. A 1,000-run page's string_agg grows through such blocks, and with
 * the threshold at that very size they stayed mapped: about 250 page faults
 * per page (the large-page test counts them). For the array_agg that built
 * pages before it, that was 1.7 ms of PostgreSQL's CPU a page, against
 * 1.15 ms and no fault once an 8 MB block had been freed (Q1 on 1,000,000
 * runs, 10 alternating loops of 100 pages on each of two connections). The
 * freed memory stays with the backend for its next pages (up to twice the
 * threshold is kept), not with the system. On a server without glibc the
 * statement is one wasted read.
 */
const ALLOCATOR_WARM_UP = "SELECT length(repeat(' ', 8000000))";

/**
 * A pool of `poolSize` connections, named in pg_stat_activity. A pool 'error'
 * event (an idle connection dropped because the server went away) must not
 * crash the process: the pool discards that connection, the next query finds
 * the server down and is answered 503, and new connections are made once the
 * server is back. connectionTimeoutMillis bounds how long a request waits
 * for a server that does not answer at all.
 */
export function connectionPool(url: string, poolSize: number, name = 'runledger'): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: name,
    options: SESSION_OPTIONS,
    max: poolSize,
    types,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    // Awaited before the connection is handed out: a query queued behind one still running is
    // deprecated in pg 8 (a warning under load) and refused in pg 9. A failure fails the acquire.
    onConnect: async (client) => {
      await client.query(ALLOCATOR_WARM_UP);
    },
  });
  pool.on('error', () => {});
  return pool;
}

/** A connection pool (connectionPool) on a database whose schema is migrated. */
export async function openDatabase(url: string, poolSize: number): Promise<pg.Pool> {
  const pool = connectionPool(url, poolSize);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return pool;
}
