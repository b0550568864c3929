import { setTimeout as sleep } from 'node:timers/promises';
import { load, type LoadResult } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { BenchQuery } from './queries.ts';
import { requestFor, type ReadTargets } from './reads.ts';

const SMALL_CONNECTIONS = 4;
const BIG_CONNECTIONS = 16;

export interface HolResult {
  server: 'runledger' | 'thin';
  alone: LoadResult;
  beside: LoadResult;
  /** The 10,000-row load that ran beside the small queries. */
  big: LoadResult;
}

/**
 * Head-of-line blocking (issue 5 target 4): the small query's p99 alone, then
 * while a second autocannon process hammers 10,000-row pages. The big load
 * starts first and ends last, so the small one is measured entirely beside it.
 */
export async function measureHol(t: ReadTargets, small: BenchQuery, big: BenchQuery, options: BenchOptions): Promise<HolResult[]> {
  const results: HolResult[] = [];
  for (const server of ['runledger', 'thin'] as const) {
    const alone = await load({ ...requestFor(small, server, t), connections: SMALL_CONNECTIONS, seconds: options.seconds });
    const bigLoad = load({ ...requestFor(big, server, t), connections: BIG_CONNECTIONS, seconds: options.seconds + 2 });
    await sleep(1000);
    const beside = await load({ ...requestFor(small, server, t), connections: SMALL_CONNECTIONS, seconds: options.seconds });
    results.push({ server, alone, beside, big: await bigLoad });
  }
  return results;
}
