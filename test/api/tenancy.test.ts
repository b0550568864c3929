import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { eachStore, type TestWorkspace } from '../support/api.ts';
import { assertError, okBody } from '../support/assertions.ts';
import { createRun, importAll, importRun, ndjson, postImport, type RunObject } from '../support/runs.ts';
import { ago, DAY } from '../support/times.ts';

/** Two workspaces with runs made both ways; every check looks at what A's key can do to B. */
async function twoWorkspaces(api: () => { workspace(): Promise<TestWorkspace> }) {
  const a = await api().workspace();
  const b = await api().workspace();
  const imported = importRun({ status: 'execution.start', execution_start: ago(1000), credential_id: 'shared-cred' });
  await importAll(b.client, [imported]);
  const created = await createRun(b.client, { credential_id: 'shared-cred' });
  const own = importRun({ credential_id: 'shared-cred' });
  await importAll(a.client, [own]);
  return { a, b, aRuns: [own.session_id], bRuns: [imported.session_id, created.session_id], bWorkflows: [imported.workflow_id, created.workflow_id] };
}

const listIds = (rows: RunObject[]) => rows.map((r) => r.session_id);

eachStore('tenancy (contract section 2)', (api) => {
  test('a key never lists another workspace\'s runs, whatever the filters', async () => {
    const { a, b, aRuns, bRuns, bWorkflows } = await twoWorkspaces(api);
    const queries: Array<Record<string, string>> = [
      {},
      { credential_id: 'shared-cred' },
      { statuses: 'execution.queued,execution.start,execution.success' },
      { start_time: ago(364 * DAY), limit: '10000' },
    ];
    // Each query matches A's one run, and would match B's too were they not B's.
    for (const query of queries) {
      const rows: RunObject[] = okBody(await a.client.runs(query));
      assert.deepEqual(listIds(rows), aRuns, JSON.stringify(query));
      assert.ok(rows.every((row) => row.workspace_id === a.id));
    }
    assert.deepEqual(okBody(await a.client.runs({ workflow_ids: bWorkflows.join(',') })), []);
    assert.deepEqual(listIds(okBody(await b.client.runs())).sort(), [...bRuns].sort());
  });

  test('a cursor from one workspace gives another workspace only its own runs', async () => {
    const { a, b, aRuns } = await twoWorkspaces(api);
    const token = (await b.client.runs({ limit: '1' })).headers.get('x-next-cursor');
    assert.ok(token);
    // B's newest run is newer than A's, so the position lets A's run through, and nothing of B's.
    assert.deepEqual(listIds(okBody(await a.client.runs({ cursor: token, limit: '10000' }))), aRuns);
  });

  test('GET /run of another workspace\'s run is 404', async () => {
    const { a, bRuns } = await twoWorkspaces(api);
    for (const id of bRuns) assertError(await a.client.get(`/run/${id}`), 404, 'not_found');
  });

  test('POST /run/{id}/events on another workspace\'s run is 404 and changes nothing', async () => {
    const { a, b, bRuns } = await twoWorkspaces(api);
    const before = await Promise.all(bRuns.map(async (id) => okBody(await b.client.get(`/run/${id}`))));
    for (const id of bRuns) {
      for (const event of ['execution.stopped', 'execution.start', 'execution.success']) {
        assertError(await a.client.post(`/run/${id}/events`, { event }), 404, 'not_found');
      }
    }
    const after = await Promise.all(bRuns.map(async (id) => okBody(await b.client.get(`/run/${id}`))));
    assert.deepEqual(after, before);
  });

  test('an import cannot write into or over another workspace', async () => {
    const { a, b, bRuns } = await twoWorkspaces(api);
    const before = okBody(await b.client.runs());
    const lines = [importRun({ session_id: bRuns[0] }), importRun({ session_id: bRuns[1] }), importRun({ workspace_id: b.id })];
    const body = okBody(await postImport(a.client, ndjson(lines)));
    assert.deepEqual([body.inserted, body.updated, body.rejected.map((r: { line: number }) => r.line)], [0, 0, [1, 2, 3]]);
    assert.deepEqual(okBody(await b.client.runs()), before);
  });

  test('Idempotency-Keys are per workspace: the same key and body in two workspaces make two runs', async () => {
    const { a, b } = await twoWorkspaces(api);
    const body = { workflow_id: randomUUID() };
    const headers = { 'idempotency-key': `shared-${randomUUID()}` };
    const inA = okBody(await a.client.post('/run', body, headers), 201);
    const inB = okBody(await b.client.post('/run', body, headers), 201);
    assert.notEqual(inA.session_id, inB.session_id);
    assert.equal(inA.workspace_id, a.id);
    assert.equal(inB.workspace_id, b.id);
    // Another body under the same key in a third workspace is no conflict either.
    const c = await api().workspace();
    okBody(await c.client.post('/run', { workflow_id: randomUUID() }, headers), 201);
    assert.equal(okBody(await a.client.post('/run', body, headers), 201).session_id, inA.session_id);
  });
});
