import { isPostgresUrl } from '../src/store/open-store.ts';
import { CpuMeter, type CpuUse } from './cpu.ts';
import { load, type LoadResult } from './load.ts';
import type { BenchOptions } from './options.ts';
import { probe, type Probe } from './probe.ts';
import { naiveFilter, runledgerPath, thinPath, type BenchQuery } from './queries.ts';
import { naiveListSql } from './naive-sql.ts';
import { openThinClient, type Seeded, type Tenant } from './seed.ts';
import type { Server } from './servers.ts';
import { THIN_TABLE } from './thin-table.ts';

export const READ_CONNECTIONS = 16;

/** A load's figures, with the CPU it cost per request in microseconds. */
export type MeasuredLoad = LoadResult & { cpuPerRequest: CpuUse };

export interface ReadResult {
  query: BenchQuery;
  runledger: MeasuredLoad & Probe;
  thin: MeasuredLoad & Probe;
  /**
   * req/s of each round alone: both loads of a round run back to back, so a
   * slow spell of this shared machine hits them alike, and the spread of
   * their ratios shows how far a single ratio can be trusted.
   */
  rounds: Array<{ runledger: number; thin: number }>;
  /** The naive prepared statement + JSON.stringify in the bench process, on the thin table. */
  raw: { opsPerSecond: number; rows: number };
}

export interface ReadTargets {
  runledger: Server;
  thin: Server;
  seeded: Seeded;
}

export const tenantOf = (q: BenchQuery, seeded: Seeded): Tenant => (q.workspace === 'big' ? seeded.big : seeded.small!);

/** The request each server gets for a query. */
export function requestFor(q: BenchQuery, which: 'runledger' | 'thin', t: ReadTargets): { url: string; headers: Record<string, string> } {
  const tenant = tenantOf(q, t.seeded);
  return which === 'runledger'
    ? { url: t.runledger.url + runledgerPath(q), headers: { 'cc-key': tenant.key } }
    : { url: t.thin.url + thinPath(q, tenant.id), headers: {} };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const mean = (values: number[]) => sum(values) / values.length;

function average(results: Array<LoadResult & { cpu: CpuUse }>): MeasuredLoad {
  const requests = sum(results.map((r) => r.requests));
  const micros = (seconds: number) => (seconds * 1e6) / Math.max(1, requests);
  const postgres = results.every((r) => r.cpu.postgres !== undefined) ? micros(sum(results.map((r) => r.cpu.postgres!))) : undefined;
  return {
    rps: mean(results.map((r) => r.rps)),
    p50: mean(results.map((r) => r.p50)),
    p99: mean(results.map((r) => r.p99)),
    requests,
    failures: sum(results.map((r) => r.failures)),
    cpuPerRequest: { server: micros(sum(results.map((r) => r.cpu.server))), postgres },
  };
}

/** The database a server reads, by name, on PostgreSQL. */
export function databaseOf(which: 'runledger' | 'thin', seeded: Seeded): string | undefined {
  const url = which === 'runledger' ? seeded.runledgerDb : 'postgres' in seeded.thin ? seeded.thin.postgres : undefined;
  return url !== undefined && isPostgresUrl(url) ? new URL(url).pathname.slice(1) : undefined;
}

/** A CPU meter for the servers' processes, and on PostgreSQL their backends. */
export const openMeter = (t: ReadTargets): Promise<CpuMeter> =>
  CpuMeter.open(databaseOf('runledger', t.seeded) === undefined ? undefined : t.seeded.runledgerDb);

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
 * A load of a query on each server, not measured, before any phase. A
 * fresh server's first seconds (V8 compiling its code, its pool opening
 * connections and preparing statements on them) went into the first
 * query's figures: on PostgreSQL, runledger's p99 for Q1, loaded first, was
 * 14-19 times its p50 (338 and 371 ms), and 3-5 times for every query after.
 */
export async function warmUp(t: ReadTargets, q: BenchQuery, seconds: number): Promise<void> {
  for (const which of ['runledger', 'thin'] as const) await load({ ...requestFor(q, which, t), connections: READ_CONNECTIONS, seconds });
}

/**
 * Each query is loaded on runledger and on the thin server in turn, query by
 * query, the order swapped every round, so that noise on this shared machine
 * hits both sides alike. Each load also counts the CPU it cost (cpu.ts).
 */
export async function measureReads(t: ReadTargets, queries: BenchQuery[], options: BenchOptions, log: (line: string) => void): Promise<ReadResult[]> {
  const raw = await rawOpsPerSecond(t, queries, Math.min(options.seconds / 2, 2));
  const meter = await openMeter(t);
  const results: ReadResult[] = [];
  try {
    for (const q of queries) {
      const result = { ...(await measureQuery(t, q, options, meter)), raw: raw.get(q.id)! };
      log(`${q.id}: runledger ${result.runledger.rps.toFixed(0)} req/s, thin ${result.thin.rps.toFixed(0)} req/s, raw ${result.raw.opsPerSecond.toFixed(0)} ops/s (${result.runledger.rows}/${result.thin.rows}/${result.raw.rows} rows)`);
      results.push(result);
    }
  } finally {
    await meter.close();
  }
  return results;
}

async function measureQuery(t: ReadTargets, q: BenchQuery, options: BenchOptions, meter: CpuMeter): Promise<Omit<ReadResult, 'raw'>> {
  const [ours, theirs] = [requestFor(q, 'runledger', t), requestFor(q, 'thin', t)];
  const probes = { runledger: await probe(ours.url, ours.headers), thin: await probe(theirs.url) };
  const side = (which: 'runledger' | 'thin'): Side => ({ pid: t[which].proc.pid!, database: databaseOf(which, t.seeded), request: requestFor(q, which, t) });
  const loads = await loadInTurn({ runledger: side('runledger'), thin: side('thin') }, options.rounds, options.seconds, meter);
  return {
    query: q,
    runledger: { ...average(loads.runledger), ...probes.runledger },
    thin: { ...average(loads.thin), ...probes.thin },
    rounds: loads.runledger.map((ours, round) => ({ runledger: ours.rps, thin: loads.thin[round].rps })),
  };
}

/** A server as a load sees it: its process, its database's name on PostgreSQL, and the request it gets. */
export interface Side {
  pid: number;
  database: string | undefined;
  request: { url: string; headers: Record<string, string> };
}

/**
 * Loads each side in turn, round after round, each round starting with the
 * next side, so that noise on this shared machine hits every side alike.
 * Each load also counts the CPU it cost (cpu.ts).
 */
export async function loadInTurn<K extends string>(
  sides: Record<K, Side>,
  rounds: number,
  seconds: number,
  meter: CpuMeter,
): Promise<Record<K, Array<LoadResult & { cpu: CpuUse }>>> {
  const names = Object.keys(sides) as K[];
  const loads = Object.fromEntries(names.map((name) => [name, []])) as unknown as Record<K, Array<LoadResult & { cpu: CpuUse }>>;
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < names.length; i += 1) {
      const name = names[(round + i) % names.length];
      const { pid, database, request } = sides[name];
      loads[name].push(await meter.measure(pid, database, () => load({ ...request, connections: READ_CONNECTIONS, seconds })));
    }
  }
  return loads;
}
