/**
 * PostgreSQL outage: the API answers 503 with Retry-After while the database
 * is down, stays up, and recovers by itself when the database is back. The
 * database is a private cluster that this test makes (initdb), starts and
 * stops (pg_ctl) on a free port: the shared server on 5432 is never touched.
 * PostgreSQL refuses to run as root, so as root the cluster runs as the
 * postgres user, in a directory it owns.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/build-app.ts';
import { loadConfig } from '../src/config.ts';
import { openStore } from '../src/store/open-store.ts';
import { LARGE_PAGE } from '../src/store/run-store.ts';
import { Client } from './support/client.ts';

/** The directory of initdb and pg_ctl: Debian keeps them out of PATH, under /usr/lib/postgresql/<version>/bin. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return '';
  const newest = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? '' : join(root, newest, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

class PrivateCluster {
  private readonly data: string;

  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.data = join(dir, 'data');
  }

  static async make(): Promise<PrivateCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'runledger-pg-'));
    if (process.getuid?.() === 0) {
      const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres']).toString()));
      chownSync(dir, uid, gid);
    }
    const cluster = new PrivateCluster(dir, await freePort());
    cluster.run('initdb', ['-D', cluster.data, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions']);
    return cluster;
  }

  private run(tool: string, args: string[]): void {
    const bin = postgresBin();
    const command = bin === '' ? tool : join(bin, tool);
    const [file, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    execFileSync(file, argv, { stdio: 'pipe', cwd: this.dir });
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  start(): void {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    this.run('pg_ctl', ['-D', this.data, '-o', options, '-l', join(this.dir, 'log'), '-w', 'start']);
  }

  stop(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  destroy(): void {
    if (existsSync(join(this.data, 'postmaster.pid'))) this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let cluster: PrivateCluster;
let app: FastifyInstance;
let client: Client;

before(async () => {
  cluster = await PrivateCluster.make();
  cluster.start();
  const config = loadConfig({ db: cluster.url, port: '0', rateLimit: 'off', logLevel: 'silent', poolSize: '4' }, {});
  const store = await openStore(config);
  app = await buildApp(config, store);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const made = await store.createKey('outage');
  client = new Client(url, made.key);
});

after(async () => {
  await app?.close();
  cluster?.destroy();
});

const assertUnavailable = (reply: { status: number; headers: Headers; body: any }, what: string) => {
  assert.equal(reply.status, 503, `${what}: ${JSON.stringify(reply.body)}`);
  assert.equal(reply.body?.error, 'unavailable', what);
  assert.match(reply.headers.get('retry-after') ?? '', /^\d+$/, `${what} carries Retry-After`);
};

test('answers 503 while PostgreSQL is down and recovers without a restart', async () => {
  const made = await client.post('/run', { workflow_id: '6f1d2b4e-0c3a-4d5e-8f70-9a8b7c6d5e4f' });
  assert.equal(made.status, 201);
  assert.equal((await client.runs()).status, 200);
  assert.equal((await client.get('/readyz')).status, 200);

  cluster.stop();
  assertUnavailable(await client.runs(), 'GET /runs');
  // Pages over LARGE_PAGE rows are read on a reader thread's own connection.
  assertUnavailable(await client.runs({ limit: String(LARGE_PAGE + 1) }), 'GET /runs, a large page');
  assertUnavailable(await client.get(`/run/${made.body.session_id}`), 'GET /run/{id}');
  assertUnavailable(await client.post('/run', { workflow_id: '6f1d2b4e-0c3a-4d5e-8f70-9a8b7c6d5e4f' }), 'POST /run');
  assertUnavailable(await client.get('/readyz'), 'GET /readyz');
  // The process is up and says so.
  assert.equal((await client.get('/healthz')).status, 200);

  cluster.start();
  assert.equal((await client.get('/readyz')).status, 200);
  const listed = await client.runs();
  assert.equal(listed.status, 200);
  assert.equal((await client.runs({ limit: String(LARGE_PAGE + 1) })).status, 200, 'a large page after the outage');
  assert.deepEqual(
    listed.body.map((r: { session_id: string }) => r.session_id),
    [made.body.session_id],
    'the run made before the outage is listed after it',
  );
  assert.equal((await client.post('/run', { workflow_id: '6f1d2b4e-0c3a-4d5e-8f70-9a8b7c6d5e4f' })).status, 201);
});
