import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LOAD_CORE, runChild } from './child.ts';

const SCRIPT = fileURLToPath(new URL('./load.lua', import.meta.url));

/** A page of 10,000 runs takes seconds on a loaded thin server; wrk's own 2 s would count it as an error. */
const TIMEOUT = '60s';

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
  /** 4xx and 5xx answers, plus socket errors and timeouts: a measurement with any is not trusted. */
  failures: number;
}

/** Installs wrk with apt-get (Debian's package wrk) when it is not on PATH; throws, saying how to install it, when that fails. */
export function ensureWrk(log: (line: string) => void): void {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  log('wrk is not installed: installing it with apt-get (Debian package wrk)');
  const installed = spawnSync('apt-get', ['install', '-y', '-q', 'wrk'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (installed.status !== 0) throw new Error('the bench needs wrk (https://github.com/wg/wrk) on PATH: apt-get install wrk');
}

/**
 * One load from wrk (C, one thread), as issue 5's own figures were measured,
 * in its own process on the load core, so that it never shares the server's
 * event loop or core. A load generator in JavaScript spent more CPU parsing
 * a 10,000-run page than runledger spent writing it, and capped the very
 * queries it measured (bench/README.md, "Load").
 */
export async function load(spec: LoadSpec): Promise<LoadResult> {
  const seconds = String(Math.max(1, Math.round(spec.seconds)));
  const args = ['-t', '1', '-c', String(spec.connections), '-d', `${seconds}s`, '--timeout', TIMEOUT, '-s', SCRIPT];
  for (const [name, value] of Object.entries(spec.headers ?? {})) args.push('-H', `${name}: ${value}`);
  const env = [`LOAD_METHOD=${spec.method ?? 'GET'}`, ...(spec.body === undefined ? [] : [`LOAD_BODY=${spec.body}`])];
  const { stdout } = await runChild(['env', [...env, 'taskset', '-c', LOAD_CORE, 'wrk', ...args, spec.url]]);
  const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    requests: number;
    duration_us: number;
    p50_us: number;
    p99_us: number;
    status_errors: number;
    socket_errors: number;
  };
  return {
    rps: r.requests / (r.duration_us / 1e6),
    p50: r.p50_us / 1000,
    p99: r.p99_us / 1000,
    requests: r.requests,
    failures: r.status_errors + r.socket_errors,
  };
}
