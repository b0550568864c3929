import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { eachStore } from '../support/api.ts';
import { assertError, okBody, TIMESTAMP } from '../support/assertions.ts';
import { createRun, importAll, importRun } from '../support/runs.ts';
import { ago, HOUR } from '../support/times.ts';

const DETAIL_FIELDS = ['created_at', 'credential_id', 'dry_run', 'events', 'execution_end', 'execution_start', 'session_id', 'status', 'workflow_id', 'workspace_id'];

eachStore('GET /run/{session_id} (contract section 5)', (api) => {
  test('a new run: the eight fields, its credential_id and one queued event at created_at', async () => {
    const { client } = await api().workspace();
    const run = await createRun(client, { credential_id: 'vault-7' });
    const detail = okBody(await client.get(`/run/${run.session_id}`));
    assert.deepEqual(Object.keys(detail).sort(), DETAIL_FIELDS);
    assert.deepEqual(detail, { ...run, credential_id: 'vault-7', events: [{ event: 'execution.queued', timestamp: run.created_at }] });
  });

  test('credential_id is null for a run without one, and an uppercase session_id finds the run', async () => {
    const { client } = await api().workspace();
    const run = await createRun(client);
    const detail = okBody(await client.get(`/run/${run.session_id.toUpperCase()}`));
    assert.equal(detail.session_id, run.session_id);
    assert.equal(detail.credential_id, null);
  });

  test('events list every status the run went through, oldest first, with their timestamps', async () => {
    const { client } = await api().workspace();
    const run = await createRun(client);
    const moves = ['execution.start', 'execution.failed', 'execution.requeued', 'execution.start', 'execution.success'];
    const times = moves.map((_, i) => ago(-(i + 1) * 1000, i));
    for (const [i, event] of moves.entries()) okBody(await client.post(`/run/${run.session_id}/events`, { event, timestamp: times[i] }));
    const detail = okBody(await client.get(`/run/${run.session_id}`));
    assert.deepEqual(detail.events, [
      { event: 'execution.queued', timestamp: run.created_at },
      ...moves.map((event, i) => ({ event, timestamp: times[i] })),
    ]);
    for (const e of detail.events) assert.match(e.timestamp, TIMESTAMP);
  });

  test('an imported run has a history that starts with execution.queued at created_at', async () => {
    const { client } = await api().workspace();
    const line = importRun({ created_at: ago(3 * HOUR), execution_start: ago(2 * HOUR), execution_end: ago(HOUR), credential_id: 'c' });
    await importAll(client, [line]);
    const detail = okBody(await client.get(`/run/${line.session_id}`));
    assert.equal(detail.credential_id, 'c');
    assert.deepEqual(detail.events[0], { event: 'execution.queued', timestamp: line.created_at });
    assert.deepEqual(detail.events.at(-1), { event: 'execution.success', timestamp: line.execution_end });
  });

  test('400 naming session_id when it is not a UUID', async () => {
    const { client } = await api().workspace();
    for (const id of ['abc', '123', `${randomUUID()}0`, randomUUID().replaceAll('-', ''), '%20']) {
      assertError(await client.get(`/run/${id}`), 400, 'invalid_parameter', 'session_id');
      assertError(await client.post(`/run/${id}/events`, { event: 'execution.start' }), 400, 'invalid_parameter', 'session_id');
    }
  });

  test('404 for a run that does not exist and, alike, for a run of another workspace', async () => {
    const mine = await api().workspace();
    const theirs = await api().workspace();
    const foreign = await createRun(theirs.client);
    const missing = await mine.client.get(`/run/${randomUUID()}`);
    const hidden = await mine.client.get(`/run/${foreign.session_id}`);
    assertError(missing, 404, 'not_found');
    assertError(hidden, 404, 'not_found');
    assert.equal(hidden.body.message.replace(foreign.session_id, 'ID'), missing.body.message.replace(/[0-9a-f-]{36}/, 'ID'));
    assert.equal(hidden.body.param, missing.body.param);
  });
});
