/**
 * --idle-timeout: a client that stops reading its 10,000-row pages must not
 * hold the connection (and with it the pages' memory and reader slots) for as
 * long as it stays connected; the server closes it once nothing has moved for
 * that long, and goes on serving everyone else.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/build-app.ts';
import { loadConfig } from '../../src/config.ts';
import { numberedItems } from '../../src/domain/import-line.ts';
import { seedRuns } from '../../src/domain/seed-runs.ts';
import { formatTimestamp, MICROS_PER_DAY, nowMicros } from '../../src/domain/timestamp.ts';
import { openStore } from '../../src/store/open-store.ts';
import { sqlite, type TestDatabase } from '../support/stores.ts';

const RUNS = 10_000;
/** Pipelined 3.4 MB pages: far more than loopback's socket buffers hold, so the server's writes stall. */
const PIPELINED = 8;
/** How long the test waits for the server to give up on the connection (the timeout is 1 s). */
const DEADLINE_MS = 20_000;

const now = nowMicros();
let db: TestDatabase;
let app: FastifyInstance;
let key: string;
let port: number;

const connections = (): Promise<number> => new Promise((resolve, reject) => app.server.getConnections((error, n) => (error ? reject(error) : resolve(n))));

const pagePath = `/runs?limit=${RUNS}&start_time=${encodeURIComponent(formatTimestamp(now - 2 * MICROS_PER_DAY))}&end_time=${encodeURIComponent(formatTimestamp(now))}`;

before(async () => {
  db = await sqlite.create();
  const config = loadConfig({ db: db.url, port: '0', rateLimit: 'off', logLevel: 'silent', idleTimeout: '1' }, {});
  const store = await openStore(config);
  app = await buildApp(config, store);
  key = (await store.createKey('w')).key;
  const runs = (await store.workspace('w', false))!;
  const generated = seedRuns({ workspaceId: runs.workspaceId, runs: RUNS, days: 1, seed: 3, now });
  const result = await runs.importRuns(numberedItems(generated));
  assert.equal(result.inserted, RUNS);
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
after(async () => {
  await app.close();
  await db.drop();
});

test('a client that stops reading is disconnected after the idle timeout, and large pages are still served', async () => {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.pause();
  socket.write(`GET ${pagePath} HTTP/1.1\r\nhost: test\r\ncc-key: ${key}\r\n\r\n`.repeat(PIPELINED));
  // The server has the connection once it has read the requests.
  while ((await connections()) === 0) await sleep(20);

  const started = performance.now();
  while ((await connections()) > 0 && performance.now() - started < DEADLINE_MS) await sleep(50);
  assert.equal(await connections(), 0, `the stalled connection was still open after ${DEADLINE_MS} ms`);

  // What reached the client is less than the pages it asked for: the server cut it off.
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  socket.resume();
  await once(socket, 'close');
  assert.ok((received.match(/HTTP\/1\.1 200/g) ?? []).length < PIPELINED, 'every pipelined page arrived in full');

  const page = await fetch(`http://127.0.0.1:${port}${pagePath}`, { headers: { 'cc-key': key } });
  assert.equal(page.status, 200);
  assert.equal(((await page.json()) as unknown[]).length, RUNS);
});
