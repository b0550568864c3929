import { readFileSync } from 'node:fs';
import { load, type LoadResult } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { BenchQuery } from './queries.ts';
import { requestFor, type ReadTargets } from './reads.ts';
import { startRunledger, startThin, type Server } from './servers.ts';

const CONNECTIONS = 64;
const SAMPLE_MS = 50;

/**
 * Resident memory of a process in MB: now (VmRSS), its high-water mark
 * (VmHWM), and the anonymous part (RssAnon): the rest is pages of files the
 * process maps, such as a memory-mapped SQLite database, which the kernel can
 * drop at will.
 */
function residentMb(pid: number): { rss: number; hwm: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024, anon: kb('RssAnon') / 1024 };
}

export interface MemoryResult {
  server: 'runledger' | 'thin';
  idleMb: number;
  peakMb: number;
  peakAnonMb: number;
  load: LoadResult;
}

/**
 * Issue 5 target 5: each server is started afresh, so that its high-water
 * mark covers only this load: 64 connections asking for 10,000-row pages.
 */
export async function measureMemory(t: ReadTargets, big: BenchQuery, options: BenchOptions): Promise<MemoryResult[]> {
  const results: MemoryResult[] = [];
  for (const server of ['runledger', 'thin'] as const) {
    const fresh: Server = server === 'runledger' ? await startRunledger(t.seeded.runledgerDb) : await startThin(t.seeded.thin);
    try {
      const pid = fresh.proc.pid!;
      const idleMb = residentMb(pid).rss;
      let peak = idleMb;
      let peakAnon = 0;
      const sample = () => {
        const now = residentMb(pid);
        peak = Math.max(peak, now.rss);
        peakAnon = Math.max(peakAnon, now.anon);
      };
      const sampler = setInterval(sample, SAMPLE_MS);
      const targets = { ...t, [server]: fresh };
      const result = await load({ ...requestFor(big, server, targets), connections: CONNECTIONS, seconds: options.seconds });
      clearInterval(sampler);
      sample();
      results.push({ server, idleMb, peakMb: Math.max(peak, residentMb(pid).hwm), peakAnonMb: peakAnon, load: result });
    } finally {
      await fresh.stop();
    }
  }
  return results;
}
