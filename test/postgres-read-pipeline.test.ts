/**
 * The read pipeline (src/store/postgres/read-pipeline.ts) on a real server:
 * reads that come while its lanes are busy go out together on one
 * connection, each gets its own page, read as bytes off the socket (rows
 * split across socket reads, notices between rows), and an error in a batch
 * fails only its own read.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { connectionPool } from '../src/store/postgres/open-database.ts';
import { ReadPipeline, type NamedStatement } from '../src/store/postgres/read-pipeline.ts';
import type { RunPage } from '../src/store/run-store.ts';
import { postgres, type TestDatabase } from './support/stores.ts';

let db: TestDatabase;
let pool: pg.Pool;

/**
 * Fragments {"n": n + 1, "s": …}, … joined, as a page's statement selects
 * them (list-runs.ts): each read's answer is its own, and the text is
 * escaped by PostgreSQL.
 */
const numbers = (n: number, count: number): NamedStatement => ({
  name: 'numbers',
  text: `SELECT count(*), string_agg(f, ',') FROM (SELECT json_build_object('n', $1::int + i, 's', $3::text)::text FROM generate_series(1, $2::int) i) AS r(f)`,
  values: [n, count, 'b"c'],
});

const expected = (n: number, count: number) => Array.from({ length: count }, (_, i) => ({ n: n + i + 1, s: 'b"c' }));

/** A page's runs, parsed, after checking that its count is theirs. */
function runsOf(page: RunPage): unknown[] {
  const runs = JSON.parse(page.body.toString()) as unknown[];
  assert.equal(page.count, runs.length);
  return runs;
}

const read = (reads: ReadPipeline, statement: NamedStatement) => reads.page(statement).then(runsOf);

before(async () => {
  db = await postgres.create();
  pool = connectionPool(db.url, 10);
});

after(async () => {
  await pool?.end();
  await db?.drop();
});

test('reads that come while the lane is busy go out together on its one connection, and each gets its own page', async () => {
  const reads = new ReadPipeline(pool, 1);
  const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => read(reads, numbers(n * 100, n % 4))));
  answers.forEach((runs, n) => assert.deepEqual(runs, expected(n * 100, n % 4)));
  assert.equal(pool.totalCount, 1, 'a pool of 10 opened one connection for 20 reads at once');
  // Statements up to a Sync share one implicit transaction, and so its start time.
  const startOf = { name: 'started', text: 'SELECT 1, to_json(transaction_timestamp()::text)::text', values: [] };
  const started = await Promise.all(Array.from({ length: 20 }, () => read(reads, startOf)));
  assert.equal(new Set(started.map((runs) => runs[0])).size, 2, 'the first read alone, then the 19 that came while it was read');
});

test('a page in several rows, rows larger than a socket read, and notices between rows come through whole', async () => {
  await pool.query(`CREATE FUNCTION noisy(i int) RETURNS text LANGUAGE plpgsql AS $$
    BEGIN RAISE NOTICE 'row %', i; RETURN to_json(repeat(chr(97 + i % 26), 100000 * (i % 3)))::text; END $$`);
  const notices: string[] = [];
  const fresh = new ReadPipeline(connectionPool(db.url, 1), 1);
  fresh.pool.on('connect', (c) => c.on('notice', (n) => notices.push(n.message!)));
  try {
    const statement = { name: 'noisy', text: 'SELECT 1, noisy(i) FROM generate_series(1, $1::int) i', values: [7] };
    const [big, small] = await Promise.all([read(fresh, statement), read(fresh, numbers(0, 2))]);
    assert.deepEqual(big, Array.from({ length: 7 }, (_, k) => String.fromCharCode(97 + ((k + 1) % 26)).repeat(100000 * ((k + 1) % 3))));
    assert.deepEqual(small, expected(0, 2));
    assert.deepEqual(notices, Array.from({ length: 7 }, (_, k) => `row ${k + 1}`));
  } finally {
    await fresh.pool.end();
  }
});

test('on a socket read by more than pg, the page comes through pg\'s own parser, the same', async () => {
  const single = connectionPool(db.url, 1);
  try {
    const client = await single.connect();
    const stream = (client as unknown as { connection: { stream: NodeJS.EventEmitter } }).connection.stream;
    stream.on('data', () => {});
    client.release();
    const reads = new ReadPipeline(single, 1);
    const [one, other] = await Promise.all([read(reads, numbers(0, 3)), read(reads, numbers(40, 0))]);
    assert.deepEqual(one, expected(0, 3));
    assert.deepEqual(other, []);
  } finally {
    await single.end();
  }
});

// A read lost in a failed batch would never settle: the timeout makes that a failure, not a hang.
test('an error fails its own read only: the reads sent after it are sent again, on a new connection', { timeout: 30_000 }, async () => {
  const reads = new ReadPipeline(pool, 1);
  const first = read(reads, numbers(0, 1));
  // Sent together while the first is read: PostgreSQL skips everything after the failed one up to the batch's end.
  const batch = [
    read(reads, numbers(10, 2)),
    read(reads, { name: 'missing', text: 'SELECT 1, x FROM no_such_table', values: [] }),
    read(reads, numbers(20, 3)),
    // Fails after two rows are sent: the half-read page is dropped with its read.
    read(reads, { name: 'midway', text: "SELECT 1, CASE WHEN i < 3 THEN '1' ELSE (1 / (i - 3))::text END FROM generate_series(1, 5) i", values: [] }),
    read(reads, { name: 'constant', text: 'SELECT 1, $1::text', values: ['"after"'] }),
  ];
  const settled = await Promise.allSettled([first, ...batch]);
  const code = (outcome: PromiseSettledResult<unknown>) => ((outcome as PromiseRejectedResult).reason as { code?: string }).code;
  assert.deepEqual(settled[0], { status: 'fulfilled', value: expected(0, 1) });
  assert.deepEqual(settled[1], { status: 'fulfilled', value: expected(10, 2) });
  assert.equal(code(settled[2]), '42P01');
  assert.deepEqual(settled[3], { status: 'fulfilled', value: expected(20, 3) });
  assert.equal(code(settled[4]), '22012');
  assert.deepEqual(settled[5], { status: 'fulfilled', value: ['after'] });
  // The statements the failed batch would have prepared are prepared again where they are read next.
  assert.deepEqual(await read(reads, numbers(30, 1)), expected(30, 1));
});

test('a database that cannot be reached fails each read with the connection error, and later reads too', async () => {
  const closed: Server = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise((resolve) => closed.close(resolve));
  const down = connectionPool(`postgres://postgres@127.0.0.1:${port}/postgres`, 2);
  try {
    const reads = new ReadPipeline(down, 1);
    const settled = await Promise.allSettled([read(reads, numbers(0, 1)), read(reads, numbers(1, 1))]);
    for (const outcome of settled) assert.equal(((outcome as PromiseRejectedResult).reason as { code?: string }).code, 'ECONNREFUSED');
    await assert.rejects(read(reads, numbers(2, 1)), { code: 'ECONNREFUSED' });
  } finally {
    await down.end();
  }
});
