import type { Run } from '../src/domain/run.ts';
import { seedRuns } from '../src/domain/seed-runs.ts';
import { nowMicros } from '../src/domain/timestamp.ts';
import { load, type LoadResult } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { Scratch } from './scratch.ts';
import { startRunledger, type Server } from './servers.ts';
import { postgresClient, sqliteClient, type SqlClient } from './sql-client.ts';
import { createThinTable, insertThinSql, thinValues } from './thin-table.ts';

export const WRITE_CONNECTIONS = [1, 16, 64] as const;
const BODY = JSON.stringify({ workflow_id: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b', credential_id: 'cred-bench' });

export interface WriteResult {
  connections: number;
  groupCommit: LoadResult;
  oneByOne: LoadResult;
}

export interface InProcessWrites {
  /** One durable transaction per row, one after another: what durability costs without batching. */
  floor: number;
  /** Every row in one transaction, 500 rows a statement: what the database can take at most. */
  ceiling: number;
}

/**
 * POST /run with durable commits, group commit on and off side by side (each
 * on its own fresh database), connection count by connection count.
 */
export async function measureWrites(scratch: Scratch, options: BenchOptions): Promise<WriteResult[]> {
  const servers: Record<'on' | 'off', Server> = {
    on: await startRunledger(await scratch.database('writes_on')),
    off: await startRunledger(await scratch.database('writes_off'), ['--group-commit', 'off']),
  };
  try {
    const results: WriteResult[] = [];
    for (const [i, connections] of WRITE_CONNECTIONS.entries()) {
      const measured: Partial<Record<'on' | 'off', LoadResult>> = {};
      for (const mode of i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const server = servers[mode];
        measured[mode] = await load({
          url: `${server.url}/run`,
          method: 'POST',
          body: BODY,
          headers: { 'cc-key': server.key!, 'content-type': 'application/json' },
          connections,
          seconds: options.seconds,
        });
      }
      results.push({ connections, groupCommit: measured.on!, oneByOne: measured.off! });
    }
    return results;
  } finally {
    await Promise.all([servers.on.stop(), servers.off.stop()]);
  }
}

/** Inserts `batch` rows a statement for `seconds`, then `finish`; rows a second over the whole. */
async function rowsPerSecond(client: SqlClient, kind: Scratch['kind'], runs: Iterator<Run>, batch: number, seconds: number, finish: () => Promise<unknown>): Promise<number> {
  let rows = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    const values = Array.from({ length: batch }, () => thinValues(runs.next().value as Run, kind)).flat();
    await client.all(insertThinSql(batch), values);
    rows += batch;
  }
  await finish();
  return rows / ((performance.now() - started) / 1000);
}

/**
 * The floor and ceiling, in the bench process, on a table of runs with one
 * index per access path and durable commits: the floor inserts one row per
 * transaction, the ceiling rows 500 to a statement, all in one transaction.
 */
export async function measureInProcessWrites(scratch: Scratch, options: BenchOptions): Promise<InProcessWrites> {
  const db = await scratch.database('writes_floor');
  const client: SqlClient = scratch.kind === 'sqlite' ? sqliteClient(db, ['journal_mode = WAL', 'synchronous = FULL']) : postgresClient(db, 1);
  try {
    await createThinTable(client, scratch.kind);
    const runs = seedRuns({ workspaceId: 'bench-writes', runs: Number.MAX_SAFE_INTEGER, days: 1, seed: 7, now: nowMicros() });
    const floor = await rowsPerSecond(client, scratch.kind, runs, 1, options.seconds, async () => {});
    await client.exec('BEGIN');
    const ceiling = await rowsPerSecond(client, scratch.kind, runs, 500, options.seconds, () => client.exec('COMMIT'));
    return { floor, ceiling };
  } finally {
    await client.close();
  }
}
