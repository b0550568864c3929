import { setTimeout as sleep } from 'node:timers/promises';
import { load, type LoadResult } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { BenchQuery } from './queries.ts';
import { databaseOf, openMeter, requestFor, type ReadTargets } from './reads.ts';

const SMALL_CONNECTIONS = 4;
const BIG_CONNECTIONS = 16;
/**
 * A p99 of a few milliseconds over 5 s is the 50th slowest of ~5,000
 * requests: one stall of the machine moves it several-fold (Q3 alone, same
 * server and data: 9 to 28 ms from one run to the next). So the pair is
 * measured in several rounds, and the table takes the median of each side.
 */
const MIN_ROUNDS = 3;

export interface HolRound {
  alone: LoadResult;
  beside: LoadResult;
  /** The 10,000-row load that ran beside the small queries. */
  big: LoadResult;
}

export interface HolResult {
  server: 'runledger' | 'thin';
  rounds: HolRound[];
}

/**
 * Head-of-line blocking (issue 5 target 4): the small query's p99 alone, then
 * while a second wrk process hammers 10,000-row pages. The big load
 * starts first and ends last, so the small one is measured entirely beside it.
 * Rounds alternate which server goes first, and each load starts on an idle
 * server (cpu.ts).
 */
export async function measureHol(t: ReadTargets, small: BenchQuery, big: BenchQuery, options: BenchOptions): Promise<HolResult[]> {
  const results: HolResult[] = [
    { server: 'runledger', rounds: [] },
    { server: 'thin', rounds: [] },
  ];
  const meter = await openMeter(t);
  try {
    for (let round = 0; round < Math.max(options.rounds, MIN_ROUNDS); round += 1) {
      for (const result of round % 2 === 0 ? results : [...results].reverse()) {
        const idle = () => meter.idle(t[result.server].proc.pid!, databaseOf(result.server, t.seeded));
        await idle();
        const alone = await load({ ...requestFor(small, result.server, t), connections: SMALL_CONNECTIONS, seconds: options.seconds });
        await idle();
        const bigLoad = load({ ...requestFor(big, result.server, t), connections: BIG_CONNECTIONS, seconds: options.seconds + 2 });
        await sleep(1000);
        const beside = await load({ ...requestFor(small, result.server, t), connections: SMALL_CONNECTIONS, seconds: options.seconds });
        result.rounds.push({ alone, beside, big: await bigLoad });
      }
    }
  } finally {
    await meter.close();
  }
  return results;
}
