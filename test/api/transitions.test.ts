import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { eachStore } from '../support/api.ts';
import { assertError, okBody } from '../support/assertions.ts';
import type { Client } from '../support/client.ts';
import { createRun, type RunObject } from '../support/runs.ts';
import { utc } from '../support/times.ts';

const q = 'execution.queued';
const start = 'execution.start';
const failed = 'execution.failed';
const success = 'execution.success';
const paused = 'execution.paused';
const stopped = 'execution.stopped';
const requeued = 'execution.requeued';
const STATUSES = [q, start, failed, success, paused, stopped, requeued];
const TERMINAL = [success, failed, stopped];

/** Contract section 7, written out here rather than imported, so that a wrong table in src fails. */
const ALLOWED: Record<string, string[]> = {
  [q]: [start, paused, stopped],
  [paused]: [q, start, stopped],
  [start]: [success, failed, stopped, paused, requeued],
  [requeued]: [q, start, paused, stopped],
  [failed]: [requeued],
  [success]: [],
  [stopped]: [],
};

/** A way from queued to each status, by allowed moves. */
const PATH: Record<string, string[]> = {
  [q]: [],
  [start]: [start],
  [paused]: [paused],
  [stopped]: [stopped],
  [success]: [start, success],
  [failed]: [start, failed],
  [requeued]: [start, requeued],
};

/** Event times, one second apart from a fixed origin, so that every expected timestamp is known. */
const origin = Date.now() - 60_000;
const at = (step: number) => utc(origin + step * 1000, step);

const send = (client: Client, id: string, event: string, step: number) => client.post(`/run/${id}/events`, { event, timestamp: at(step) });

async function runIn(client: Client, status: string): Promise<RunObject> {
  const run = await createRun(client);
  for (const [i, event] of PATH[status].entries()) okBody(await send(client, run.session_id, event, i + 1));
  return run;
}

eachStore('POST /run/{session_id}/events (contract section 7)', (api) => {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const kind = to === from ? 'no-op' : ALLOWED[from].includes(to) ? 'allowed' : 'refused';
      test(`${from} → ${to}: ${kind}`, async () => {
        const { client } = await api().workspace();
        const run = await runIn(client, from);
        const step = PATH[from].length + 1;
        const before = okBody(await client.get(`/run/${run.session_id}`));
        const reply = await send(client, run.session_id, to, step);
        const after = okBody(await client.get(`/run/${run.session_id}`));
        const { credential_id: _c, events: _e, ...beforeRun } = before;
        if (kind === 'refused') {
          assertError(reply, 409, 'invalid_transition');
          assert.ok(reply.body.message.includes(from) && reply.body.message.includes(to), reply.body.message);
          assert.deepEqual(after, before);
          return;
        }
        const moved = okBody(reply);
        if (kind === 'no-op') {
          assert.deepEqual(moved, beforeRun);
          assert.deepEqual(after, before, 'the same status again adds no event');
          return;
        }
        assert.equal(moved.status, to);
        assert.deepEqual(after.events, [...before.events, { event: to, timestamp: at(step) }]);
        const firstStart = after.events.find((e: { event: string }) => e.event === start)?.timestamp ?? null;
        assert.equal(moved.execution_start, firstStart, 'execution_start is the first entry into execution.start');
        assert.equal(moved.execution_end, TERMINAL.includes(to) ? at(step) : null, 'execution_end is set in a terminal status only');
        const { credential_id: _c2, events: _e2, ...afterRun } = after;
        assert.deepEqual(afterRun, moved);
      });
    }
  }

  test('execution_start keeps the first start; failed → requeued clears execution_end; a new end is the new terminal time', async () => {
    const { client } = await api().workspace();
    const { session_id: id } = await createRun(client);
    const steps = [start, failed, requeued, start, paused, start, success];
    const seen: RunObject[] = [];
    for (const [i, event] of steps.entries()) seen.push(okBody(await send(client, id, event, i + 1)));
    assert.deepEqual(
      seen.map((r) => [r.status, r.execution_start, r.execution_end]),
      [
        [start, at(1), null],
        [failed, at(1), at(2)],
        [requeued, at(1), null],
        [start, at(1), null],
        [paused, at(1), null],
        [start, at(1), null],
        [success, at(1), at(7)],
      ],
    );
  });

  test('a repeated terminal event answers 200 and adds nothing, however often it comes', async () => {
    const { client } = await api().workspace();
    const run = await runIn(client, success);
    const before = okBody(await client.get(`/run/${run.session_id}`));
    const replies = await Promise.all(Array.from({ length: 5 }, (_, i) => send(client, run.session_id, success, 10 + i)));
    for (const reply of replies) assert.equal(okBody(reply).execution_end, before.execution_end);
    assert.deepEqual(okBody(await client.get(`/run/${run.session_id}`)), before);
  });

  test('the event defaults its timestamp to now', async () => {
    const { client } = await api().workspace();
    const run = await createRun(client);
    const sent = Date.now();
    const moved = okBody(await client.post(`/run/${run.session_id}/events`, { event: start }));
    assert.ok(Math.abs(Date.parse(moved.execution_start) - sent) < 5000, moved.execution_start);
  });

  test('a missing or unknown event, or a malformed timestamp, is 400 and changes nothing', async () => {
    const { client } = await api().workspace();
    const run = await createRun(client);
    for (const body of [{}, { event: 'execution.done' }, { event: 'start' }, { event: null }, { timestamp: at(1) }]) {
      assertError(await client.post(`/run/${run.session_id}/events`, body), 400, 'invalid_parameter', 'event');
    }
    for (const timestamp of ['yesterday', at(1).slice(0, 10), 1_700_000_000]) {
      assertError(await client.post(`/run/${run.session_id}/events`, { event: start, timestamp }), 400, 'invalid_parameter', 'timestamp');
    }
    assert.equal(okBody(await client.get(`/run/${run.session_id}`)).events.length, 1);
  });

  test('an event for a run that does not exist is 404', async () => {
    const { client } = await api().workspace();
    assertError(await client.post(`/run/${randomUUID()}/events`, { event: start }), 404, 'not_found');
  });
});
