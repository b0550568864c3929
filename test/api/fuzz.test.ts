import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { eachStore } from '../support/api.ts';
import { assertErrorShape } from '../support/assertions.ts';
import type { Client, Reply } from '../support/client.ts';
import { createRun } from '../support/runs.ts';
import { ago, DAY, HOUR } from '../support/times.ts';

const KNOWN = ['start_time', 'end_time', 'workflow_id', 'workflow_ids', 'status', 'statuses', 'credential_id', 'credential_ids', 'limit', 'cursor'];

const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN) },
  { weight: 2, arbitrary: fc.constantFrom(...KNOWN).map((n) => `${n}[]`) },
  { weight: 1, arbitrary: fc.constantFrom('limit[0]', 'statuses[][]', '__proto__', 'constructor', 'hasOwnProperty', '', '[]', 'LIMIT') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

const plausible = fc.constantFrom(
  'execution.failed',
  'execution.success,execution.queued',
  randomUUID(),
  `${randomUUID()},${randomUUID().toUpperCase()}`,
  ago(HOUR),
  ago(2 * DAY),
  ago(400 * DAY),
  ago(-HOUR),
  ago(HOUR).replace('Z', '+02:00'),
  '10',
  '0',
  '10000',
  '1.5',
  '',
  ',',
  ',,a,,',
  'null',
  'undefined',
  '-1',
  '1e3',
  'c1.123',
);

/** Percent signs that start no escape, half escapes, bad UTF-8, NUL and the like, left unencoded. */
const junk = fc.constantFrom('%', '%%', '%zz', '%E0%A4%A', '%C3%28', '%00', '%FF%FE', '+', '%2C', '%5B%5D', '&&', '=', '==', ';', '\u0000', '\ud800', '😀', "'", '"', '\\', '<>');
const value = fc.oneof(
  { weight: 5, arbitrary: plausible.map(encodeURIComponent) },
  { weight: 2, arbitrary: fc.array(junk, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => s.replaceAll('#', '')) },
);

const pair = fc.tuple(name, value, fc.boolean()).map(([n, v, withEquals]) => (withEquals || v !== '' ? `${encodeURIComponent(n)}=${v}` : encodeURIComponent(n)));
const queryString = fc.array(pair, { maxLength: 8 }).map((pairs) => pairs.join('&'));

/** Never a 5xx; every 4xx a JSON error with a code the registry knows and the status that code has. */
function assertWellFormed(reply: Reply, expectOk: (reply: Reply) => void): void {
  assert.ok(reply.status < 500, `${reply.status} ${reply.text}`);
  if (reply.status >= 400) assertErrorShape(reply);
  else expectOk(reply);
}

eachStore('random query strings (fast-check)', (api) => {
  let client: Client;
  let sessionId: string;

  test('GET /runs: never a 5xx, every refusal a JSON error with a known code', async () => {
    ({ client } = await api().workspace());
    sessionId = (await createRun(client)).session_id;
    await fc.assert(
      fc.asyncProperty(queryString, async (query) => {
        const reply = await client.get(`/runs?${query}`);
        assertWellFormed(reply, (ok) => assert.ok(Array.isArray(ok.body), ok.text));
        if (reply.status >= 400) assert.ok(['invalid_parameter', 'unknown_parameter'].includes(reply.body.error), reply.text);
      }),
      { numRuns: 300 },
    );
  });

  test('the other routes: never a 5xx for any query or session_id', async () => {
    const routes = [
      (q: string) => client.get(`/run/${sessionId}?${q}`),
      (q: string) => client.post(`/run/${sessionId}/events?${q}`, { event: 'execution.queued' }),
      (q: string) => client.post(`/run?${q}`, { workflow_id: randomUUID() }),
      (q: string) => client.get(`/healthz?${q}`),
    ];
    const segment = fc.oneof(fc.constant(sessionId), fc.string({ maxLength: 40 }).map(encodeURIComponent), junk);
    await fc.assert(
      fc.asyncProperty(fc.nat(routes.length - 1), queryString, segment, async (route, query, id) => {
        assertWellFormed(await routes[route](query), () => {});
        assertWellFormed(await client.get(`/run/${id}`), (ok) => assert.equal(ok.body.session_id, sessionId));
      }),
      { numRuns: 150 },
    );
  });
});
