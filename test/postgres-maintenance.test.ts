/**
 * PostgreSQL upkeep as an operator meets it: `runledger migrate` run by
 * several processes at once, partitions made on the fly for any month an
 * import reaches, and `runledger prune` dropping whole partitions (quarters,
 * or months in a database made before schema 4) past the 365-day reach of
 * GET /runs (and nothing younger), from another process while a store is open.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { ImportItem } from '../src/domain/import-line.ts';
import type { Run } from '../src/domain/run.ts';
import { MICROS_PER_DAY, nowMicros, type Micros } from '../src/domain/timestamp.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { migrate, SCHEMA_VERSION } from '../src/store/postgres/migrations.ts';
import { connectionPool } from '../src/store/postgres/open-database.ts';
import { runCli } from './support/cli.ts';
import { postgres, type TestDatabase } from './support/stores.ts';

let db: TestDatabase;

before(async () => {
  db = await postgres.create();
});

after(async () => {
  await db?.drop();
});

async function partitions(url = db.url): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'runs'::regclass ORDER BY 1`,
    );
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

/** The partition holding a time: named for its first month, a quarter's in a new database, a month's in one made before schema 4. */
const partitionOf = (micros: Micros, span: 1 | 3 = 3): string => {
  const date = new Date(micros / 1000);
  const first = date.getUTCMonth() - (date.getUTCMonth() % span);
  return `runs_p${date.getUTCFullYear()}${String(first + 1).padStart(2, '0')}`;
};

const NOW = nowMicros();
const ago = (days: number): Micros => NOW - days * MICROS_PER_DAY;

function imported(workspaceId: string, sessionId: string, createdAt: Micros, line = 1): ImportItem {
  const run: Run = {
    sessionId,
    workspaceId,
    workflowId: '7a1c2e3f-4b5d-4e6f-8a7b-9c0d1e2f3a4b',
    status: 'execution.success',
    createdAt,
    executionStart: null,
    executionEnd: null,
    dryRun: false,
    credentialId: null,
  };
  return { line, run };
}

test('migrate: several processes at once apply each version once and make the coming months', async () => {
  const results = await Promise.all([1, 2, 3].map(() => runCli(['migrate', '--db', db.url])));
  for (const result of results) assert.equal(result.code, 0, result.stderr);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(rows, Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
  } finally {
    await client.end();
  }
  const made = await partitions();
  const today = new Date(NOW / 1000);
  for (const ahead of [0, 1, 2, 3]) {
    const month = Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + ahead, 1) * 1000;
    assert.ok(made.includes(partitionOf(month)), `${partitionOf(month)} made ahead: ${made}`);
  }
});

test('import makes any month it reaches; prune drops the quarters past 365 days and only those', async () => {
  const ids = {
    ancient: 'a0000000-0000-4000-8000-000000000001',
    old: 'a0000000-0000-4000-8000-000000000002',
    reachable: 'a0000000-0000-4000-8000-000000000003',
    future: 'a0000000-0000-4000-8000-000000000004',
  };
  const store = await PostgresStore.open({ url: db.url, poolSize: 2 });
  try {
    const runs = (await store.workspace('upkeep', true))!;
    const result = await runs.importRuns([
      imported(runs.workspaceId, ids.ancient, ago(800), 1),
      imported(runs.workspaceId, ids.old, ago(500), 2),
      imported(runs.workspaceId, ids.reachable, ago(364), 3),
      imported(runs.workspaceId, ids.future, ago(-400), 4),
    ]);
    assert.deepEqual(result.rejected, []);
    assert.equal(result.inserted, 4);
    const before = await partitions();
    for (const at of [ago(800), ago(500), ago(364), ago(-400)]) assert.ok(before.includes(partitionOf(at)), `${partitionOf(at)} made by the import`);

    const refused = await runCli(['prune', '--older-than', '30d', '--db', db.url]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /at least 365d/);
    assert.deepEqual(await partitions(), before, 'a refused prune drops nothing');

    const pruned = await runCli(['prune', '--older-than', '365d', '--db', db.url]);
    assert.equal(pruned.code, 0, pruned.stderr);
    const remaining = await partitions();
    assert.ok(!remaining.includes(partitionOf(ago(800))) && !remaining.includes(partitionOf(ago(500))), `old quarters dropped: ${remaining}`);
    assert.ok(remaining.includes(partitionOf(ago(364))) && remaining.includes(partitionOf(ago(-400))), `young quarters kept: ${remaining}`);
    assert.equal(await runs.getRun(ids.old), null);
    assert.equal((await runs.getRun(ids.reachable))?.run.createdAt, ago(364));

    // The pruned runs' ids are free again, and their month is made anew although this store had seen it.
    const other = (await store.workspace('elsewhere', true))!;
    const again = await other.importRuns([imported(other.workspaceId, ids.ancient, ago(800))]);
    assert.deepEqual({ inserted: again.inserted, rejected: again.rejected }, { inserted: 1, rejected: [] });
    assert.equal((await other.getRun(ids.ancient))?.run.createdAt, ago(800));
  } finally {
    await store.close();
  }
});

test('an import takes the statistics of the months it grew by a tenth or more, and only those', async () => {
  const analyzed = async (): Promise<Map<string, number>> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; count: string }>(
        "SELECT relname AS name, analyze_count AS count FROM pg_stat_user_tables WHERE relname LIKE 'runs_p%'",
      );
      return new Map(rows.map((r) => [r.name, Number(r.count)]));
    } finally {
      await client.end();
    }
  };
  const store = await PostgresStore.open({ url: db.url, poolSize: 2 });
  try {
    const runs = (await store.workspace('statistics', true))!;
    const id = (n: number) => `b0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const [grown, touched] = [ago(100), ago(200)];
    // 200 runs in one month, 1 in another that already holds 100 (1 %).
    await runs.importRuns(Array.from({ length: 100 }, (_, i) => imported(runs.workspaceId, id(i), touched - i, i + 1)));
    const before = await analyzed();
    assert.ok((before.get(partitionOf(touched)) ?? 0) >= 1, 'a month first filled by an import is analyzed');
    await runs.importRuns([
      ...Array.from({ length: 200 }, (_, i) => imported(runs.workspaceId, id(1000 + i), grown - i, i + 1)),
      imported(runs.workspaceId, id(5000), touched - 5000, 201),
    ]);
    const after = await analyzed();
    assert.equal(after.get(partitionOf(grown)), (before.get(partitionOf(grown)) ?? 0) + 1, 'the grown month is analyzed');
    assert.equal(after.get(partitionOf(touched)), before.get(partitionOf(touched)), 'a month grown by 1 % is left to autovacuum');
  } finally {
    await store.close();
  }
});

test('a database made before schema 4 goes on with monthly partitions: made, and pruned, a month at a time', async () => {
  const old = await postgres.create();
  try {
    const pool = connectionPool(old.url, 1);
    try {
      await migrate(pool, 3);
      // What runledger made on start at schema 3: this month's partition, among others.
      const today = new Date(NOW / 1000);
      const [from, to] = [0, 1].map((k) => Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + k, 1) * 1000);
      await pool.query(`CREATE TABLE ${partitionOf(NOW, 1)} PARTITION OF runs FOR VALUES FROM (${from}) TO (${to})`);
    } finally {
      await pool.end();
    }
    const store = await PostgresStore.open({ url: old.url, poolSize: 2 });
    try {
      const runs = (await store.workspace('monthly', true))!;
      const [gone, kept] = ['c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002'];
      // 400 days ago: its month ends before the cutoff, though its quarter might not.
      const result = await runs.importRuns([imported(runs.workspaceId, gone, ago(400), 1), imported(runs.workspaceId, kept, ago(364), 2)]);
      assert.equal(result.inserted, 2);
      const before = await partitions(old.url);
      for (const at of [ago(400), ago(364), NOW, ago(-40)]) assert.ok(before.includes(partitionOf(at, 1)), `${partitionOf(at, 1)} made: ${before}`);
      const pruned = await runCli(['prune', '--older-than', '365d', '--db', old.url]);
      assert.equal(pruned.code, 0, pruned.stderr);
      assert.equal(await runs.getRun(gone), null);
      assert.equal((await runs.getRun(kept))?.run.createdAt, ago(364));
    } finally {
      await store.close();
    }
  } finally {
    await old.drop();
  }
});

test('prune on SQLite refuses with a message and deletes nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'runledger-prune-'));
  try {
    const result = await runCli(['prune', '--older-than', '365d', '--db', join(dir, 'runledger.db')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /SQLite store keeps every run/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
