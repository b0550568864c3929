/**
 * Large SQLite pages are read on a reader thread into memory it shares with
 * the main thread (PAGE_SLOTS slots): a page's bytes must stay as they are
 * until it is released, however many pages are read meanwhile, and a caller
 * that holds every slot must not stall the next large page for good.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { lastRunOf } from '../src/domain/run.ts';
import { numberedItems } from '../src/domain/import-line.ts';
import { seedRuns } from '../src/domain/seed-runs.ts';
import type { ListQuery } from '../src/domain/list-query.ts';
import { MICROS_PER_DAY, nowMicros } from '../src/domain/timestamp.ts';
import { LARGE_PAGE, type WorkspaceRuns } from '../src/store/run-store.ts';
import type { Worker } from 'node:worker_threads';
import { PAGE_SLOTS, ReaderPool } from '../src/store/reader-pool.ts';
import type { SqliteReaderData } from '../src/store/sqlite/reader-thread.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { sqlite, type TestDatabase } from './support/stores.ts';

const RUNS = LARGE_PAGE * 3;
const now = nowMicros();
let db: TestDatabase;
let store: SqliteStore;
let runs: WorkspaceRuns;

/** A large page: the newest LARGE_PAGE + 1 runs, or the next ones after `cursor`. */
const large = (cursor?: ListQuery['cursor']): ListQuery => ({
  start: now - 2 * MICROS_PER_DAY,
  end: now,
  workflowIds: [],
  statuses: [],
  credentialIds: [],
  limit: LARGE_PAGE + 1,
  cursor,
});

before(async () => {
  db = await sqlite.create();
  store = new SqliteStore({ path: db.url, groupCommit: true, readers: 1 });
  runs = (await store.workspace('w', true))!;
  const generated = seedRuns({ workspaceId: runs.workspaceId, runs: RUNS, days: 1, seed: 7, now });
  const result = await runs.importRuns(numberedItems(generated));
  assert.equal(result.inserted, RUNS);
});
after(async () => {
  await store.close();
  await db.drop();
});

test('a lent page keeps its bytes while more large pages than there are slots are read and released', async () => {
  const held = await runs.listRuns(large());
  assert.ok(held.release, 'a large page is lent');
  const copy = Buffer.from(held.body);
  assert.equal(JSON.parse(copy.toString()).length, LARGE_PAGE + 1);
  for (let i = 0; i < PAGE_SLOTS * 2; i += 1) {
    const other = await runs.listRuns(large(lastRunOf(held.body)));
    assert.notDeepEqual(Buffer.from(other.body), copy);
    other.release?.();
  }
  assert.deepEqual(Buffer.from(held.body), copy);
  held.release!();
});

test('with every slot held, the next large page still comes, in a buffer of its own', async () => {
  const held = await Promise.all(Array.from({ length: PAGE_SLOTS }, () => runs.listRuns(large())));
  assert.ok(held.every((page) => page.release !== undefined));
  const next = await runs.listRuns(large(lastRunOf(held[0].body)));
  assert.equal(next.release, undefined);
  assert.equal(JSON.parse(next.body.toString()).length, LARGE_PAGE + 1);
  const first = Buffer.from(held[0].body);
  for (const page of held) page.release!();
  const again = await runs.listRuns(large());
  assert.ok(again.release, 'slots are free again');
  assert.deepEqual(Buffer.from(again.body), first);
  again.release();
});

test('a reader thread that dies fails only the page it was reading; the next pages go to its replacement', { timeout: 20_000 }, async () => {
  const pool = new ReaderPool<SqliteReaderData>(new URL('../src/store/sqlite/reader-thread.ts', import.meta.url), { path: db.url }, 1);
  try {
    const first = pool.list(1, large());
    const second = pool.list(1, large());
    const third = pool.list(1, large());
    // A message the thread cannot read makes it throw once it has read the first page.
    (pool as unknown as { workers: Array<{ worker: Worker }> }).workers[0].worker.postMessage(null);
    const settled = await Promise.allSettled([first, second, third, pool.list(1, large())]);
    // The page it held is the first or the second, as its last answer and its death reach this thread in either order.
    assert.equal(settled.filter((s) => s.status === 'rejected').length, 1, JSON.stringify(settled.map((s) => s.status)));
    assert.deepEqual(settled.slice(2).map((s) => s.status), ['fulfilled', 'fulfilled']);
    for (const s of settled) if (s.status === 'fulfilled') assert.equal(s.value.count, LARGE_PAGE + 1);
  } finally {
    await pool.close();
  }
});

test('closing the pool fails the pages being read and the ones queued; none is left unanswered', { timeout: 10_000 }, async () => {
  const pool = new ReaderPool<SqliteReaderData>(new URL('../src/store/sqlite/reader-thread.ts', import.meta.url), { path: db.url }, 1);
  const pages = Promise.allSettled([pool.list(1, large()), pool.list(1, large())]);
  await pool.close();
  // terminate() answers nothing itself: without close() failing it, the page being read would hang this test until its timeout.
  const [reading, queued] = await pages;
  assert.equal(reading.status === 'rejected' && reading.reason.message, 'the store is closed');
  assert.equal(queued.status === 'rejected' && queued.reason.message, 'the store is closed');
});
