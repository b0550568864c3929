import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { eachStore } from '../support/api.ts';
import { assertError, okBody } from '../support/assertions.ts';
import { allByToken } from '../support/pages.ts';
import { importAll, importRun, ndjson, postImport, type RunObject } from '../support/runs.ts';
import { ago, HOUR, SECOND } from '../support/times.ts';

const rejectedLines = (body: { rejected: Array<{ line: number; message: string }> }) => body.rejected.map((r) => r.line);

eachStore('POST /runs/import (contract section 8)', (api) => {
  test('counts inserted, updated and rejected lines, with 1-based line numbers and a message each', async () => {
    const { client, id } = await api().workspace();
    const kept = [importRun(), importRun({ workspace_id: id }), importRun({ workspace_id: id.toUpperCase() }), importRun()];
    const { created_at: _, ...noCreatedAt } = importRun();
    const { status: __, ...noStatus } = importRun();
    const lines = [
      kept[0], // 1
      '{"session_id": ', // 2: not JSON
      noCreatedAt, // 3
      kept[1], // 4
      '', // 5: blank, skipped but counted
      importRun({ workspace_id: randomUUID() }), // 6: another workspace
      kept[2], // 7
      noStatus, // 8
      '[1,2]', // 9
      importRun({ created_at: ago(HOUR).slice(0, 10) }), // 10
      importRun({ status: 'execution.done' }), // 11
      importRun({ session_id: 'not-a-uuid' }), // 12
      importRun({ dry_run: 'yes' as unknown as boolean }), // 13
      importRun({ credential_id: '' }), // 14
      kept[3], // 15
    ];
    const body = okBody(await postImport(client, ndjson(lines)));
    assert.equal(body.inserted, 4);
    assert.equal(body.updated, 0);
    assert.deepEqual(rejectedLines(body), [2, 3, 6, 8, 9, 10, 11, 12, 13, 14]);
    for (const r of body.rejected) assert.ok(typeof r.message === 'string' && r.message.length > 0);
    const listed = okBody(await client.runs()).map((r: RunObject) => r.session_id).sort();
    assert.deepEqual(listed, kept.map((r) => r.session_id).sort());
  });

  test('a final newline does not make a line; a last line without one still counts', async () => {
    const { client } = await api().workspace();
    const withNewline = okBody(await postImport(client, `${JSON.stringify(importRun())}\nnot json\n`));
    assert.deepEqual([withNewline.inserted, rejectedLines(withNewline)], [1, [2]]);
    const without = okBody(await postImport(client, `not json\n${JSON.stringify(importRun())}`));
    assert.deepEqual([without.inserted, rejectedLines(without)], [1, [1]]);
    const crlf = okBody(await postImport(client, `${JSON.stringify(importRun())}\r\n${JSON.stringify(importRun())}\r\n`));
    assert.deepEqual([crlf.inserted, rejectedLines(crlf)], [2, []]);
    const empty = okBody(await postImport(client, ''));
    assert.deepEqual([empty.inserted, empty.updated, empty.rejected], [0, 0, []]);
  });

  test('a line whose session_id exists in the workspace replaces that run', async () => {
    const { client } = await api().workspace();
    const first = importRun({ status: 'execution.start', created_at: ago(3 * HOUR), execution_start: ago(3 * HOUR - SECOND) });
    await importAll(client, [first]);
    const replacement = importRun({
      session_id: first.session_id.toUpperCase(),
      status: 'execution.failed',
      created_at: ago(2 * HOUR),
      execution_start: ago(2 * HOUR - SECOND),
      execution_end: ago(HOUR),
      dry_run: true,
      credential_id: 'replaced',
    });
    const body = okBody(await postImport(client, ndjson([replacement])));
    assert.deepEqual([body.inserted, body.updated, body.rejected], [0, 1, []]);
    const detail = okBody(await client.get(`/run/${first.session_id}`));
    const { session_id: _, ...rest } = replacement;
    assert.deepEqual({ ...detail, events: undefined }, { ...detail, ...rest, session_id: first.session_id, events: undefined });
    assert.deepEqual(detail.events[0], { event: 'execution.queued', timestamp: replacement.created_at });
    assert.equal(detail.events.length, new Set(detail.events.map((e: { event: string }) => e.event)).size, 'the old history is gone');
    const listed = okBody(await client.runs());
    assert.deepEqual(listed.map((r: RunObject) => [r.session_id, r.created_at]), [[first.session_id, replacement.created_at]]);
  });

  test('a session_id of another workspace is rejected and that run is untouched', async () => {
    const mine = await api().workspace();
    const theirs = await api().workspace();
    const foreign = importRun({ status: 'execution.success' });
    await importAll(theirs.client, [foreign]);
    const lines = [importRun(), { ...foreign, status: 'execution.failed' }, 'not json', { ...foreign, status: 'execution.stopped' }];
    const body = okBody(await postImport(mine.client, ndjson(lines)));
    assert.deepEqual([body.inserted, body.updated, rejectedLines(body)], [1, 0, [2, 3, 4]], 'rejections of every kind, in line order');
    assert.equal(okBody(await theirs.client.get(`/run/${foreign.session_id}`)).status, 'execution.success');
    assertError(await mine.client.get(`/run/${foreign.session_id}`), 404, 'not_found');
  });

  test('a streamed body of 50,000 lines is imported whole', async () => {
    const { client } = await api().workspace();
    const total = 50_000;
    const base = Date.now() - 20 * HOUR;
    const sessionIds: string[] = [];
    let line = 0;
    const encoder = new TextEncoder();
    // Generated while it is sent: the test never holds the body whole either.
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (line === total) return controller.close();
        let chunk = '';
        for (let i = 0; i < 1000 && line < total; i += 1, line += 1) {
          const run = importRun({ created_at: new Date(base + line * 1000).toISOString() });
          if (line % 5000 === 0) sessionIds.push(run.session_id);
          chunk += `${JSON.stringify(run)}\n`;
        }
        controller.enqueue(encoder.encode(chunk));
      },
    });
    const reply = await client.request('POST', '/runs/import', { raw: stream, headers: { 'content-type': 'application/x-ndjson' } });
    const body = okBody(reply);
    assert.deepEqual([body.inserted, body.updated, body.rejected], [total, 0, []]);
    for (const sessionId of sessionIds) okBody(await client.get(`/run/${sessionId}`));
    assert.equal((await allByToken(client, { limit: '10000' })).length, total);
  });
});
