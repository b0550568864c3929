import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { eachStore } from '../support/api.ts';
import { assertError, okBody } from '../support/assertions.ts';
import { importAll, importRun } from '../support/runs.ts';
import { ago, atOffset, DAY, HOUR, impossibleRecentDate, SECOND, utc } from '../support/times.ts';

eachStore('GET /runs parameter rules (contract section 4)', (api) => {
  test('limit: 0, 10001, 1.5, abc, empty and other non-integers are 400 naming limit', async () => {
    const { client } = await api().workspace();
    for (const limit of ['0', '10001', '1.5', 'abc', '', '-1', '1e3', ' 5', '0x10', '99999999999999999999']) {
      assertError(await client.runs({ limit }), 400, 'invalid_parameter', 'limit');
    }
  });

  test('limit: 1 and 10000 are accepted, and limit caps the page', async () => {
    const { client } = await api().workspace();
    await importAll(client, [importRun(), importRun(), importRun()]);
    assert.equal(okBody(await client.runs({ limit: '1' })).length, 1);
    assert.equal(okBody(await client.runs({ limit: '2' })).length, 2);
    assert.equal(okBody(await client.runs({ limit: '10000' })).length, 3);
    assert.equal(okBody(await client.runs()).length, 3);
  });

  test('a single-valued parameter given twice is 400, even with the same value', async () => {
    const { client } = await api().workspace();
    const values: Record<string, string> = {
      start_time: ago(HOUR),
      end_time: ago(0),
      workflow_id: randomUUID(),
      status: 'execution.success',
      credential_id: 'cred-1',
      limit: '10',
      cursor: ago(0),
    };
    for (const [name, value] of Object.entries(values)) {
      okBody(await client.runs([[name, value]]));
      assertError(await client.runs([[name, value], [name, value]]), 400, 'invalid_parameter', name);
    }
  });

  test('workflow_id and workflow_ids must be UUIDs', async () => {
    const { client } = await api().workspace();
    for (const bad of ['abc', '', '123e4567-e89b-12d3-a456-42661417400', `${randomUUID()}x`, `{${randomUUID()}}`]) {
      assertError(await client.runs({ workflow_id: bad }), 400, 'invalid_parameter', 'workflow_id');
      assertError(await client.runs({ workflow_ids: `${randomUUID()},${bad}` }), 400, 'invalid_parameter', 'workflow_ids');
    }
  });

  test('status and statuses take only the seven statuses', async () => {
    const { client } = await api().workspace();
    for (const bad of ['success', 'execution.SUCCESS', '', 'execution.done', 'execution.success ']) {
      assertError(await client.runs({ status: bad }), 400, 'invalid_parameter', 'status');
      assertError(await client.runs({ statuses: `execution.failed,${bad}` }), 400, 'invalid_parameter', 'statuses');
    }
  });

  test('credential_id takes 1 to 256 characters', async () => {
    const { client } = await api().workspace();
    assertError(await client.runs({ credential_id: '' }), 400, 'invalid_parameter', 'credential_id');
    assertError(await client.runs({ credential_id: 'c'.repeat(257) }), 400, 'invalid_parameter', 'credential_id');
    okBody(await client.runs({ credential_id: 'c'.repeat(256) }));
  });

  test('start_time older than 365 days is 400; 364 days ago is accepted', async () => {
    const { client } = await api().workspace();
    assertError(await client.runs({ start_time: ago(365 * DAY + HOUR) }), 400, 'invalid_parameter', 'start_time');
    const start = ago(364 * DAY);
    assert.equal((await client.runs({ start_time: start })).headers.get('x-applied-start-time'), start);
  });

  test('end_time later than now + 60 s is 400; now + 30 s is accepted', async () => {
    const { client } = await api().workspace();
    assertError(await client.runs({ end_time: ago(-90 * SECOND) }), 400, 'invalid_parameter', 'end_time');
    const end = ago(-30 * SECOND);
    assert.equal((await client.runs({ end_time: end })).headers.get('x-applied-end-time'), end);
  });

  test('end_time before start_time is 400 naming end_time, also against the default start', async () => {
    const { client } = await api().workspace();
    assertError(await client.runs({ start_time: ago(HOUR), end_time: ago(2 * HOUR) }), 400, 'invalid_parameter', 'end_time');
    assertError(await client.runs({ end_time: ago(2 * HOUR), start_time: ago(HOUR) }), 400, 'invalid_parameter', 'end_time');
    // The default start is now − 24 h also when end_time is given.
    assertError(await client.runs({ end_time: ago(2 * DAY) }), 400, 'invalid_parameter', 'end_time');
    const same = ago(HOUR);
    okBody(await client.runs({ start_time: same, end_time: same }));
  });

  test('when several parameters are at fault, the first one given is named', async () => {
    const { client } = await api().workspace();
    assertError(await client.runs([['limit', '0'], ['status', 'bad']]), 400, 'invalid_parameter', 'limit');
    assertError(await client.runs([['status', 'bad'], ['limit', '0']]), 400, 'invalid_parameter', 'status');
    assertError(await client.runs([['bogus', '1'], ['limit', '0']]), 400, 'unknown_parameter', 'bogus');
  });

  test('malformed timestamps are 400 for start_time, end_time and cursor', async () => {
    const { client } = await api().workspace();
    const yesterday = ago(DAY - HOUR);
    const date = yesterday.slice(0, 10);
    const bad = [
      date, // a date without a time
      `${date}T10:00Z`, // no seconds
      `${date}T10:00:00`, // no zone
      `${date}T10:00:00.123`, // no zone, with a fraction
      String(Math.floor(Date.now() / 1000) - 3600), // epoch seconds
      String(Date.now() - HOUR), // epoch milliseconds
      impossibleRecentDate(),
      `${date}T24:00:00Z`,
      `${date}T10:60:00Z`,
      `${date}T10:00:00.1234567890Z`, // ten fraction digits
      `${date}T10:00:00+2:00`,
      `${date}T10:00:00+0200`,
      `${date} 10:00:00Z`,
      `${date}T10:00:00.Z`,
      'yesterday',
    ];
    for (const text of bad) {
      assertError(await client.runs({ start_time: text }), 400, 'invalid_parameter', 'start_time');
      assertError(await client.runs({ end_time: text }), 400, 'invalid_parameter', 'end_time');
      assertError(await client.runs({ cursor: text }), 400, 'invalid_parameter', 'cursor');
    }
  });

  test('offsets are converted to UTC and nine fraction digits are truncated to microseconds', async () => {
    const { client } = await api().workspace();
    const start = ago(2 * HOUR, 456);
    const cases: Array<[string, string]> = [
      [atOffset(start, 120), start],
      [atOffset(start, -330), start],
      [atOffset(start, 0).replace('+00:00', 'Z'), start],
      [atOffset(start, 0).replace('+00:00', '-00:00'), start],
      [atOffset(start, 60, `${start.slice(20, 26)}999`), start],
      [atOffset(start, 60, start.slice(20, 23)), `${start.slice(0, 23)}000Z`],
      [atOffset(start, 60, ''), `${start.slice(0, 19)}.000000Z`],
      [start.replace('T', 't').replace('Z', 'z'), start],
    ];
    for (const [given, applied] of cases) {
      const reply = await client.runs({ start_time: given, end_time: given });
      okBody(reply);
      assert.equal(reply.headers.get('x-applied-start-time'), applied, given);
      assert.equal(reply.headers.get('x-applied-end-time'), applied, given);
    }
  });

  test('the window bounds are inclusive, at microsecond precision, however the bound is written', async () => {
    const { client } = await api().workspace();
    const at = ago(3 * HOUR, 500);
    const run = importRun({ created_at: at });
    await importAll(client, [run]);
    const ids = async (query: Record<string, string>) => okBody(await client.runs(query)).map((r: { session_id: string }) => r.session_id);
    assert.deepEqual(await ids({ start_time: atOffset(at, 120, `${at.slice(20, 26)}999`), end_time: at }), [run.session_id]);
    const justAfter = utc(Date.parse(at), 501);
    const justBefore = utc(Date.parse(at), 499);
    assert.deepEqual(await ids({ start_time: atOffset(justAfter, -60) }), []);
    assert.deepEqual(await ids({ end_time: atOffset(justBefore, 90) }), []);
    assert.deepEqual(await ids({ start_time: justBefore, end_time: justAfter }), [run.session_id]);
  });

  test('more than 1000 values of a list field, counted after splitting and merging, is 400', async () => {
    const { client } = await api().workspace();
    const creds = Array.from({ length: 1001 }, (_, i) => `c${i}`);
    okBody(await client.runs({ credential_ids: creds.slice(0, 1000).join(',') }));
    assertError(await client.runs({ credential_ids: creds.join(',') }), 400, 'invalid_parameter', 'credential_ids');
    const split = creds.map((c, i): [string, string] => [i % 2 === 0 ? 'credential_ids' : 'credential_ids[]', c]);
    assertError(await client.runs(split), 400, 'invalid_parameter', 'credential_ids');
    const merged: Array<[string, string]> = [['credential_id', creds[1000]], ['credential_ids', creds.slice(0, 1000).join(',')]];
    assertError(await client.runs(merged), 400, 'invalid_parameter');
    const statuses = Array.from({ length: 1001 }, () => 'execution.failed').join(',');
    assertError(await client.runs({ statuses }), 400, 'invalid_parameter', 'statuses');
  });

  test('1000 workflow UUIDs, the most a field takes, are accepted', async () => {
    const { client } = await api().workspace();
    const run = importRun();
    await importAll(client, [run]);
    const ids = [run.workflow_id, ...Array.from({ length: 999 }, () => randomUUID())];
    // A page of up to 1,000 runs and a large one, which PostgreSQL reads with the values inlined into a COPY.
    for (const limit of ['1000', '10000']) {
      const rows = okBody(await client.runs({ workflow_ids: ids.join(','), limit }));
      assert.deepEqual(rows.map((r: { session_id: string }) => r.session_id), [run.session_id], `limit ${limit}`);
    }
  });
});
