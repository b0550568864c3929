/**
 * What never reaches a route still answers in the contract's error shape
 * (section 3): requests node refuses before Fastify sees them, and requests
 * that arrive while the server is closing.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestApi } from '../support/api.ts';
import { ndjson, importRun } from '../support/runs.ts';
import { testStores } from '../support/stores.ts';

interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: any;
}

async function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  // The server closes the connection after its error; a write still under way then fails here, and what was answered is read all the same.
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

/** Everything the server sends until it closes the connection. */
async function readAll(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('utf8');
}

/** The HTTP/1.1 replies in a connection's bytes, in order; each has a Content-Length. */
function replies(text: string): RawReply[] {
  const found: RawReply[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    assert.notEqual(end, -1, `an incomplete reply: ${JSON.stringify(rest.slice(0, 200))}`);
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length']);
    const body = Buffer.from(rest.slice(end + 4)).subarray(0, length).toString('utf8');
    found.push({ status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) });
    rest = Buffer.from(rest.slice(end + 4)).subarray(length).toString('utf8');
  }
  return found;
}

const assertContractError = (reply: RawReply, status: number, code: string) => {
  assert.equal(reply.status, status, JSON.stringify(reply));
  assert.equal(reply.body.error, code, JSON.stringify(reply.body));
  assert.ok(typeof reply.body.message === 'string' && reply.body.message.length > 0, JSON.stringify(reply.body));
  assert.match(reply.headers['content-type'], /^application\/json/);
};

for (const kind of testStores()) {
  test(`[${kind.name}] malformed HTTP and headers over 1 MiB get the contract's error shape, and the server goes on`, async () => {
    const api = await TestApi.start(kind);
    try {
      const malformed = await open(api.url);
      malformed.write('GET /runs HTTP/1.1\r\nhost test\r\n\r\n');
      const [bad] = replies(await readAll(malformed));
      assertContractError(bad, 400, 'invalid_request');

      const oversized = await open(api.url);
      oversized.write(`GET /runs HTTP/1.1\r\nhost: test\r\nx-padding: ${'a'.repeat(1024 * 1024 + 1)}\r\n\r\n`);
      const [large] = replies(await readAll(oversized));
      assertContractError(large, 431, 'headers_too_large');

      const ws = await api.workspace();
      assert.equal((await ws.client.runs()).status, 200);
    } finally {
      await api.stop();
    }
  });

  test(`[${kind.name}] a request that comes while the server closes gets 503 unavailable with Retry-After, after the one in flight is answered in full`, async () => {
    const api = await TestApi.start(kind);
    const ws = await api.workspace();
    const lines = Buffer.from(ndjson([importRun(), importRun()]));
    const socket = await open(api.url);
    socket.write(
      `POST /runs/import HTTP/1.1\r\nhost: test\r\ncc-key: ${ws.key}\r\ncontent-type: application/x-ndjson\r\ncontent-length: ${lines.length}\r\n\r\n`,
    );
    socket.write(lines.subarray(0, 10));
    const received = readAll(socket);
    // The import is inside its handler, reading the body, when close() begins.
    await sleep(300);
    const stopped = api.stop();
    await sleep(100);
    // The rest of the body, then two more requests pipelined behind it.
    socket.write(Buffer.concat([lines.subarray(10), Buffer.from(`GET /runs HTTP/1.1\r\nhost: test\r\ncc-key: ${ws.key}\r\n\r\nGET /readyz HTTP/1.1\r\nhost: test\r\n\r\n`)]));
    const [imported, ...refused] = replies(await received);
    await stopped;
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.equal(imported.body.inserted, 2);
    assert.ok(refused.length >= 1, 'the pipelined GET /runs was answered');
    for (const reply of refused) {
      assertContractError(reply, 503, 'unavailable');
      assert.equal(reply.headers['retry-after'], '1');
    }
  });
}
