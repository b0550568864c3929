import type { BenchOptions } from './options.ts';
import { probe, type Probe } from './probe.ts';
import { runledgerPath, type BenchQuery } from './queries.ts';
import { databaseOf, loadInTurn, openMeter, requestFor, tenantOf, type ReadTargets, type Side } from './reads.ts';
import type { Server } from './servers.ts';

/** The queries whose read target has been missed (on PostgreSQL): Q8 (1×) and Q3 (2×). */
export const FLOOR_QUERIES = ['Q3', 'Q8'];

/**
 * Each of the three servers goes first at least once, and the table takes
 * medians: one slow spell of this shared machine in one round doubled a
 * server's CPU per request for that round.
 */
const MIN_ROUNDS = 3;

export type FloorServer = 'thin' | 'bare' | 'runledger';

/** One load of one server: req/s, and CPU per request in µs (server process, PostgreSQL backends). */
export interface FloorLoad {
  rps: number;
  server: number;
  postgres?: number;
}

export interface FloorResult {
  query: BenchQuery;
  probes: Record<FloorServer, Probe>;
  rounds: Array<Record<FloorServer, FloorLoad>>;
}

/**
 * Where a read's time goes, for the queries that miss their target: the thin
 * server, runledger's store bare behind node:http (bare-server.ts), and
 * runledger, loaded in turn. Bare against thin is what the store can reach
 * with no guarantee around it; runledger against bare is what the contract's
 * guarantees cost (key, validation, rate limit, headers, Fastify).
 */
export async function measureFloors(t: ReadTargets, bare: Server, queries: BenchQuery[], options: BenchOptions): Promise<FloorResult[]> {
  const meter = await openMeter(t);
  const results: FloorResult[] = [];
  try {
    for (const q of queries) {
      const runledgerDb = databaseOf('runledger', t.seeded);
      const sides: Record<FloorServer, Side> = {
        thin: { pid: t.thin.proc.pid!, database: databaseOf('thin', t.seeded), request: requestFor(q, 'thin', t) },
        bare: { pid: bare.proc.pid!, database: runledgerDb, request: { url: bare.url + runledgerPath(q), headers: { workspace: tenantOf(q, t.seeded).name } } },
        runledger: { pid: t.runledger.proc.pid!, database: runledgerDb, request: requestFor(q, 'runledger', t) },
      };
      const probeOf = (name: FloorServer) => probe(sides[name].request.url, sides[name].request.headers);
      const probes = { thin: await probeOf('thin'), bare: await probeOf('bare'), runledger: await probeOf('runledger') };
      const loads = await loadInTurn(sides, Math.max(options.rounds, MIN_ROUNDS), options.seconds, meter);
      const perRequest = (seconds: number, requests: number) => (seconds * 1e6) / Math.max(1, requests);
      results.push({
        query: q,
        probes,
        rounds: loads.thin.map((_, round) => {
          const of = (name: FloorServer): FloorLoad => {
            const { rps, requests, cpu } = loads[name][round];
            return { rps, server: perRequest(cpu.server, requests), postgres: cpu.postgres === undefined ? undefined : perRequest(cpu.postgres, requests) };
          };
          return { thin: of('thin'), bare: of('bare'), runledger: of('runledger') };
        }),
      });
    }
  } finally {
    await meter.close();
  }
  return results;
}
