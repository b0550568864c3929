import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { eachStore } from '../support/api.ts';
import { assertError, okBody } from '../support/assertions.ts';
import type { Client } from '../support/client.ts';
import { createRun } from '../support/runs.ts';

const MIB = 1024 * 1024;

/** Every route of the API, with a request that would be accepted apart from what a test adds. */
const routes = (sessionId: string) => [
  { method: 'GET', path: '/runs' },
  { method: 'GET', path: `/run/${sessionId}` },
  { method: 'POST', path: '/run', body: { workflow_id: randomUUID() } },
  { method: 'POST', path: `/run/${sessionId}/events`, body: { event: 'execution.start' } },
  { method: 'POST', path: '/runs/import', raw: '', headers: { 'content-type': 'application/x-ndjson' } },
];

eachStore('errors of contract section 3', (api) => {
  test('401 unauthorized for a missing, empty, malformed or unknown cc-key on every keyed route', async () => {
    const { client } = await api().workspace();
    const sessionId = (await createRun(client)).session_id;
    const unknownKey = `rl_0123456789abcdef_${'A'.repeat(43)}`;
    for (const key of [undefined, '', 'nope', unknownKey, `${client.key}x`]) {
      for (const route of routes(sessionId)) {
        const reply = await client.withKey(key).request(route.method, route.path, route);
        assertError(reply, 401, 'unauthorized');
      }
    }
  });

  test('401 for a revoked key, while another key of the same workspace still works', async () => {
    const ws = await api().workspace();
    const second = await api().store.createKey(ws.name);
    okBody(await ws.client.runs());
    assert.equal(await api().store.revokeKey(ws.key), true);
    assertError(await ws.client.runs(), 401, 'unauthorized');
    assertError(await ws.client.post('/run', { workflow_id: randomUUID() }), 401, 'unauthorized');
    okBody(await ws.client.withKey(second.key).runs());
  });

  test('404 not_found for a route that does not exist, with or without a key', async () => {
    const { client } = await api().workspace();
    for (const [method, path] of [['GET', '/nope'], ['GET', '/runs/extra'], ['POST', '/runs'], ['DELETE', '/runs'], ['GET', '/run']]) {
      assertError(await client.request(method, path), 404, 'not_found');
      assertError(await api().anonymous().request(method, path), 404, 'not_found');
    }
    // The path is the client's: a long one is named, cut short, not echoed whole.
    const long = await client.request('GET', `/${'x'.repeat(100_000)}`);
    assertError(long, 404, 'not_found');
    assert.ok(long.text.length < 300, `${long.text.length} bytes of error`);
  });

  test('a path with broken percent-encoding gets a 400 JSON error, not the framework\'s own shape', async () => {
    const { client } = await api().workspace();
    for (const path of ['/run/%', '/run/%E0%A4%A', '/run/%zz/events', '/%']) {
      assertError(await client.get(path), 400, 'invalid_parameter');
    }
  });

  test('413 payload_too_large for a JSON body over 1 MiB, and nothing is written', async () => {
    const { client } = await api().workspace();
    const run = await createRun(client);
    const padding = 'x'.repeat(MIB);
    assertError(await client.post('/run', { workflow_id: randomUUID(), padding }), 413, 'payload_too_large');
    const event = await client.post(`/run/${run.session_id}/events`, { event: 'execution.start', padding });
    assertError(event, 413, 'payload_too_large');
    assert.equal(okBody(await client.get(`/run/${run.session_id}`)).status, 'execution.queued');
    assert.deepEqual(okBody(await client.runs()).map((r: { session_id: string }) => r.session_id), [run.session_id]);
  });

  test('a JSON body of exactly 1 MiB is accepted', async () => {
    const { client } = await api().workspace();
    const body = { workflow_id: randomUUID(), additional_context: { note: '' } };
    body.additional_context.note = 'x'.repeat(MIB - JSON.stringify(body).length);
    assert.equal(JSON.stringify(body).length, MIB);
    okBody(await client.post('/run', body), 201);
  });

  test('400 invalid_body for malformed JSON or a body that is not an object, and nothing is written', async () => {
    const { client } = await api().workspace();
    const run = await createRun(client);
    for (const raw of ['{"workflow_id":', '{workflow_id: 1}', '[]', '[{}]', '"text"', '42', 'null', 'true']) {
      for (const path of ['/run', `/run/${run.session_id}/events`]) {
        const reply = await client.request('POST', path, { raw, headers: { 'content-type': 'application/json' } });
        assertError(reply, 400, 'invalid_body');
      }
    }
    assert.equal(okBody(await client.runs()).length, 1);
    assert.equal(okBody(await client.get(`/run/${run.session_id}`)).events.length, 1);
  });

  test('400 unknown_parameter naming the parameter, on every endpoint', async () => {
    const { client } = await api().workspace();
    const sessionId = (await createRun(client)).session_id;
    for (const route of routes(sessionId)) {
      const reply = await client.request(route.method, `${route.path}?limt=5`, route);
      assertError(reply, 400, 'unknown_parameter', 'limt');
    }
    for (const path of ['/healthz', '/readyz', '/openapi.json']) {
      assertError(await api().anonymous().get(`${path}?verbose=1`), 400, 'unknown_parameter', 'verbose');
    }
  });

  test('415 for a body of a Content-Type the route does not take, and nothing is written', async () => {
    const { client } = await api().workspace();
    assertError(await client.post('/runs/import', { session_id: randomUUID() }), 415, 'unsupported_media_type');
    const run = await createRun(client);
    const json = JSON.stringify({ workflow_id: randomUUID(), event: 'execution.start' });
    for (const type of ['text/plain', 'application/x-ndjson', 'application/x-www-form-urlencoded', 'application/jsonl']) {
      for (const path of ['/run', `/run/${run.session_id}/events`]) {
        assertError(await client.request('POST', path, { raw: json, headers: { 'content-type': type } }), 415, 'unsupported_media_type');
      }
    }
    okBody(await client.request('POST', '/run', { raw: json, headers: { 'content-type': 'application/json; charset=utf-8' } }), 201);
    assert.equal(okBody(await client.runs()).length, 2);
    assert.equal(okBody(await client.get(`/run/${run.session_id}`)).status, 'execution.queued');
  });

  test('the unkeyed routes answer without a key', async () => {
    assert.deepEqual(okBody(await api().anonymous().get('/healthz')), { status: 'ok' });
    assert.deepEqual(okBody(await api().anonymous().get('/readyz')), { status: 'ready' });
    assert.equal(okBody(await api().anonymous().get('/openapi.json')).openapi, '3.1.0');
  });
});

/** --rate-limit 1: one request a second sustained, bursts of 10 (README: X-RateLimit-Limit is the burst). */
const RATE = 1;
const BURST = 10 * RATE;

/** Far more requests at once than the burst: even on a slow machine, refills during the volley cannot cover them. */
const volley = (client: Client, size = 40) => Promise.all(Array.from({ length: size }, () => client.runs()));

eachStore(
  '429 rate_limited',
  (api) => {
    test('a key past its burst gets 429 with Retry-After; every keyed answer carries X-RateLimit-*', async () => {
      const ws = await api().workspace();
      const replies = await volley(ws.client);
      const limited = replies.filter((r) => r.status === 429);
      const allowed = replies.filter((r) => r.status === 200);
      assert.ok(allowed.length >= BURST, `only ${allowed.length} of ${replies.length} requests were let through`);
      assert.ok(limited.length >= 10, `only ${limited.length} of ${replies.length} requests were limited`);
      assert.equal(allowed.length + limited.length, replies.length);
      for (const reply of limited) {
        assertError(reply, 429, 'rate_limited');
        assert.ok(Number(reply.headers.get('retry-after')) >= 1, `Retry-After ${reply.headers.get('retry-after')}`);
      }
      for (const reply of replies) {
        assert.equal(reply.headers.get('x-ratelimit-limit'), String(BURST));
        assert.match(reply.headers.get('x-ratelimit-remaining') ?? '', /^\d+$/);
        assert.match(reply.headers.get('x-ratelimit-reset') ?? '', /^\d+$/);
      }
      const remaining = allowed.map((r) => Number(r.headers.get('x-ratelimit-remaining')));
      assert.ok(Math.min(...remaining) === 0 && Math.max(...remaining) === BURST - 1, `remaining ${remaining}`);
    });

    test('the limit counts per key: another key is not limited by the first', async () => {
      const first = await api().workspace();
      const second = await api().workspace();
      assert.ok((await volley(first.client)).some((r) => r.status === 429));
      const reply = await second.client.runs();
      okBody(reply);
      assert.equal(reply.headers.get('x-ratelimit-remaining'), String(BURST - 1));
    });

    test('errors of a keyed request carry the rate-limit headers too', async () => {
      const { client } = await api().workspace();
      const reply = await client.get(`/run/${randomUUID()}`);
      assertError(reply, 404, 'not_found');
      assert.equal(reply.headers.get('x-ratelimit-limit'), String(BURST));
    });
  },
  { rateLimit: String(RATE) },
);
