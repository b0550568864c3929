import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_RATE_LIMIT } from '../src/config.ts';
import { SERVER_CORE, startChild, nodeArgs, type Child, type Launch } from './child.ts';

const RUNLEDGER = fileURLToPath(new URL('../bin/runledger', import.meta.url));
const THIN_SERVER = fileURLToPath(new URL('./thin-server.ts', import.meta.url));
const BARE_SERVER = fileURLToPath(new URL('./bare-server.ts', import.meta.url));
const LISTENING = /listening on (http:\/\/\S+)/;

/** How bin/runledger's first line (`#!/usr/bin/env -S [NAME=VALUE …] node FLAGS`) launches node. */
const LAUNCHER: Launch = (() => {
  const words = readFileSync(RUNLEDGER, 'utf8').split('\n', 1)[0].split(' ');
  const node = words.indexOf('node');
  return { env: words.slice(words.indexOf('-S') + 1, node), flags: words.slice(node + 1) };
})();

export interface Server extends Child {
  url: string;
  /** The API key runledger printed on a database with no key, if it did. */
  key?: string;
}

/**
 * The real runledger server as a user runs it, through bin/runledger's own
 * first line (so with its node flags), every guarantee on: the rate
 * limiter runs on each request at its highest setting, which no bench load
 * reaches, so that it is paid for but never answers 429.
 */
export async function startRunledger(db: string, extra: readonly string[] = []): Promise<Server> {
  const args = ['serve', '--db', db, '--port', '0', '--rate-limit', String(MAX_RATE_LIMIT), '--log-level', 'warn', ...extra];
  const child = await startChild(['taskset', ['-c', SERVER_CORE, RUNLEDGER, ...args]], LISTENING);
  return { ...child, url: child.ready, key: /shown once\): (\S+)/.exec(child.output)?.[1] };
}

/** One of the bench's own servers (a script in bench/), on the server core, listening on any free port. */
async function startBenchServer(script: string, args: readonly string[], launch?: Launch): Promise<Server> {
  const child = await startChild(nodeArgs(SERVER_CORE, script, [...args, '--port', '0'], launch), LISTENING);
  return { ...child, url: child.ready };
}

export function startThin(target: { sqlite: string } | { postgres: string }): Promise<Server> {
  return startBenchServer(THIN_SERVER, 'sqlite' in target ? ['--sqlite', target.sqlite] : ['--postgres', target.postgres]);
}

/** runledger's store behind node:http alone (bare-server.ts), on runledger's database, node started as runledger's is. */
export function startBare(db: string): Promise<Server> {
  return startBenchServer(BARE_SERVER, ['--db', db], LAUNCHER);
}
