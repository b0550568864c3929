/**
 * Every query shape of the benchmark is, on SQLite, a search of an index (or
 * of the clustered primary key) in list order: no full scan of runs and no
 * temporary B-tree to sort the window. Through an index, the keys of a page
 * are chosen from the index alone (COVERING) wherever it carries the filters,
 * and the runs returned are then found by their primary key, one lookup each.
 * The SQL explained is the store's own.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { ListQuery } from '../src/domain/list-query.ts';
import { listStatement } from '../src/store/sqlite/list-runs.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { sqlite as sqliteKind, type TestDatabase } from './support/stores.ts';

const wf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const query = (q: Partial<ListQuery>): ListQuery => ({ start: 0, end: 1, limit: 500, workflowIds: [], statuses: [], credentialIds: [], ...q });

const SHAPES: Record<string, ListQuery> = {
  'Q1 last 24 h': query({ limit: 1000 }),
  'Q2 failed': query({ statuses: ['execution.failed'] }),
  'Q3 one credential': query({ credentialIds: ['cred-0499'] }),
  'Q4 two statuses x three workflows': query({ statuses: ['execution.failed', 'execution.stopped'], workflowIds: [wf(1), wf(2), wf(3)] }),
  'Q5 deep page': query({ cursor: { createdAt: 0, sessionId: wf(9) } }),
  'Q6 10,000 rows': query({ limit: 10000 }),
  'three credentials': query({ credentialIds: ['a', 'b', 'c'] }),
  'a status and a workflow': query({ statuses: ['execution.failed'], workflowIds: [wf(1)] }),
  'more workflows than are fanned out': query({ workflowIds: Array.from({ length: 100 }, (_, i) => wf(i)) }),
  'a credential and a status': query({ credentialIds: ['cred-0499'], statuses: ['execution.failed'] }),
};

/** Shapes whose every filter the driving index carries. */
const COVERED = ['Q2 failed', 'Q3 one credential', 'Q4 two statuses x three workflows', 'three credentials', 'a status and a workflow', 'a credential and a status'];

let db: TestDatabase;
let sqlite: Database.Database;

before(async () => {
  db = await sqliteKind.create();
  await new SqliteStore({ path: db.url, groupCommit: true, readers: 0 }).close();
  sqlite = new Database(db.url, { readonly: true });
});
after(async () => {
  sqlite.close();
  await db.drop();
});

for (const [name, shape] of Object.entries(SHAPES)) {
  test(`SQLite plan of ${name}`, () => {
    const { sql: sqlOf, params } = listStatement(1, shape);
    // A bare parameter as the LIMIT makes SQLite prepare the statement again at each execution (list-runs.ts); no plan shows it.
    assert.doesNotMatch(sqlOf(), /LIMIT @\w+\b(?! \+ 0)/);
    const lines = (sqlite.prepare(`EXPLAIN QUERY PLAN ${sqlOf()}`).all(params) as Array<{ detail: string }>).map((r) => r.detail);
    const reads = lines.filter((l) => / runs\b/.test(l));
    assert.ok(reads.length > 0, lines.join('\n'));
    for (const line of reads) {
      assert.match(line, /^SEARCH runs USING (PRIMARY KEY|(COVERING )?INDEX runs_by_\w+) \(workspace=\? AND .*created_at>\? AND created_at<\?\)$/, lines.join('\n'));
    }
    if (COVERED.includes(name)) for (const line of reads) assert.match(line, /COVERING INDEX/, lines.join('\n'));
    const lookups = lines.filter((l) => / r\b/.test(l));
    assert.ok(lookups.every((l) => l === 'SEARCH r USING PRIMARY KEY (workspace=? AND created_at=? AND session_id=?)'), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('TEMP B-TREE')), lines.join('\n'));
  });
}

test('statuses × workflows: one arm per (status, workflow) pair, each read on runs_by_status_workflow', () => {
  const { sql: sqlOf, params } = listStatement(1, SHAPES['Q4 two statuses x three workflows']);
  const reads = (sqlite.prepare(`EXPLAIN QUERY PLAN ${sqlOf()}`).all(params) as Array<{ detail: string }>).map((r) => r.detail).filter((l) => / runs\b/.test(l));
  assert.equal(reads.length, 6, reads.join('\n'));
  for (const line of reads) assert.match(line, /^SEARCH runs USING COVERING INDEX runs_by_status_workflow \(workspace=\? AND status=\? AND workflow_id=\? AND created_at>\? AND created_at<\?\)$/);
});
