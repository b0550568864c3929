/**
 * The connection pool's set-up of a new connection (open-database.ts) runs
 * to its end before the connection is handed out. This file runs in a
 * process of its own: pg warns of a query queued behind another only once
 * per process.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectionPool } from '../src/store/postgres/open-database.ts';
import { postgres, type TestDatabase } from './support/stores.ts';

let db: TestDatabase;

before(async () => {
  db = await postgres.create();
});

after(async () => {
  await db.drop();
});

test('new connections take their first queries with none queued behind the allocator warm-up', async () => {
  const warnings: string[] = [];
  const listen = (warning: Error) => warnings.push(warning.message);
  process.on('warning', listen);
  const pool = connectionPool(db.url, 4);
  try {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.query<{ n: number }>('SELECT $1::int AS n', [i])));
    assert.deepEqual(answers.map((a) => a.rows[0].n), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(pool.totalCount, 4);
    // Warnings are emitted on the next tick.
    await new Promise(setImmediate);
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', listen);
    await pool.end();
  }
});
