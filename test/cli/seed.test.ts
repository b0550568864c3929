import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, runsIn } from '../support/cli.ts';
import { DEFAULT_STORE_ONLY, eachDatabase } from '../support/stores.ts';
import { DAY } from '../support/times.ts';

const RUNS = 400;

async function seed(db: string, workspace: string, seedValue: number): Promise<string[]> {
  const result = await runCli(['seed', '--workspace', workspace, '--runs', String(RUNS), '--days', '10', '--seed', String(seedValue), '--db', db]);
  assert.equal(result.code, 0, result.stderr);
  return (await runsIn(db, workspace)).map((r) => r.session_id).sort();
}

eachDatabase('runledger seed', (db, kind) => {
  test('writes N runs over the last D days; the same seed gives the same runs in another database, another seed others', async () => {
    const before = Date.now();
    const first = await seed(db().url, 'one', 7);
    assert.equal(first.length, RUNS);
    assert.equal(new Set(first).size, RUNS);
    for (const run of await runsIn(db().url, 'one')) {
      const at = Date.parse(run.created_at);
      assert.ok(at >= before - 10 * DAY - 1000 && at <= Date.now(), run.created_at);
    }
    const second = await kind.create();
    try {
      const [other, again] = await Promise.all([seed(db().url, 'three', 8), seed(second.url, 'one', 7)]);
      assert.notDeepEqual(other, first, 'another seed gives other runs');
      assert.deepEqual(again, first);
    } finally {
      await second.drop();
    }
  });

  test('a bad --runs is refused with a message and a non-zero exit', async () => {
    const result = await runCli(['seed', '--workspace', 'w', '--runs', 'many', '--db', db().url]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /runs/);
  });
}, DEFAULT_STORE_ONLY);
