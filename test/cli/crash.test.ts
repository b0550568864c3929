import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { okBody } from '../support/assertions.ts';
import { ServerProcess } from '../support/cli.ts';
import type { Client } from '../support/client.ts';
import { eachDatabase } from '../support/stores.ts';
import { allByToken } from '../support/pages.ts';

const WRITERS = 16;
const ROUNDS = 3;
/** Acknowledged runs each round waits for before the kill, so that the kill lands mid-stream. */
const ACKS_BEFORE_KILL = 150;

/** 16 clients posting runs until the server dies; every session_id that got its 201 goes into `acked`. */
function writers(client: Client, acked: string[], refused: string[]): Promise<void[]> {
  return Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (;;) {
        let reply;
        try {
          reply = await client.post('/run', { workflow_id: randomUUID() });
        } catch {
          return; // the connection died with the server
        }
        if (reply.status === 201) acked.push(reply.body.session_id);
        else refused.push(`${reply.status} ${reply.text}`);
      }
    }),
  );
}

eachDatabase('crash safety: SIGKILL under concurrent POST /run', (db) => {
  test(`killed ${ROUNDS} times mid-stream, the server keeps every run it acknowledged`, async () => {
    let key: string | undefined;
    const acked: string[] = [];
    const refused: string[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const server = await ServerProcess.start(db().url);
      key ??= server.firstKey;
      assert.ok(key, server.output());
      const writing = writers(server.client(key), acked, refused);
      const target = acked.length + ACKS_BEFORE_KILL;
      const deadline = Date.now() + 30_000;
      while (acked.length < target && refused.length === 0 && Date.now() < deadline) await sleep(5);
      const killed = await server.stop('SIGKILL');
      assert.equal(killed.signal, 'SIGKILL');
      await writing;
    }
    assert.deepEqual(refused, [], 'no write was refused before the kill');
    assert.equal(new Set(acked).size, acked.length);

    const server = await ServerProcess.start(db().url);
    try {
      const client = server.client(key);
      const missing: string[] = [];
      for (let i = 0; i < acked.length; i += WRITERS) {
        const batch = acked.slice(i, i + WRITERS);
        const replies = await Promise.all(batch.map((id) => client.get(`/run/${id}`)));
        replies.forEach((reply, j) => reply.status !== 200 && missing.push(`${batch[j]}: ${reply.status}`));
      }
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged runs are gone`);
      const listed = new Set(await allByToken(client, { limit: '10000' }));
      assert.ok(acked.every((id) => listed.has(id)), 'every acknowledged run is listed');
      // Each run that exists is whole: readable with its first event.
      const any = okBody(await client.get(`/run/${acked[acked.length - 1]}`));
      assert.equal(any.events[0].event, 'execution.queued');
    } finally {
      await server.stop('SIGTERM');
    }
  });
});
