import { load, type LoadResult } from './load.ts';
import type { BenchOptions } from './options.ts';
import { probe, type Probe } from './probe.ts';
import { naiveFilter, runledgerPath, thinPath, type BenchQuery } from './queries.ts';
import { naiveListSql } from './naive-sql.ts';
import { openThinClient, type Seeded, type Tenant } from './seed.ts';
import type { Server } from './servers.ts';
import { THIN_TABLE } from './thin-table.ts';

export const READ_CONNECTIONS = 16;

export interface ReadResult {
  query: BenchQuery;
  runledger: LoadResult & Probe;
  thin: LoadResult & Probe;
  /** The naive prepared statement + JSON.stringify in the bench process, on the thin table. */
  raw: { opsPerSecond: number; rows: number };
}

export interface ReadTargets {
  runledger: Server;
  thin: Server;
  seeded: Seeded;
}

const tenantOf = (q: BenchQuery, seeded: Seeded): Tenant => (q.workspace === 'big' ? seeded.big : seeded.small!);

/** The request each server gets for a query. */
export function requestFor(q: BenchQuery, which: 'runledger' | 'thin', t: ReadTargets): { url: string; headers: Record<string, string> } {
  const tenant = tenantOf(q, t.seeded);
  return which === 'runledger'
    ? { url: t.runledger.url + runledgerPath(q), headers: { 'cc-key': tenant.key } }
    : { url: t.thin.url + thinPath(q, tenant.id), headers: {} };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function average(results: LoadResult[]): LoadResult {
  return {
    rps: mean(results.map((r) => r.rps)),
    p50: mean(results.map((r) => r.p50)),
    p99: mean(results.map((r) => r.p99)),
    requests: results.reduce((a, r) => a + r.requests, 0),
    failures: results.reduce((a, r) => a + r.failures, 0),
  };
}

async function rawOpsPerSecond(t: ReadTargets, queries: BenchQuery[], seconds: number): Promise<Map<string, { opsPerSecond: number; rows: number }>> {
  const client = openThinClient(t.seeded.thin);
  const out = new Map<string, { opsPerSecond: number; rows: number }>();
  try {
    for (const q of queries) {
      const { sql, params } = naiveListSql(THIN_TABLE, naiveFilter(q, tenantOf(q, t.seeded).id));
      let ops = 0;
      let rows = 0;
      const started = performance.now();
      while (performance.now() - started < seconds * 1000) {
        const result = await client.all(sql, params);
        JSON.stringify(result);
        rows = result.length;
        ops += 1;
      }
      out.set(q.id, { opsPerSecond: ops / ((performance.now() - started) / 1000), rows });
    }
  } finally {
    await client.close();
  }
  return out;
}

/**
 * Each query is loaded on runledger and on the thin server in turn, query by
 * query, the order swapped every round, so that noise on this shared machine
 * hits both sides alike.
 */
export async function measureReads(t: ReadTargets, queries: BenchQuery[], options: BenchOptions, log: (line: string) => void): Promise<ReadResult[]> {
  const raw = await rawOpsPerSecond(t, queries, Math.min(options.seconds / 2, 2));
  const results: ReadResult[] = [];
  for (const q of queries) {
    const [ours, theirs] = [requestFor(q, 'runledger', t), requestFor(q, 'thin', t)];
    const probes = { runledger: await probe(ours.url, ours.headers), thin: await probe(theirs.url) };
    const loads: Record<'runledger' | 'thin', LoadResult[]> = { runledger: [], thin: [] };
    for (let round = 0; round < options.rounds; round += 1) {
      const order = round % 2 === 0 ? (['runledger', 'thin'] as const) : (['thin', 'runledger'] as const);
      for (const which of order) loads[which].push(await load({ ...requestFor(q, which, t), connections: READ_CONNECTIONS, seconds: options.seconds }));
    }
    const result = {
      query: q,
      runledger: { ...average(loads.runledger), ...probes.runledger },
      thin: { ...average(loads.thin), ...probes.thin },
      raw: raw.get(q.id)!,
    };
    log(`${q.id}: runledger ${result.runledger.rps.toFixed(0)} req/s, thin ${result.thin.rps.toFixed(0)} req/s, raw ${result.raw.opsPerSecond.toFixed(0)} ops/s (${result.runledger.rows}/${result.thin.rows}/${result.raw.rows} rows)`);
    results.push(result);
  }
  return results;
}
