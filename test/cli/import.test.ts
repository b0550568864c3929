import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, runsIn } from '../support/cli.ts';
import { importRun, ndjson } from '../support/runs.ts';
import { DEFAULT_STORE_ONLY, eachDatabase } from '../support/stores.ts';

eachDatabase('runledger import', (db) => {
  test('loads an NDJSON file as POST /runs/import does: inserted, updated, rejected lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runledger-import-'));
    try {
      const good = [importRun({ credential_id: 'c-1' }), importRun({ status: 'execution.failed' })];
      const file = join(dir, 'runs.ndjson');
      await writeFile(file, ndjson([good[0], '{"broken": ', good[1], { ...importRun(), created_at: 'yesterday' }]));
      const args = ['import', file, '--workspace', 'imports', '--db', db().url];
      const first = await runCli(args);
      assert.equal(first.code, 0, first.stderr);
      const result = JSON.parse(first.stdout);
      assert.deepEqual([result.inserted, result.updated, result.rejected.map((r: { line: number }) => r.line)], [2, 0, [2, 4]]);
      const stored = await runsIn(db().url, 'imports');
      assert.deepEqual(stored.map((r) => r.session_id).sort(), good.map((r) => r.session_id).sort());
      assert.equal(stored.find((r) => r.session_id === good[1].session_id)?.status, 'execution.failed');
      const second = JSON.parse((await runCli(args)).stdout);
      assert.deepEqual([second.inserted, second.updated, second.rejected.length], [0, 2, 2]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a file that does not exist is an error with a non-zero exit', async () => {
    const result = await runCli(['import', '/nonexistent/runs.ndjson', '--workspace', 'w', '--db', db().url]);
    assert.notEqual(result.code, 0);
    assert.ok(result.stderr.length > 0);
  });
}, DEFAULT_STORE_ONLY);
