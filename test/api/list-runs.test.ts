import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { eachStore } from '../support/api.ts';
import { okBody, TIMESTAMP } from '../support/assertions.ts';
import type { Client } from '../support/client.ts';
import { importAll, importRun, newestFirst, type ImportRun } from '../support/runs.ts';
import { ago, atOffset, DAY, HOUR } from '../support/times.ts';

const FIELDS = ['created_at', 'dry_run', 'execution_end', 'execution_start', 'session_id', 'status', 'workflow_id', 'workspace_id'];

const ids = async (client: Client, pairs: Array<[string, string]> | Record<string, string> = []): Promise<string[]> =>
  okBody(await client.runs(pairs)).map((r: { session_id: string }) => r.session_id);

const sorted = (runs: readonly ImportRun[]) => newestFirst(runs).map((r) => r.session_id);

eachStore('GET /runs results (contract section 4)', (api) => {
  test('each run has exactly the eight fields, six-digit UTC timestamps, as stored', async () => {
    const { client, id } = await api().workspace();
    const created = ago(2 * HOUR, 7);
    const started = ago(2 * HOUR - 1000, 70);
    const run = importRun({
      status: 'execution.failed',
      created_at: atOffset(created, 150, `${created.slice(20, 26)}999`),
      execution_start: atOffset(started, -420),
      execution_end: ago(HOUR),
      dry_run: true,
      credential_id: 'cred-secret',
      workflow_id: randomUUID().toUpperCase(),
    });
    await importAll(client, [run]);
    const reply = await client.runs();
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    const [row] = okBody(reply);
    assert.deepEqual(Object.keys(row).sort(), FIELDS);
    assert.deepEqual(row, {
      session_id: run.session_id,
      status: 'execution.failed',
      created_at: created,
      workflow_id: run.workflow_id.toLowerCase(),
      workspace_id: id,
      execution_start: started,
      execution_end: run.execution_end,
      dry_run: true,
    });
    for (const field of ['created_at', 'execution_start', 'execution_end'] as const) assert.match(String(row[field]), TIMESTAMP);
  });

  test('a queued run has null execution times and dry_run false', async () => {
    const { client } = await api().workspace();
    await importAll(client, [importRun({ status: 'execution.queued' })]);
    const [row] = okBody(await client.runs());
    assert.equal(row.execution_start, null);
    assert.equal(row.execution_end, null);
    assert.equal(row.dry_run, false);
  });

  test('runs come newest first, and runs sharing a created_at by session_id descending', async () => {
    const { client } = await api().workspace();
    const shared = ago(5 * HOUR);
    const runs = [
      ...Array.from({ length: 12 }, () => importRun({ created_at: shared })),
      ...Array.from({ length: 12 }, (_, i) => importRun({ created_at: ago(i * HOUR + 1, i) })),
    ];
    await importAll(client, runs);
    assert.deepEqual(await ids(client), sorted(runs));
  });

  test('the default window is now − 24 h to now, shown in X-Applied-Start-Time and X-Applied-End-Time', async () => {
    const { client } = await api().workspace();
    const inside = importRun({ created_at: ago(DAY - HOUR) });
    const outside = importRun({ created_at: ago(DAY + HOUR) });
    const future = importRun({ created_at: ago(-HOUR) });
    await importAll(client, [inside, outside, future]);
    const before = Date.now();
    const reply = await client.runs();
    const after = Date.now();
    assert.deepEqual(okBody(reply).map((r: { session_id: string }) => r.session_id), [inside.session_id]);
    const start = reply.headers.get('x-applied-start-time') ?? '';
    const end = reply.headers.get('x-applied-end-time') ?? '';
    assert.match(start, TIMESTAMP);
    assert.match(end, TIMESTAMP);
    assert.ok(Date.parse(end) >= before - 1 && Date.parse(end) <= after, end);
    assert.equal(Date.parse(end) - Date.parse(start), DAY);
    assert.equal(end.slice(23), start.slice(23), 'the window is exactly 24 h, to the microsecond');
  });

  test('an explicit window selects by created_at and the applied window echoes it', async () => {
    const { client } = await api().workspace();
    const runs = [3, 30, 300, 3000].map((h) => importRun({ created_at: ago(h * HOUR) }));
    await importAll(client, runs);
    const start = ago(301 * HOUR);
    const end = ago(29 * HOUR);
    const reply = await client.runs({ start_time: start, end_time: end });
    assert.deepEqual(okBody(reply).map((r: { session_id: string }) => r.session_id), [runs[1].session_id, runs[2].session_id]);
    assert.equal(reply.headers.get('x-applied-start-time'), start);
    assert.equal(reply.headers.get('x-applied-end-time'), end);
    // start_time alone: the end is now.
    assert.deepEqual(await ids(client, { start_time: ago(31 * HOUR) }), [runs[0].session_id, runs[1].session_id]);
  });

  test('filters by workflow, status and credential; credential_id is not in the list response', async () => {
    const { client } = await api().workspace();
    const workflows = [randomUUID(), randomUUID()];
    const runs = [
      importRun({ workflow_id: workflows[0], status: 'execution.failed', credential_id: 'alpha' }),
      importRun({ workflow_id: workflows[0], status: 'execution.success', credential_id: 'beta' }),
      importRun({ workflow_id: workflows[1], status: 'execution.failed', credential_id: null }),
      importRun({ workflow_id: workflows[1], status: 'execution.stopped', credential_id: 'alpha' }),
    ];
    await importAll(client, runs);
    const pick = (...i: number[]) => sorted(i.map((n) => runs[n]));
    assert.deepEqual(await ids(client, { workflow_id: workflows[0] }), pick(0, 1));
    assert.deepEqual(await ids(client, { workflow_id: workflows[1].toUpperCase() }), pick(2, 3));
    assert.deepEqual(await ids(client, { status: 'execution.failed' }), pick(0, 2));
    assert.deepEqual(await ids(client, { credential_id: 'alpha' }), pick(0, 3));
    assert.deepEqual(await ids(client, { credential_id: 'ALPHA' }), []);
    assert.deepEqual(await ids(client, { status: 'execution.queued' }), []);
    // Different fields combine with AND.
    assert.deepEqual(await ids(client, { credential_id: 'alpha', status: 'execution.failed' }), pick(0));
    assert.deepEqual(await ids(client, { workflow_id: workflows[1], credential_id: 'alpha', status: 'execution.stopped' }), pick(3));
    assert.deepEqual(await ids(client, { workflow_id: workflows[1], credential_id: 'beta' }), []);
    for (const row of okBody(await client.runs())) assert.equal('credential_id' in row, false);
  });

  test('list parameters: repeated, comma-separated, bracketed, in any mix, merged with the single form', async () => {
    const { client } = await api().workspace();
    const statuses = ['execution.failed', 'execution.success', 'execution.stopped', 'execution.paused'];
    const workflows = statuses.map(() => randomUUID());
    const runs = statuses.map((status, i) => importRun({ status, workflow_id: workflows[i], credential_id: `cred-${i}` }));
    await importAll(client, runs);
    const three = sorted(runs.slice(0, 3));
    const forms: Array<Array<[string, string]>> = [
      [['statuses', statuses[0]], ['statuses', statuses[1]], ['statuses', statuses[2]]],
      [['statuses', statuses.slice(0, 3).join(',')]],
      [['statuses[]', statuses[0]], ['statuses[]', statuses[1]], ['statuses[]', statuses[2]]],
      [['statuses[]', statuses[0]], ['statuses', `${statuses[1]},${statuses[2]}`]],
      [['status', statuses[0]], ['statuses', `${statuses[1]},${statuses[2]}`]],
      [['statuses', statuses[1]], ['status', statuses[0]], ['statuses[]', statuses[2]]],
      [['statuses', `${statuses[0]},${statuses[1]},${statuses[0]}`], ['statuses', statuses[2]]],
    ];
    for (const form of forms) assert.deepEqual(await ids(client, form), three, JSON.stringify(form));
    assert.deepEqual(await ids(client, [['workflow_id', workflows[0]], ['workflow_ids', `${workflows[1]},${workflows[2]}`]]), three);
    assert.deepEqual(await ids(client, [['workflow_ids[]', workflows[3]], ['workflow_ids', workflows[0]]]), sorted([runs[0], runs[3]]));
    assert.deepEqual(await ids(client, [['credential_id', 'cred-0'], ['credential_ids[]', 'cred-1'], ['credential_ids', 'cred-2,nobody']]), three);
    assert.deepEqual(await ids(client, [['statuses', statuses.join(',')], ['credential_ids', 'cred-1,cred-3']]), sorted([runs[1], runs[3]]));
  });

  test('statuses × workflows: the runs of every pair, newest first across pairs, cut at the limit', async () => {
    const { client } = await api().workspace();
    const workflows = [randomUUID(), randomUUID(), randomUUID()];
    const statuses = ['execution.failed', 'execution.stopped', 'execution.success'];
    // Runs of every (status, workflow) pair, interleaved in the last 12 hours, so a page mixes all the pairs it asks for.
    const runs = Array.from({ length: 36 }, (_, i) => importRun({ workflow_id: workflows[i % 3], status: statuses[Math.floor(i / 3) % 3], created_at: ago(i * 20 * 60_000 + 1) }));
    await importAll(client, runs);
    const wanted = sorted(runs.filter((_, i) => i % 3 !== 2 && Math.floor(i / 3) % 3 !== 2));
    const query = { statuses: `${statuses[0]},${statuses[1]}`, workflow_ids: `${workflows[0]},${workflows[1]}` };
    assert.equal(wanted.length, 16);
    assert.deepEqual(await ids(client, query), wanted);
    assert.deepEqual(await ids(client, { ...query, limit: '5' }), wanted.slice(0, 5));
  });

  test('the many-valued filter reads the right rows when runs of other values are far more numerous', async () => {
    const { client } = await api().workspace();
    const rare = Array.from({ length: 5 }, (_, i) => importRun({ status: 'execution.paused', created_at: ago(i * 4 * HOUR + 1) }));
    const rareToo = Array.from({ length: 5 }, (_, i) => importRun({ status: 'execution.requeued', created_at: ago(i * 3 * HOUR + 2) }));
    const common = Array.from({ length: 300 }, (_, i) => importRun({ created_at: ago(i * 60_000 + 3) }));
    await importAll(client, [...rare, ...rareToo, ...common]);
    const wanted = sorted([...rare, ...rareToo]);
    assert.deepEqual(await ids(client, { statuses: 'execution.paused,execution.requeued' }), wanted);
    assert.deepEqual(await ids(client, { statuses: 'execution.paused,execution.requeued', limit: '4' }), wanted.slice(0, 4));
  });
});
