import { createRequire } from 'node:module';
import { LOAD_CORE, runChild } from './child.ts';

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  body?: string;
}

export interface LoadResult {
  rps: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  requests: number;
  /** Answers that were not 2xx, plus socket errors and timeouts: a measurement with any is not trusted. */
  failures: number;
}

/** Drives load with autocannon in its own process on the load core, so that it never shares the server's event loop. */
export async function load(spec: LoadSpec): Promise<LoadResult> {
  const args = ['-c', String(spec.connections), '-d', String(spec.seconds), '-j', '-n', '-m', spec.method ?? 'GET'];
  for (const [name, value] of Object.entries(spec.headers ?? {})) args.push('-H', `${name}=${value}`);
  if (spec.body !== undefined) args.push('-b', spec.body);
  const { stdout } = await runChild(['taskset', ['-c', LOAD_CORE, process.execPath, AUTOCANNON, ...args, spec.url]]);
  const r = JSON.parse(stdout) as {
    requests: { total: number };
    latency: { p50: number; p99: number };
    duration: number;
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return {
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    failures: r.non2xx + r.errors + r.timeouts,
  };
}
