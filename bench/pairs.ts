import type { LoadResult } from './load.ts';
import type { BenchOptions } from './options.ts';
import { probe } from './probe.ts';
import type { BenchQuery } from './queries.ts';
import { databaseOf, loadInTurn, openMeter, requestFor, type ReadTargets, type Side } from './reads.ts';

/**
 * Targets 2 and 3 compare two of runledger's own queries, not runledger
 * with the thin server. Read off the reads table, the two loads of a ratio
 * ran about a minute apart, and the machine's speed moves by more than the
 * target's margin within that (SQLite Q4 against Q2 per row: 1.26× to 1.82×
 * over four runs of unchanged code). Here the two queries are loaded back to
 * back, in turn, at least MIN_ROUNDS times, the order swapped each round,
 * and the verdict is the median of the rounds' ratios.
 */
const MIN_ROUNDS = 5;

export interface PairSpec {
  target: string;
  /** The query the target bounds, and the one it is measured against. */
  query: BenchQuery;
  base: BenchQuery;
  /** Ratio of cost per run returned (target 2), else of cost per request (target 3). */
  perRow: boolean;
  /** The most the target allows: query/base. */
  bound: number;
}

export interface PairRound {
  query: LoadResult;
  base: LoadResult;
}

export interface PairResult extends PairSpec {
  rows: { query: number; base: number };
  rounds: PairRound[];
}

/**
 * A round's ratios, query/base: of the cost of a request (per run returned
 * where perRow), taken as the inverse of req/s at the same concurrency, and
 * of p50.
 */
export function pairRatios(pair: PairResult, round: PairRound): { cost: number; p50: number } {
  const [q, b] = pair.perRow ? [pair.rows.query, pair.rows.base] : [1, 1];
  return { cost: (round.base.rps * b) / (round.query.rps * q), p50: round.query.p50 / q / (round.base.p50 / b) };
}

export async function measurePairs(t: ReadTargets, pairs: PairSpec[], options: BenchOptions): Promise<PairResult[]> {
  const meter = await openMeter(t);
  const results: PairResult[] = [];
  const side = (q: BenchQuery): Side => ({ pid: t.runledger.proc.pid!, database: databaseOf('runledger', t.seeded), request: requestFor(q, 'runledger', t) });
  const rowsOf = async (q: BenchQuery) => {
    const { url, headers } = requestFor(q, 'runledger', t);
    return (await probe(url, headers)).rows;
  };
  try {
    for (const pair of pairs) {
      const loads = await loadInTurn({ query: side(pair.query), base: side(pair.base) }, Math.max(options.rounds, MIN_ROUNDS), options.seconds, meter);
      const rounds = loads.query.map((query, round) => ({ query, base: loads.base[round] }));
      results.push({ ...pair, rows: { query: await rowsOf(pair.query), base: await rowsOf(pair.base) }, rounds });
    }
  } finally {
    await meter.close();
  }
  return results;
}
