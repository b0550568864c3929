/**
 * PostgreSQL text cannot hold U+0000, SQLite can, and a credential_id is any
 * string of 1 to 256 characters: the PostgreSQL store escapes it. Checked on
 * every store, since the point is that they answer alike: ids that differ
 * only by NUL, backslash and the escape's own spelling stay distinct,
 * round-trip exactly and filter exactly. Imports take another path into
 * PostgreSQL (COPY's text format, with its own escapes), so they are checked
 * with the characters that format treats specially too. Large pages come out
 * through a COPY with the filter's values inlined as literals, so imported
 * ids are looked up through both list paths, quotes and `$1` among them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { nowMicros, MICROS_PER_DAY } from '../src/domain/timestamp.ts';
import { loadConfig } from '../src/config.ts';
import { openStore } from '../src/store/open-store.ts';
import { LARGE_PAGE, type RunStore } from '../src/store/run-store.ts';
import { testStores, type TestDatabase } from './support/stores.ts';

const CREDENTIALS = ['a\0b', 'a\\0b', 'a\\\\0b', 'a\\b', '\0', '\\', 'plain'];
const COPY_SPECIALS = ['\t', 'a\tb', 'a\nb', 'a\r\nb', '\\N', '\\t', '"quoted"', 'ü€😀'];
const LITERAL_SPECIALS = ["it's", "x'; DROP TABLE runs; --", '$1', "E'\\'"];

for (const kind of testStores()) {
  describe(`credential ids with NUL and backslashes [${kind.name}]`, () => {
    let db: TestDatabase;
    let store: RunStore;

    before(async () => {
      db = await kind.create();
      store = await openStore(loadConfig({ db: db.url }, {}));
    });

    after(async () => {
      await store?.close();
      await db?.drop();
    });

    test('each is stored as given and found only by itself', async () => {
      const runs = (await store.workspace('texts', true))!;
      const made = new Map<string, string>();
      for (const credentialId of CREDENTIALS) {
        const created = await runs.createRun({ workflowId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e', credentialId, dryRun: false, inputs: null });
        made.set(credentialId, JSON.parse(created.body).session_id);
      }
      const now = nowMicros();
      for (const credentialId of CREDENTIALS) {
        const sessionId = made.get(credentialId)!;
        assert.equal((await runs.getRun(sessionId))?.run.credentialId, credentialId);
        const page = await runs.listRuns({ start: now - MICROS_PER_DAY, end: now + 1000, workflowIds: [], statuses: [], credentialIds: [credentialId], limit: 100 });
        assert.deepEqual(JSON.parse(page.body.toString()).map((r: { session_id: string }) => r.session_id), [sessionId], JSON.stringify(credentialId));
      }
      const pair = await runs.listRuns({ start: now - MICROS_PER_DAY, end: now + 1000, workflowIds: [], statuses: [], credentialIds: ['a\0b', 'a\\0b'], limit: 100 });
      assert.deepEqual(new Set(JSON.parse(pair.body.toString()).map((r: { session_id: string }) => r.session_id)), new Set([made.get('a\0b'), made.get('a\\0b')]));
    });

    test('imported, each is stored as given and found only by itself', async () => {
      const runs = (await store.workspace('imported texts', true))!;
      const now = nowMicros();
      const credentials = [...CREDENTIALS, ...COPY_SPECIALS, ...LITERAL_SPECIALS];
      const made = credentials.map((credentialId, i) => ({
        sessionId: randomUUID(),
        workspaceId: runs.workspaceId,
        workflowId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e',
        status: 'execution.success' as const,
        createdAt: now - 1000 * (i + 1),
        executionStart: null,
        executionEnd: null,
        dryRun: false,
        credentialId,
      }));
      const result = await runs.importRuns(made.map((run, i) => ({ line: i + 1, run })));
      assert.deepEqual([result.inserted, result.rejected], [credentials.length, []]);
      for (const run of made) {
        assert.deepEqual((await runs.getRun(run.sessionId))?.run, run, JSON.stringify(run.credentialId));
        for (const limit of [100, LARGE_PAGE + 1]) {
          const page = await runs.listRuns({ start: now - MICROS_PER_DAY, end: now, workflowIds: [], statuses: [], credentialIds: [run.credentialId], limit });
          assert.deepEqual(JSON.parse(page.body.toString()).map((r: { session_id: string }) => r.session_id), [run.sessionId], `${JSON.stringify(run.credentialId)}, limit ${limit}`);
          page.release?.();
        }
      }
    });
  });
}
