import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';
import { lastRunOf } from '../../src/domain/run.ts';
import { openStore } from '../../src/store/open-store.ts';
import { Client } from './client.ts';
import type { RunObject } from './runs.ts';

export const BIN = fileURLToPath(new URL('../../bin/runledger', import.meta.url));

/** The environment of a child: the developer's RUNLEDGER_* settings left out, logs quiet. */
function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RUNLEDGER_')));
  return { ...env, RUNLEDGER_LOG_LEVEL: 'warn' };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin/runledger` with these arguments as a real process, to its end. */
export function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: childEnv(), timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const STARTUP_MS = 30_000;

/** `runledger serve` as a child process, started once it prints the URL it listens on. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    /** The key printed on a database that had none. */
    readonly firstKey: string | undefined,
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
    readonly output: () => string,
  ) {}

  static start(db: string, extra: string[] = ['--rate-limit', 'off']): Promise<ServerProcess> {
    const child = spawn(BIN, ['serve', '--db', db, '--host', '127.0.0.1', '--port', '0', ...extra], { env: childEnv() });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const output = () => `stdout: ${stdout}\nstderr: ${stderr}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`serve did not print its URL in ${STARTUP_MS} ms\n${output()}`));
      }, STARTUP_MS);
      child.stdout!.on('data', (chunk) => {
        stdout += chunk;
        const url = /(http:\/\/[\w.:[\]-]+)/.exec(stdout)?.[1];
        if (url === undefined || !stdout.endsWith('\n')) return;
        clearTimeout(timer);
        resolve(new ServerProcess(child, url, /\b(rl_[A-Za-z0-9_-]+)/.exec(stdout)?.[1], exited, output));
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`serve exited (${code ?? signal}) before printing its URL\n${output()}`));
      });
    });
  }

  client(key: string | undefined): Client {
    return new Client(this.url, key);
  }

  /** The command line the process runs, as the kernel has it (node, its flags, the script, the arguments). */
  commandLine(): string[] {
    return this.proc('cmdline');
  }

  /** The environment the process was started with, as NAME=VALUE. */
  environment(): string[] {
    return this.proc('environ');
  }

  private proc(file: 'cmdline' | 'environ'): string[] {
    return readFileSync(`/proc/${this.child.pid}/${file}`, 'utf8').split('\0').filter(Boolean);
  }

  /** Sends a signal; resolves with how the process ended and how long it took. */
  async stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const started = performance.now();
    this.child.kill(signal);
    const how = await this.exited;
    return { ...how, ms: performance.now() - started };
  }
}

/** What the command line left in a workspace: its run objects of the last `days` days, read through the store. */
export async function runsIn(db: string, workspace: string, days = 366): Promise<RunObject[]> {
  const store = await openStore(loadConfig({ db, logLevel: 'silent' }, {}));
  try {
    const runs = await store.workspace(workspace, false);
    if (runs === null) return [];
    const now = Date.now() * 1000;
    const all: RunObject[] = [];
    for (let page = await runs.listRuns(listAll(now - days * 86_400_000_000, now)); page.count > 0; ) {
      all.push(...(JSON.parse(page.body.toString()) as RunObject[]));
      const last = lastRunOf(page.body);
      page.release?.();
      if (last === undefined || page.count < 10_000) break;
      page = await runs.listRuns(listAll(now - days * 86_400_000_000, now, last));
    }
    return all;
  } finally {
    await store.close();
  }
}

const listAll = (start: number, end: number, cursor?: { createdAt: number; sessionId: string }) => ({
  start,
  end,
  workflowIds: [],
  statuses: [],
  credentialIds: [],
  limit: 10_000,
  cursor,
});
