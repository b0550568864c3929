/**
 * PostgreSQL serves large pages (more than LARGE_PAGE rows) on a reader
 * thread's connection of its own, so that clients asking for 10,000-row
 * pages cannot hold every connection a small query needs. The lanes are told apart by their
 * application_name in pg_stat_activity, which is also what an operator sees.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { ImportItem } from '../src/domain/import-line.ts';
import type { ListQuery } from '../src/domain/list-query.ts';
import { MICROS_PER_DAY, nowMicros } from '../src/domain/timestamp.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { LARGE_PAGE, type WorkspaceRuns } from '../src/store/run-store.ts';
import { testStores, type TestDatabase } from './support/stores.ts';

const RUNS = LARGE_PAGE + 200;
const NOW = nowMicros();
const postgres = testStores().find((k) => k.name === 'postgres');

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

if (postgres !== undefined) {
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
  test('a large page (a run per row) holds the same runs, byte for byte, as a small one (built in parts)', async () => {
    const small = await runs.listRuns(page(LARGE_PAGE));
    const large = await runs.listRuns(page(LARGE_PAGE + 1));
    const smallRuns = JSON.parse(Buffer.from(small.body).toString()) as unknown[];
    const largeRuns = JSON.parse(Buffer.from(large.body).toString()) as unknown[];
    assert.deepEqual(largeRuns.slice(0, LARGE_PAGE), smallRuns);
    assert.equal(Buffer.from(large.body).subarray(0, small.body.length - 1).toString(), Buffer.from(small.body).subarray(0, -1).toString());
    small.release?.();
    large.release?.();
  });
}
