import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { eachStore } from '../support/api.ts';
import { assertError, okBody, TIMESTAMP } from '../support/assertions.ts';
import { allByCreatedAt } from '../support/pages.ts';
import { assertEachOnce, type RunObject } from '../support/runs.ts';

const FIELDS = ['created_at', 'dry_run', 'execution_end', 'execution_start', 'session_id', 'status', 'workflow_id', 'workspace_id'];

eachStore('POST /run (contract section 6)', (api) => {
  test('201 with the run object: queued, created_at set by the server, listed and readable at once', async () => {
    const { client, id } = await api().workspace();
    const workflow = randomUUID();
    const before = Date.now();
    const reply = await client.post('/run', { workflow_id: workflow.toUpperCase() });
    const after = Date.now();
    const run = okBody(reply, 201) as RunObject;
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(run).sort(), FIELDS);
    assert.match(run.session_id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(
      { ...run, session_id: undefined, created_at: undefined },
      { session_id: undefined, created_at: undefined, status: 'execution.queued', workflow_id: workflow, workspace_id: id, execution_start: null, execution_end: null, dry_run: false },
    );
    assert.match(run.created_at, TIMESTAMP);
    const createdMs = Date.parse(run.created_at);
    assert.ok(createdMs >= before - 1 && createdMs <= after + 1, `${run.created_at} not within the request`);
    assert.deepEqual(okBody(await client.runs()), [run]);
  });

  test('workflow_id is required and must be a UUID', async () => {
    const { client } = await api().workspace();
    for (const body of [{}, { workflow_id: null }, { workflow_id: 'abc' }, { workflow_id: 42 }, { workflow_id: [randomUUID()] }, { workflowId: randomUUID() }]) {
      assertError(await client.post('/run', body), 400, 'invalid_parameter', 'workflow_id');
    }
    assert.deepEqual(okBody(await client.runs()), [], 'nothing is written for a refused request');
  });

  test('credential_id takes a string of 1 to 256 characters and is kept with the run', async () => {
    const { client } = await api().workspace();
    for (const credential_id of ['', 'c'.repeat(257), 7, true, { id: 'x' }]) {
      assertError(await client.post('/run', { workflow_id: randomUUID(), credential_id }), 400, 'invalid_parameter', 'credential_id');
    }
    for (const credential_id of ['c', 'c'.repeat(256), 'vault/üser 1']) {
      const run = okBody(await client.post('/run', { workflow_id: randomUUID(), credential_id }), 201);
      assert.equal(okBody(await client.get(`/run/${run.session_id}`)).credential_id, credential_id);
      assert.deepEqual(okBody(await client.runs({ credential_id })).map((r: RunObject) => r.session_id), [run.session_id]);
    }
  });

  test('dry_run takes true, false or {"enabled": …}, defaulting to false', async () => {
    const { client } = await api().workspace();
    const cases: Array<[unknown, boolean]> = [[true, true], [false, false], [{ enabled: true }, true], [{ enabled: false }, false], [undefined, false]];
    for (const [dry_run, expected] of cases) {
      assert.equal(okBody(await client.post('/run', { workflow_id: randomUUID(), dry_run }), 201).dry_run, expected, JSON.stringify(dry_run));
    }
    for (const dry_run of ['true', 1, {}, { enabled: 'yes' }, [true]]) {
      assertError(await client.post('/run', { workflow_id: randomUUID(), dry_run }), 400, 'invalid_parameter', 'dry_run');
    }
  });

  test('the extra objects are accepted, other types for them refused, unknown fields ignored', async () => {
    const { client } = await api().workspace();
    const body = {
      workflow_id: randomUUID(),
      run_input_variables: { name: 'Ada', nested: { list: [1, 2] } },
      webhook: { url: 'https://example.com/hook' },
      additional_context: {},
      client_id: 'cloudcruise-js',
      debug: true,
      notifications: [{ channel: 'email' }],
    };
    okBody(await client.post('/run', body), 201);
    for (const field of ['run_input_variables', 'webhook', 'additional_context']) {
      for (const value of ['text', 5, [1], true]) {
        assertError(await client.post('/run', { workflow_id: randomUUID(), [field]: value }), 400, 'invalid_parameter', field);
      }
    }
    assert.equal(okBody(await client.runs()).length, 1);
  });

  test('Idempotency-Key: a retry with the same body returns the first run and creates nothing', async () => {
    const { client } = await api().workspace();
    const body = { workflow_id: randomUUID(), dry_run: { enabled: true }, webhook: { url: 'https://example.com' } };
    const headers = { 'idempotency-key': randomUUID() };
    const first = okBody(await client.post('/run', body, headers), 201);
    const again = okBody(await client.post('/run', body, headers), 201);
    assert.deepEqual(again, first);
    assert.deepEqual(okBody(await client.runs()), [first]);
    // Another key is another run.
    okBody(await client.post('/run', body, { 'idempotency-key': randomUUID() }), 201);
    assert.equal(okBody(await client.runs()).length, 2);
  });

  test('Idempotency-Key reused with another body is 409 idempotency_conflict and creates nothing', async () => {
    const { client } = await api().workspace();
    const headers = { 'idempotency-key': randomUUID() };
    const first = okBody(await client.post('/run', { workflow_id: randomUUID() }, headers), 201);
    for (const body of [{ workflow_id: randomUUID() }, { workflow_id: first.workflow_id, dry_run: true }]) {
      assertError(await client.post('/run', body, headers), 409, 'idempotency_conflict');
    }
    assert.deepEqual(okBody(await client.runs()), [first]);
  });

  test('20 concurrent requests with one Idempotency-Key make exactly one run', async () => {
    const { client } = await api().workspace();
    const body = { workflow_id: randomUUID() };
    const headers = { 'idempotency-key': randomUUID() };
    const replies = await Promise.all(Array.from({ length: 20 }, () => client.post('/run', body, headers)));
    const runs = replies.map((r) => okBody(r, 201) as RunObject);
    assert.equal(new Set(runs.map((r) => r.session_id)).size, 1);
    assert.deepEqual(okBody(await client.runs()), [runs[0]]);
  });

  test('64 concurrent POST /run: all 201, created_at all distinct, the documented cursor walk finds each once', async () => {
    const { client } = await api().workspace();
    const replies = await Promise.all(Array.from({ length: 64 }, () => client.post('/run', { workflow_id: randomUUID() })));
    const runs = replies.map((r) => okBody(r, 201) as RunObject);
    assert.equal(new Set(runs.map((r) => r.created_at)).size, 64, 'two runs share a created_at');
    for (const limit of [1, 7, 64]) {
      assertEachOnce(await allByCreatedAt(client, {}, limit), runs.map((r) => r.session_id));
    }
  });
});
