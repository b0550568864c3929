import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertError, okBody } from '../support/assertions.ts';
import { runCli, ServerProcess } from '../support/cli.ts';
import { createRun, importRun, ndjson, postImport } from '../support/runs.ts';
import { IMPORT_BATCH as POSTGRES_BATCH } from '../../src/store/postgres/import-runs.ts';
import { IMPORT_BATCH as SQLITE_BATCH } from '../../src/store/sqlite/import-runs.ts';
import { eachDatabase } from '../support/stores.ts';

const SHUTDOWN_LIMIT_MS = 5000;

/** Contract section 9: on SIGINT or SIGTERM, serve exits 0 within 5 s. */
async function assertCleanExit(server: ServerProcess, ending: ReturnType<ServerProcess['stop']>): Promise<void> {
  const ended = await ending;
  assert.deepEqual([ended.code, ended.signal], [0, null], `after ${ended.ms} ms: ${server.output()}`);
  assert.ok(ended.ms < SHUTDOWN_LIMIT_MS, `took ${ended.ms} ms`);
}

eachDatabase('runledger serve', (db, kind) => {
  let key: string;

  test('an unknown --log-level exits 1 naming the option, before it makes the first key', async () => {
    const result = await runCli(['serve', '--db', db().url, '--port', '0', '--log-level', 'loud']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
    assert.doesNotMatch(result.stdout, /key/);
  });

  test('on an empty database it prints the first key and its URL, answers [] for that key, and exits 0 on SIGTERM within 5 s', async () => {
    const server = await ServerProcess.start(db().url);
    try {
      assert.ok(server.firstKey, `no key printed\n${server.output()}`);
      key = server.firstKey;
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      // bin/runledger's first line starts node without V8's memory reducer, and malloc keeping freed memory (README, Decisions).
      assert.ok(server.commandLine().includes('--no-memory-reducer'), server.commandLine().join(' '));
      // glibc leaves only the first of the settings in the process's view of its environment.
      assert.ok(server.environment().includes('GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432'), server.environment().join(' '));
      const reply = await server.client(key).runs();
      assert.deepEqual(okBody(reply), []);
      assert.equal(reply.text, '[]');
      assertError(await server.client(undefined).runs(), 401, 'unauthorized');
      assert.deepEqual(okBody(await server.client(undefined).get('/healthz')), { status: 'ok' });
      await createRun(server.client(key));
    } finally {
      await assertCleanExit(server, server.stop('SIGTERM'));
    }
  });

  test('restarted on the same database it prints no new key, keeps the runs, and exits 0 on SIGINT within 5 s', async () => {
    const server = await ServerProcess.start(db().url);
    try {
      assert.equal(server.firstKey, undefined, server.output());
      assert.equal(okBody(await server.client(key).runs()).length, 1);
    } finally {
      await assertCleanExit(server, server.stop('SIGINT'));
    }
  });

  test('a request in flight when SIGTERM comes is answered in full before the process exits', async () => {
    const server = await ServerProcess.start(db().url);
    const send = (controller: ReadableStreamDefaultController<Uint8Array>) =>
      controller.enqueue(new TextEncoder().encode(ndjson(Array.from({ length: 100 }, () => importRun()))));
    let body!: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({ start: (controller) => void (body = controller) });
    send(body);
    const reply = postImport(server.client(key), stream);
    // The import is inside its handler, reading the body, when the signal comes; its second half is sent after.
    await sleep(500);
    const ended = server.stop('SIGTERM');
    await sleep(200);
    send(body);
    body.close();
    const result = okBody(await reply);
    assert.deepEqual([result.inserted, result.rejected], [200, []]);
    await assertCleanExit(server, ended);
  });

  test('an import its client cuts off keeps the batches stored before the cut, logs no error, and the server goes on', async () => {
    const server = await ServerProcess.start(db().url, ['--rate-limit', 'off', '--log-level', 'info']);
    const until = async (what: string, done: () => Promise<boolean>) => {
      for (let tries = 0; !(await done()); tries += 1) {
        assert.ok(tries < 300, `${what} within 30 s\n${server.output()}`);
        await sleep(100);
      }
    };
    try {
      const client = server.client(key);
      const batch = kind.name === 'postgres' ? POSTGRES_BATCH : SQLITE_BATCH;
      const runs = Array.from({ length: batch + 10 }, () => importRun());
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
      socket.write(`POST /runs/import HTTP/1.1\r\nHost: runledger\r\ncc-key: ${key}\r\ncontent-type: application/x-ndjson\r\ncontent-length: 100000000\r\n\r\n`);
      socket.write(ndjson(runs));
      await until('the first batch is stored', async () => (await client.get(`/run/${runs[batch - 1].session_id}`)).status === 200);
      socket.destroy();
      await until('the cut is logged', async () => server.output().includes('closed the connection'));
      assertError(await client.get(`/run/${runs[batch].session_id}`), 404, 'not_found');
      assert.doesNotMatch(server.output(), /"level":50|request failed/);
    } finally {
      await assertCleanExit(server, server.stop('SIGTERM'));
    }
  });
});
