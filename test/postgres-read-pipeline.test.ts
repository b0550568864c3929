/**
 * The read pipeline (src/store/postgres/read-pipeline.ts) on a real server:
 * reads that come while its lanes are busy go out together on one
 * connection, each gets its own rows, and an error in a batch fails only
 * its own read.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { connectionPool } from '../src/store/postgres/open-database.ts';
import { ReadPipeline, type NamedStatement } from '../src/store/postgres/read-pipeline.ts';
import { postgres, type TestDatabase } from './support/stores.ts';

let db: TestDatabase;
let pool: pg.Pool;

/** Rows (n + 1, …, n + count): each read's answer is its own. */
const numbers = (n: number, count: number): NamedStatement => ({
  name: 'numbers',
  text: 'SELECT $1::int + i, $3::text[] FROM generate_series(1, $2::int) i',
  values: [n, count, ['a', 'b"c']],
});

const expected = (n: number, count: number) => Array.from({ length: count }, (_, i) => [String(n + i + 1), '{a,"b\\"c"}']);

before(async () => {
  db = await postgres.create();
  pool = connectionPool(db.url, 10);
});

after(async () => {
  await pool?.end();
  await db?.drop();
});

test('reads that come while the lane is busy go out together on its one connection, and each gets its own rows', async () => {
  const reads = new ReadPipeline(pool, 1);
  const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => reads.rows(numbers(n * 100, n % 4))));
  answers.forEach((rows, n) => assert.deepEqual(rows, expected(n * 100, n % 4)));
  assert.equal(pool.totalCount, 1, 'a pool of 10 opened one connection for 20 reads at once');
  // Statements up to a Sync share one implicit transaction, and so its start time.
  const startOf = { name: 'started', text: 'SELECT transaction_timestamp()::text', values: [] };
  const started = await Promise.all(Array.from({ length: 20 }, () => reads.rows(startOf)));
  assert.equal(new Set(started.map((rows) => rows[0][0])).size, 2, 'the first read alone, then the 19 that came while it was read');
});

// A read lost in a failed batch would never settle: the timeout makes that a failure, not a hang.
test('an error fails its own read only: the reads sent after it are sent again, on a new connection', { timeout: 30_000 }, async () => {
  const reads = new ReadPipeline(pool, 1);
  const first = reads.rows(numbers(0, 1));
  // Sent together while the first is read: PostgreSQL skips everything after the failed one up to the batch's end.
  const batch = [
    reads.rows(numbers(10, 2)),
    reads.rows({ name: 'missing', text: 'SELECT x FROM no_such_table', values: [] }),
    reads.rows(numbers(20, 3)),
    reads.rows({ name: 'constant', text: 'SELECT $1::text', values: ['after'] }),
  ];
  const settled = await Promise.allSettled([first, ...batch]);
  assert.deepEqual(settled[0], { status: 'fulfilled', value: expected(0, 1) });
  assert.deepEqual(settled[1], { status: 'fulfilled', value: expected(10, 2) });
  assert.equal(settled[2].status, 'rejected');
  assert.equal(((settled[2] as PromiseRejectedResult).reason as { code?: string }).code, '42P01');
  assert.deepEqual(settled[3], { status: 'fulfilled', value: expected(20, 3) });
  assert.deepEqual(settled[4], { status: 'fulfilled', value: [['after']] });
  // The statements the failed batch would have prepared are prepared again where they are read next.
  assert.deepEqual(await reads.rows(numbers(30, 1)), expected(30, 1));
});

test('a database that cannot be reached fails each read with the connection error, and later reads too', async () => {
  const closed: Server = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise((resolve) => closed.close(resolve));
  const down = connectionPool(`postgres://postgres@127.0.0.1:${port}/postgres`, 2);
  try {
    const reads = new ReadPipeline(down, 1);
    const settled = await Promise.allSettled([reads.rows(numbers(0, 1)), reads.rows(numbers(1, 1))]);
    for (const outcome of settled) assert.equal(((outcome as PromiseRejectedResult).reason as { code?: string }).code, 'ECONNREFUSED');
    await assert.rejects(reads.rows(numbers(2, 1)), { code: 'ECONNREFUSED' });
  } finally {
    await down.end();
  }
});
