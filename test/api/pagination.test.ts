import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { eachStore } from '../support/api.ts';
import { assertError, okBody } from '../support/assertions.ts';
import { byCreatedAt, byToken, sessionIds, walk } from '../support/pages.ts';
import { assertEachOnce, importAll, importRun, newestFirst, type ImportRun, type RunObject } from '../support/runs.ts';
import { ago, HOUR, SECOND } from '../support/times.ts';

/** Runs imported with second precision, `perSecond` in each of `seconds` seconds: many share a created_at. */
function secondPrecisionRuns(seconds: number, perSecond: number, extra: Partial<ImportRun> = {}): ImportRun[] {
  const base = Math.floor((Date.now() - 2 * HOUR) / SECOND) * SECOND;
  return Array.from({ length: seconds * perSecond }, (_, i) =>
    importRun({ created_at: new Date(base - Math.floor(i / perSecond) * SECOND).toISOString().replace('.000Z', 'Z'), ...extra }),
  );
}

const LINK = /^<(\/runs\?[^>]*)>; rel="next"$/;

eachStore('pagination (contract section 4)', (api) => {
  // A page of 240 runs (about 80 KB) spans more than one of the PostgreSQL store's socket reads (store/postgres/message-tap.ts).
  for (const limit of [7, 240]) {
    test(`X-Next-Cursor walks runs that share created_at values, each exactly once, in list order (limit ${limit})`, async () => {
      const { client } = await api().workspace();
      const runs = secondPrecisionRuns(25, 10);
      await importAll(client, runs);
      const query = { limit: String(limit) };
      const pages = await walk(await client.runs(query), byToken(client, query));
      assertEachOnce(sessionIds(pages), runs.map((r) => r.session_id));
      assert.deepEqual(sessionIds(pages), newestFirst(runs).map((r) => r.session_id));
      for (const page of pages.slice(0, -1)) assert.equal(page.length, limit);
    });
  }

  test('the Link header walks the same way and keeps the filters', async () => {
    const { client } = await api().workspace();
    const workflow = randomUUID();
    const wanted = secondPrecisionRuns(6, 9, { workflow_id: workflow, status: 'execution.failed' });
    const others = [
      ...secondPrecisionRuns(6, 3, { workflow_id: workflow }),
      ...secondPrecisionRuns(6, 3, { status: 'execution.failed' }),
    ];
    await importAll(client, [...wanted, ...others]);
    const first = await client.runs([['workflow_ids', workflow], ['statuses[]', 'execution.failed'], ['limit', '5']]);
    const pages = await walk(first, (reply) => {
      const link = reply.headers.get('link');
      assert.equal(link === null, reply.headers.get('x-next-cursor') === null, 'Link and X-Next-Cursor come together');
      if (link === null) return undefined;
      const target = LINK.exec(link);
      assert.ok(target, `Link ${link}`);
      assert.equal(new URLSearchParams(target[1].slice('/runs?'.length)).get('cursor'), reply.headers.get('x-next-cursor'));
      return client.get(target[1]);
    });
    assert.deepEqual(sessionIds(pages), newestFirst(wanted).map((r) => r.session_id));
  });

  test('the documented protocol (last row\'s created_at as cursor) walks runs with distinct created_at exactly once', async () => {
    const { client } = await api().workspace();
    const runs = Array.from({ length: 53 }, (_, i) => importRun({ created_at: ago(i * 61 * SECOND + 5, i) }));
    await importAll(client, runs);
    const first = await client.runs({ limit: '6' });
    const pages = await walk(first, byCreatedAt(client, {}, 6));
    assert.deepEqual(sessionIds(pages), newestFirst(runs).map((r) => r.session_id));
  });

  test('the cursor applies together with the time window', async () => {
    const { client } = await api().workspace();
    const runs = Array.from({ length: 40 }, (_, i) => importRun({ created_at: ago(i * 15 * 60 * SECOND + 1) }));
    await importAll(client, runs);
    const window = { start_time: runs[30].created_at, end_time: runs[10].created_at, limit: '4' };
    const inWindow = runs.slice(10, 31).map((r) => r.session_id);
    const pages = await walk(await client.runs(window), byToken(client, window));
    assert.deepEqual(sessionIds(pages), inWindow);
    const byTime = await walk(await client.runs(window), byCreatedAt(client, { start_time: window.start_time, end_time: window.end_time }, 4));
    assert.deepEqual(sessionIds(byTime), inWindow);
    // A cursor after the window's end is bounded by end_time; one before its start finds nothing.
    const late = okBody(await client.runs({ ...window, limit: '100', cursor: ago(0) }));
    assert.deepEqual(late.map((r: RunObject) => r.session_id), inWindow);
    const early = await client.runs({ ...window, cursor: runs[30].created_at });
    assert.deepEqual(okBody(early), []);
    assert.equal(early.headers.get('x-next-cursor'), null);
    // A timestamp cursor excludes runs at that instant and keeps those strictly before it.
    const mid = okBody(await client.runs({ ...window, limit: '100', cursor: runs[20].created_at }));
    assert.deepEqual(mid.map((r: RunObject) => r.session_id), inWindow.slice(11));
  });

  test('no X-Next-Cursor or Link when a page holds fewer rows than limit; both when it holds exactly limit', async () => {
    const { client } = await api().workspace();
    await importAll(client, Array.from({ length: 5 }, (_, i) => importRun({ created_at: ago(i * HOUR + 1) })));
    for (const limit of ['6', '1000']) {
      const reply = await client.runs({ limit });
      assert.equal(okBody(reply).length, 5);
      assert.equal(reply.headers.get('x-next-cursor'), null);
      assert.equal(reply.headers.get('link'), null);
    }
    const full = await client.runs({ limit: '5' });
    assert.equal(okBody(full).length, 5);
    assert.ok(full.headers.get('x-next-cursor'));
    assert.match(full.headers.get('link') ?? '', LINK);
    const after = await client.runs({ limit: '5', cursor: full.headers.get('x-next-cursor')! });
    assert.deepEqual(okBody(after), []);
    assert.equal(after.headers.get('x-next-cursor'), null);
  });

  test('a cursor that is neither a timestamp nor a token is 400 naming cursor', async () => {
    const { client } = await api().workspace();
    await importAll(client, [importRun(), importRun()]);
    const token = (await client.runs({ limit: '1' })).headers.get('x-next-cursor')!;
    assert.equal(okBody(await client.runs({ cursor: token })).length, 1);
    const forged = ['abc', `${token}!`, `${token}.${token}`, 'A'.repeat(129), `c1.${Date.now()}.${randomUUID()}`, '../../etc'];
    for (const cursor of forged) assertError(await client.runs({ cursor }), 400, 'invalid_parameter', 'cursor');
    assertError(await client.get('/runs?cursor='), 400, 'invalid_parameter', 'cursor');
  });
});
