import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Run } from '../src/domain/run.ts';
import type { Micros } from '../src/domain/timestamp.ts';
import { copyFields, copyRows } from '../src/store/postgres/copy-rows.ts';
import { IMPORT_BATCH, COPY_COLUMNS, runFields, runLine } from '../src/store/postgres/import-runs.ts';
import { inTransaction } from '../src/store/postgres/in-transaction.ts';
import { openDatabase } from '../src/store/postgres/open-database.ts';
import { monthOf, RunPartitions } from '../src/store/postgres/partitions.ts';
import { SQL } from '../src/store/postgres/statements.ts';
import { LOAD_WORKSPACE_ID, workspaceRuns, type WorkspaceSpec } from './dataset.ts';
import type { Indexes } from './insert-ceiling.ts';
import type { Work, WorkClock } from './work-clock.ts';

/** Each batch's COPY text for runs and for run_owners, made untimed. */
function* batches(runs: Iterable<Run>, ws: number): Generator<{ runs: string; owners: string }> {
  let batch: Run[] = [];
  const text = () => ({
    runs: batch.map((r) => runLine(runFields(ws, r), null)).join(''),
    owners: batch.map((r) => `${copyFields([r.sessionId, ws, r.createdAt])}\n`).join(''),
  });
  for (const run of runs) {
    batch.push(run);
    if (batch.length === IMPORT_BATCH) {
      yield text();
      batch = [];
    }
  }
  if (batch.length > 0) yield text();
}

/**
 * What PostgreSQL itself allows on this machine, for the bulk-load target:
 * the same runs COPYed straight into runledger's tables (runs and
 * run_owners) with nothing else to do: no parsing, no validation, no
 * rendering, no owner checks. Times only the COPYs (transactions the size of
 * the import's), so that what is left is PostgreSQL's own cost.
 */
export async function postgresInsertRate(url: string, spec: WorkspaceSpec, now: Micros, indexes: Indexes, startClock: () => Promise<WorkClock>): Promise<Work> {
  const pool = await openDatabase(url, 1);
  try {
    const { rows: made } = await pool.query<{ name: string; sql: string }>(
      "SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE tablename IN ('runs', 'run_owners') AND indexname NOT LIKE '%_pkey'",
    );
    if (indexes === 'dropped' || indexes === 'built after') for (const index of made) await pool.query(`DROP INDEX ${index.name}`);
    await pool.query({ ...SQL.insertWorkspace, values: [randomUUID(), 'ceiling'] });
    const ws = (await pool.query<{ num: number }>({ ...SQL.workspaceByName, values: ['ceiling'] })).rows[0].num;
    const runs = () => workspaceRuns(spec, LOAD_WORKSPACE_ID, now);
    await (await RunPartitions.open(pool)).ensureMonths((function* () {
      for (const run of runs()) yield monthOf(run.createdAt);
    })());
    const clock = await startClock();
    for (const batch of batches(runs(), ws)) {
      await clock.time(() =>
        inTransaction(pool, async (client: pg.PoolClient) => {
          await client.query("SET LOCAL synchronous_commit = 'off'");
          await copyRows(client, 'runs', COPY_COLUMNS, batch.runs);
          if (indexes !== 'no session lookup') await copyRows(client, 'run_owners', ['session_id', 'workspace', 'created_at'], batch.owners);
        }),
      );
    }
    if (indexes === 'built after') {
      await clock.time(async () => {
        for (const index of made) await pool.query(index.sql);
      });
    }
    return await clock.result(spec.runs);
  } finally {
    await pool.end();
  }
}
