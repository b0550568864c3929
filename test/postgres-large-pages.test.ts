/**
 * PostgreSQL serves large pages (more than LARGE_PAGE rows) on a reader
 * thread's connection of its own, so that clients asking for 10,000-row
 * pages cannot hold every connection a small query needs. The lanes are told apart by their
 * application_name in pg_stat_activity, which is also what an operator sees.
 * A page of LARGE_PAGE rows, the largest built inside PostgreSQL, must not
 * cost its backend fresh memory each time.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { ImportItem } from '../src/domain/import-line.ts';
import type { ListQuery } from '../src/domain/list-query.ts';
import { MICROS_PER_DAY, nowMicros } from '../src/domain/timestamp.ts';
import { copyPage } from '../src/store/postgres/copy-page.ts';
import { listRuns } from '../src/store/postgres/list-runs.ts';
import { connectionPool } from '../src/store/postgres/open-database.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { ReadPipeline } from '../src/store/postgres/read-pipeline.ts';
import { LARGE_PAGE, type WorkspaceRuns } from '../src/store/run-store.ts';
import { postgres, type TestDatabase } from './support/stores.ts';

const RUNS = LARGE_PAGE + 200;
const NOW = nowMicros();

let db: TestDatabase;
let store: PostgresStore;
let runs: WorkspaceRuns;
let observer: pg.Client;

const page = (limit: number): ListQuery => ({ start: NOW - MICROS_PER_DAY, end: NOW, workflowIds: [], statuses: [], credentialIds: [], limit });

/** The store's connections to the test database, by application_name. */
async function connections(): Promise<Record<string, number>> {
  const { rows } = await observer.query<{ name: string; n: number }>(
    'SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1',
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}

before(async () => {
  db = await postgres.create();
  store = await PostgresStore.open({ url: db.url, poolSize: 4 });
  runs = (await store.workspace('large', true))!;
  const items: ImportItem[] = Array.from({ length: RUNS }, (_, i) => ({
    line: i + 1,
    run: {
      sessionId: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      workspaceId: runs.workspaceId,
      workflowId: '00000000-0000-4000-8000-000000000001',
      status: 'execution.success',
      createdAt: NOW - 1000 * (i + 1),
      executionStart: null,
      executionEnd: null,
      dryRun: false,
      credentialId: null,
    },
  }));
  assert.equal((await runs.importRuns(items)).inserted, RUNS);
  observer = new pg.Client({ connectionString: db.url });
  await observer.connect();
});

after(async () => {
  await observer?.end();
  await store?.close();
  await db?.drop();
});

test('a backend builds page after page of 1,000 runs without faulting in fresh memory for each', async () => {
  // PostgreSQL runs on this machine (the test databases are on 127.0.0.1): its backend's minor faults are in /proc.
  const pool = connectionPool(db.url, 1);
  try {
    const workspace = (await pool.query<{ num: number }>("SELECT num FROM workspaces WHERE name = 'large'")).rows[0].num;
    const pid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const faults = () => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[7]);
    const reads = new ReadPipeline(pool, 1);
    for (let i = 0; i < 3; i++) await listRuns(reads, workspace, page(LARGE_PAGE));
    const before = faults();
    for (let i = 0; i < 5; i++) assert.equal((await listRuns(reads, workspace, page(LARGE_PAGE))).count, LARGE_PAGE);
    // Without the allocator warm-up (open-database.ts) each page took about 250.
    assert.ok(faults() - before < 100, `${faults() - before} page faults for 5 pages`);
  } finally {
    await pool.end();
  }
});

test('small pages use the main pool and never a large-page connection', async () => {
  const pages = await Promise.all(Array.from({ length: 6 }, () => runs.listRuns(page(LARGE_PAGE))));
  for (const p of pages) assert.equal(p.count, LARGE_PAGE);
  const open = await connections();
  assert.equal(open['runledger large pages'], undefined, JSON.stringify(open));
  assert.ok(open.runledger >= 1 && open.runledger <= 4, JSON.stringify(open));
});

test('large pages use one connection of their own, on the reader thread, whatever their number', async () => {
  const pages = await Promise.all(Array.from({ length: 6 }, () => runs.listRuns(page(LARGE_PAGE + 1))));
  for (const p of pages) assert.equal(p.count, LARGE_PAGE + 1);
  const open = await connections();
  assert.equal(open['runledger large pages'], 1, JSON.stringify(open));
});
test('a large page (a run per row) holds the same runs, byte for byte, as a small one (read through the pipeline)', async () => {
  const small = await runs.listRuns(page(LARGE_PAGE));
  const large = await runs.listRuns(page(LARGE_PAGE + 1));
  const smallRuns = JSON.parse(Buffer.from(small.body).toString()) as unknown[];
  const largeRuns = JSON.parse(Buffer.from(large.body).toString()) as unknown[];
  assert.deepEqual(largeRuns.slice(0, LARGE_PAGE), smallRuns);
  assert.equal(Buffer.from(large.body).subarray(0, small.body.length - 1).toString(), Buffer.from(small.body).subarray(0, -1).toString());
  small.release?.();
  large.release?.();
});

test('a COPY that fails rejects with PostgreSQL\'s error, and the pool serves the next page', async () => {
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    await assert.rejects(copyPage(pool, 'SELECT (1 / (random() * 0)::int)::text', 64), { code: '22012' });
    await assert.rejects(copyPage(pool, "SELECT 'a', 'b'", 64), /a row of 2 fields/);
    // A hint far too small: the page grows as rows come.
    const page = await copyPage(pool, "SELECT '{\"n\":' || n || '}' FROM generate_series(1, 3000) n", 2);
    assert.equal(page.count, 3000);
    assert.deepEqual(JSON.parse(page.body.toString()).at(-1), { n: 3000 });
  } finally {
    await pool.end();
  }
});

test('a page, copied or through the pipeline, is the same when the server\'s bytes arrive a few at a time, split anywhere', { timeout: 30_000 }, async () => {
  const target = new URL(db.url);
  // A proxy that passes PostgreSQL's answers on in pieces of 1 to 12 bytes, one per turn of the event loop.
  const proxy: Server = createServer((client) => {
    const server = connect(Number(target.port), target.hostname);
    client.pipe(server);
    let queue = Promise.resolve();
    server.on('data', (chunk: Buffer) => {
      queue = queue.then(async () => {
        for (let at = 0; at < chunk.length; ) {
          const piece = chunk.subarray(at, (at += 1 + Math.floor(Math.random() * 12)));
          client.write(piece);
          await new Promise(setImmediate);
        }
      });
    });
    server.on('end', () => void queue.then(() => client.end()));
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = new URL(db.url);
  url.host = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    const select = "SELECT '{\"n\":' || n || ',\"pad\":\"' || repeat('x', n % 23) || '\"}' FROM generate_series(1, 400) n";
    const page = await copyPage(pool, select, 64);
    assert.equal(page.count, 400);
    assert.deepEqual(
      JSON.parse(page.body.toString()),
      Array.from({ length: 400 }, (_, i) => ({ n: i + 1, pad: 'x'.repeat((i + 1) % 23) })),
    );
    // The pipeline's rows come through the same tap on the socket (message-tap.ts).
    const piped = await new ReadPipeline(pool, 1).page({ name: 'pieces', text: `SELECT 1, f FROM (${select}) AS r(f)`, values: [] });
    assert.equal(piped.body.toString(), page.body.toString());
    await assert.rejects(copyPage(pool, 'SELECT (1 / (random() * 0)::int)::text', 64), { code: '22012' });
    assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1);
  } finally {
    await pool.end();
    await new Promise((resolve) => proxy.close(resolve));
  }
});
