/**
 * Issue 2's serialisation question, measured in-process on one database:
 * how to turn a page of runs into the response bytes. Compared, for pages of
 * 1,000 and 10,000 rows of the same query:
 *   stored   — runledger's way: each run's JSON rendered once at write time,
 *              the page is a join of the stored fragments (RunLister);
 *   sqlite   — JSON built inside SQLite with json_group_array(json_object(…));
 *   schema   — rows to objects, serialised by fast-json-stringify from the
 *              response schema (what a Fastify response schema does);
 *   stringify — rows to objects, JSON.stringify.
 * Run: npm run bench:serialisation [-- --runs N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fastJson from 'fast-json-stringify';
import { Type } from '@sinclair/typebox';
import { RunSchema } from '../src/domain/schemas.ts';
import { formatTimestamp, MICROS_PER_DAY, nowMicros } from '../src/domain/timestamp.ts';
import { RunLister } from '../src/store/sqlite/list-runs.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { numberedItems } from '../src/domain/import-line.ts';
import { seedRuns } from '../src/domain/seed-runs.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 200_000;
const dir = mkdtempSync(join(tmpdir(), 'runledger-serialisation-'));
const path = join(dir, 'bench.db');
const now = nowMicros();
const store = new SqliteStore({ path, groupCommit: true, readers: 0 });
const ws = (await store.workspace('bench', true))!;
await ws.importRuns(numberedItems(seedRuns({ workspaceId: ws.workspaceId, runs, days: 30, seed: 1, now })));
await store.close();

const db = new Database(path, { readonly: true });
const lister = new RunLister(db);
const ts = (col: string) =>
  `CASE WHEN ${col} IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S', ${col} / 1000000, 'unixepoch') || '.' || printf('%06d', ${col} % 1000000) || 'Z' END`;
const page = (cols: string) =>
  `SELECT ${cols} FROM runs WHERE workspace = 1 AND created_at >= @start AND created_at <= @end ORDER BY created_at DESC, session_id DESC LIMIT @limit`;
const inSqlite = db
  .prepare(
    `SELECT json_group_array(json_object('session_id', session_id, 'status', status, 'created_at', ${ts('created_at')}, 'workflow_id', workflow_id, 'workspace_id', @wsid, 'execution_start', ${ts('execution_start')}, 'execution_end', ${ts('execution_end')}, 'dry_run', json(CASE dry_run WHEN 1 THEN 'true' ELSE 'false' END))) FROM (${page('*')})`,
  )
  .pluck();
const rowsOf = db.prepare(page('session_id, status, created_at, workflow_id, execution_start, execution_end, dry_run'));
const toObjects = (params: object) =>
  (rowsOf.all(params) as Array<Record<string, any>>).map((r) => ({
    session_id: r.session_id,
    status: r.status,
    created_at: formatTimestamp(r.created_at),
    workflow_id: r.workflow_id,
    workspace_id: ws.workspaceId,
    execution_start: r.execution_start === null ? null : formatTimestamp(r.execution_start),
    execution_end: r.execution_end === null ? null : formatTimestamp(r.execution_end),
    dry_run: r.dry_run === 1,
  }));
const schema = fastJson(Type.Array(RunSchema) as object);

function opsPerSecond(fn: () => string | Buffer, seconds = 2): { ops: number; bytes: number } {
  let bytes = 0;
  for (let i = 0; i < 5; i += 1) bytes = fn().length;
  let n = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    fn();
    n += 1;
  }
  return { ops: n / seconds, bytes };
}

console.log(`| page | way | ops/s | bytes | vs stored |\n|---|---|---:|---:|---:|`);
for (const limit of [1000, 10000]) {
  const query = { start: now - 30 * MICROS_PER_DAY, end: now, limit, workflowIds: [], statuses: [], credentialIds: [] };
  const params = { start: query.start, end: query.end, limit, wsid: ws.workspaceId };
  // The store's page is bytes, as sent; the other ways make the text they would send.
  const ways: Record<string, () => string | Buffer> = {
    stored: () => lister.list(1, query).body,
    sqlite: () => inSqlite.get(params) as string,
    schema: () => schema(toObjects(params)),
    stringify: () => JSON.stringify(toObjects(params)),
  };
  const outputs = Object.values(ways).map((fn) => fn().toString());
  if (!outputs.every((o) => o === outputs[0])) throw new Error(`the ways disagree on the bytes of a ${limit}-row page`);
  const results = Object.entries(ways).map(([name, fn]) => [name, opsPerSecond(fn)] as const);
  const stored = results[0][1].ops;
  for (const [name, r] of results) console.log(`| ${limit} | ${name} | ${r.ops.toFixed(0)} | ${r.bytes} | ${(r.ops / stored).toFixed(2)} |`);
}
db.close();
rmSync(dir, { recursive: true, force: true });
