/**
 * A page whose window lies in one partition is read from that partition
 * directly (RunPartitions.holding): a generic plan on runs locks and
 * prunes every partition each time. Which table a page reads must never
 * change what it holds.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { numberedItems } from '../src/domain/import-line.ts';
import type { ListQuery } from '../src/domain/list-query.ts';
import type { Run } from '../src/domain/run.ts';
import { seedRuns } from '../src/domain/seed-runs.ts';
import { MICROS_PER_DAY, nowMicros } from '../src/domain/timestamp.ts';
import { listRuns } from '../src/store/postgres/list-runs.ts';
import { connectionPool } from '../src/store/postgres/open-database.ts';
import { monthOf, monthStart, partitionOf, RunPartitions } from '../src/store/postgres/partitions.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { ReadPipeline } from '../src/store/postgres/read-pipeline.ts';
import { postgres, type TestDatabase } from './support/stores.ts';

const NOW = nowMicros();
const MONTH = monthOf(NOW);
/** A new database's partitions are quarters (partitions.ts, Span). */
const SPAN = 3;
const DAY = MICROS_PER_DAY;
let db: TestDatabase;
let pool: pg.Pool;
let ws: number;

before(async () => {
  db = await postgres.create();
  const store = await PostgresStore.open({ url: db.url, poolSize: 1 });
  try {
    const runs = (await store.workspace('w', true))!;
    // 90 days of history, so that pages can cross months and continue into older ones.
    const result = await runs.importRuns(numberedItems(seedRuns({ workspaceId: runs.workspaceId, runs: 6000, days: 90, seed: 5, now: NOW })));
    assert.equal(result.inserted, 6000);
  } finally {
    await store.close();
  }
  pool = connectionPool(db.url, 1);
  ws = (await pool.query<{ num: number }>('SELECT num FROM workspaces')).rows[0].num;
});

after(async () => {
  await pool?.end();
  await db?.drop();
});

test('holding: the partition only for a window inside one partition this process knows, and not one prune may drop', async () => {
  const partitions = await RunPartitions.open(pool);
  const first = MONTH - (MONTH % SPAN);
  const start = Math.max(monthStart(first), NOW - DAY);
  assert.equal(partitions.holding(start, NOW, NOW), 'runs', 'a partition this process has not made or found');
  await partitions.ensureAhead(NOW);
  assert.equal(partitions.holding(start, NOW, NOW), partitionOf(MONTH, SPAN));
  assert.equal(partitions.holding(monthStart(first), monthStart(first + SPAN) - 1, NOW), partitionOf(MONTH, SPAN), 'a window across the months of one partition');
  assert.equal(partitions.holding(monthStart(first) - DAY, NOW, NOW), 'runs', 'a window across two partitions');
  const yearAgo = monthOf(NOW - 365 * DAY);
  await partitions.ensureMonths([yearAgo]);
  assert.equal(partitions.holding(monthStart(yearAgo), monthStart(yearAgo) + DAY, NOW), 'runs', 'a partition prune may drop');
  partitions.forget();
  assert.equal(partitions.holding(start, NOW, NOW), 'runs', 'forgotten partitions are looked up again first');
});

test('a page read on its partition is byte for byte the page read through runs, whatever the filters and position', async () => {
  // Last month: whole, and full of runs whatever today's date.
  const table = partitionOf(MONTH - 1, SPAN);
  const [start, end] = [monthStart(MONTH - 1), monthStart(MONTH) - 1];
  const queries: ListQuery[] = [
    { start, end, workflowIds: [], statuses: [], credentialIds: [], limit: 1000 },
    { start, end, workflowIds: [], statuses: ['execution.failed', 'execution.stopped'], credentialIds: [], limit: 50 },
    { start, end, workflowIds: [], statuses: ['execution.success'], credentialIds: [], limit: 7, cursor: { createdAt: end - 10 * DAY } },
    { start, end, workflowIds: ['00000000-0000-4000-8000-000000000000'], statuses: [], credentialIds: [], limit: 1000 },
  ];
  let runsRead = 0;
  const reads = new ReadPipeline(pool, 1);
  for (const query of queries) {
    const direct = await listRuns(reads, ws, query, table);
    const throughRuns = await listRuns(reads, ws, query);
    assert.equal(direct.body.toString(), throughRuns.body.toString(), JSON.stringify(query));
    assert.equal(direct.count, throughRuns.count);
    runsRead += direct.count;
  }
  assert.ok(runsRead > 0, 'the pages compared hold runs');
  // Both forms were prepared on the one connection, under names of their own.
  const { rows } = await pool.query<{ name: string; statement: string }>("SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'rl_list_%'");
  const onPartition = rows.filter((r) => r.statement.includes(`FROM ${table} `));
  assert.equal(onPartition.length, queries.length);
  assert.ok(onPartition.every((r) => r.name.endsWith(`@${table.slice(-6)}`)), JSON.stringify(onPartition.map((r) => r.name)));
});

test('a partition dropped by hand after the store found it: its months are read through runs, empty, not an error', async () => {
  const store = await PostgresStore.open({ url: db.url, poolSize: 1 });
  try {
    const runs = (await store.workspace('dropped', true))!;
    // Two partitions back: not the one of this month, which the other tests read.
    const month = MONTH - 2 * SPAN;
    const run: Run = {
      sessionId: randomUUID(),
      workspaceId: runs.workspaceId,
      workflowId: randomUUID(),
      status: 'execution.success',
      createdAt: monthStart(month) + DAY,
      executionStart: null,
      executionEnd: null,
      dryRun: false,
      credentialId: null,
    };
    // The import makes the store find the partition, so pages of its months read it.
    assert.equal((await runs.importRuns(numberedItems([run]))).inserted, 1);
    const window: ListQuery = { start: monthStart(month), end: monthStart(month + 1) - 1, workflowIds: [], statuses: [], credentialIds: [], limit: 10 };
    assert.equal((await runs.listRuns(window)).count, 1);
    await pool.query(`DROP TABLE ${partitionOf(month, SPAN)}`);
    const page = await runs.listRuns(window);
    assert.deepEqual([page.count, page.body.toString()], [0, '[]']);
  } finally {
    await store.close();
  }
});
