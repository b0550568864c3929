/**
 * Every query shape of the benchmark is read by index range scans that stop
 * at `limit`, on a table big enough for the planner to care (200,000 runs
 * over a year in 5 quarterly partitions, ANALYZEd). The SQL explained is the
 * store's own: listStatement builds it.
 *
 * What is forbidden, precisely:
 * - any scan of a runs partition other than an Index Scan or Index Only Scan
 *   (a Seq Scan, or a Bitmap Heap Scan, which returns rows out of order);
 * - a Sort (or Incremental Sort) with a scan of runs below it that is not
 *   first bounded by a Limit: that sort would take the whole window. A Sort
 *   above per-arm Limits sorts at most limit × arms rows and is allowed.
 * Both the plan for the actual values (custom) and the one PostgreSQL may
 * cache for a prepared statement (generic) are checked. Moreover, a page
 * whose list plan names a filter's index must read through one, never along
 * the primary key, and a page filtered by statuses and workflows through
 * each pair's own index range.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { ImportItem } from '../src/domain/import-line.ts';
import type { ListQuery } from '../src/domain/list-query.ts';
import type { Run } from '../src/domain/run.ts';
import { MICROS_PER_DAY, nowMicros } from '../src/domain/timestamp.ts';
import { listPlan } from '../src/store/list-plan.ts';
import { listStatement } from '../src/store/postgres/list-runs.ts';
import { monthOf, monthStart, partitionOf } from '../src/store/postgres/partitions.ts';
import { sqlLiteral, type SqlValue } from '../src/store/postgres/sql-literal.ts';
import { SESSION_OPTIONS } from '../src/store/postgres/open-database.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { LARGE_PAGE } from '../src/store/run-store.ts';
import { postgres, type TestDatabase } from './support/stores.ts';

const RUNS = 200_000;
const NOW = nowMicros();
const day = (n: number) => n * MICROS_PER_DAY;
const workflow = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

let db: TestDatabase;
let client: pg.Client;
let big: number;
let small: number;

/** A run every ten days: the import makes the partitions a year of history needs. */
function historyRuns(workspaceId: string, count: number): ImportItem[] {
  return Array.from({ length: count }, (_, i) => {
    const run: Run = {
      sessionId: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      workspaceId,
      workflowId: workflow(0),
      status: 'execution.success',
      createdAt: NOW - day(10 * i + 1),
      executionStart: null,
      executionEnd: null,
      dryRun: false,
      credentialId: null,
    };
    return { line: i + 1, run };
  });
}

before(async () => {
  db = await postgres.create();
  const store = await PostgresStore.open({ url: db.url, poolSize: 2 });
  try {
    const bigRuns = (await store.workspace('big', true))!;
    await bigRuns.importRuns(historyRuns(bigRuns.workspaceId, 37));
    const smallRuns = (await store.workspace('small', true))!;
    await smallRuns.importRuns(historyRuns(smallRuns.workspaceId, 0));
  } finally {
    await store.close();
  }
  // The store's session settings: the plans checked are the ones the store gets.
  client = new pg.Client({ connectionString: db.url, options: SESSION_OPTIONS });
  await client.connect();
  const nums = await client.query<{ name: string; num: number }>('SELECT name, num FROM workspaces');
  big = nums.rows.find((r) => r.name === 'big')!.num;
  small = nums.rows.find((r) => r.name === 'small')!.num;
  // Weighted statuses, 40 workflows, 200 credentials and one rare one, a year of history.
  const fill = `
    INSERT INTO runs (workspace, created_at, session_id, workflow_id, status, credential_id, dry_run, json)
    SELECT $1, $2 - (random() * $3)::bigint, gen_random_uuid(),
      ('00000000-0000-4000-8000-' || lpad(floor(random() * 40)::text, 12, '0'))::uuid,
      (ARRAY['execution.success','execution.success','execution.success','execution.success','execution.success',
             'execution.success','execution.failed','execution.failed','execution.stopped','execution.start'])[1 + floor(random() * 10)::int],
      CASE WHEN i % 10000 = 0 THEN 'cred-rare' ELSE 'cred-' || floor(random() * 200) END, false, repeat('x', 280)
    FROM generate_series(1, $4::int) i`;
  await client.query(fill, [big, NOW, day(360), RUNS]);
  await client.query(fill, [small, NOW, day(360), 200]);
  await client.query('ANALYZE runs');
});

after(async () => {
  await client?.end();
  await db?.drop();
});

const query = (overrides: Partial<ListQuery>): ListQuery => ({
  start: NOW - day(1),
  end: NOW,
  workflowIds: [],
  statuses: [],
  credentialIds: [],
  limit: 1000,
  ...overrides,
});

const SHAPES: Array<[string, number, () => ListQuery]> = [
  ['the last 24 h, limit 1000', 0, () => query({})],
  ['7 days of execution.failed', 0, () => query({ start: NOW - day(7), statuses: ['execution.failed'] })],
  ['one rare credential over 360 days', 0, () => query({ start: NOW - day(360), credentialIds: ['cred-rare'] })],
  [
    'two statuses and three workflows over 90 days',
    0,
    () => query({ start: NOW - day(90), statuses: ['execution.failed', 'execution.stopped'], workflowIds: [workflow(1), workflow(2), workflow(3)] }),
  ],
  ['three statuses fanned out over 30 days', 0, () => query({ start: NOW - day(30), statuses: ['execution.failed', 'execution.stopped', 'execution.start'] })],
  [
    'a deep page by cursor',
    0,
    () => query({ start: NOW - day(360), cursor: { createdAt: NOW - day(300), sessionId: '80000000-0000-4000-8000-000000000000' } }),
  ],
  ['a 10,000-row page', 0, () => query({ start: NOW - day(30), limit: 10_000 })],
  ['a 10,000-row page of two statuses', 0, () => query({ start: NOW - day(90), statuses: ['execution.failed', 'execution.stopped'], limit: 10_000 })],
  ['a small workspace over 360 days', 1, () => query({ start: NOW - day(360) })],
  ['one credential and two statuses over 360 days', 0, () => query({ start: NOW - day(360), credentialIds: ['cred-7'], statuses: ['execution.failed', 'execution.stopped'] })],
  ['one workflow and three statuses over 90 days', 0, () => query({ start: NOW - day(90), workflowIds: [workflow(5)], statuses: ['execution.failed', 'execution.stopped', 'execution.start'] })],
  ['three workflows over 30 days', 0, () => query({ start: NOW - day(30), workflowIds: [workflow(1), workflow(2), workflow(3)] })],
  [
    'two credentials and two statuses over 360 days',
    0,
    () => query({ start: NOW - day(360), credentialIds: ['cred-3', 'cred-rare'], statuses: ['execution.failed', 'execution.stopped'] }),
  ],
  ['70 workflows (past the fan-out limit) over 7 days', 0, () => query({ start: NOW - day(7), workflowIds: Array.from({ length: 70 }, (_, i) => workflow(i)) })],
];

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Walks a plan; returns the runs scans seen, failing on a forbidden node. */
function check(node: PlanNode, boundedByLimit: boolean, path: string[], scans: string[]): void {
  const type = node['Node Type'];
  const here = [...path, type];
  if (node['Relation Name']?.startsWith('runs_p')) {
    assert.ok(type === 'Index Scan' || type === 'Index Only Scan', `${type} of ${node['Relation Name']} at ${here.join(' > ')}`);
    assert.ok(!path.some((t) => t.endsWith('Sort')) || boundedByLimit, `a sort of the whole window at ${here.join(' > ')}`);
    scans.push(node['Relation Name']);
  }
  const bounded = type === 'Limit' ? true : type.endsWith('Sort') ? false : boundedByLimit;
  for (const child of node.Plans ?? []) check(child, bounded, here, scans);
}

/** A value as EXECUTE takes it: a list as an untyped array literal, which takes its parameter's type (uuid[] or text[]). */
const executeArgument = (value: SqlValue): string =>
  Array.isArray(value) ? pg.escapeLiteral(`{${value.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`) : sqlLiteral(value);

/**
 * The plan for the statement's values (custom), and the one PostgreSQL may
 * cache for it (generic) if the store prepares it: a large page's statement
 * is run with its values inlined, so it is always planned for them.
 */
async function bothPlans(statement: ReturnType<typeof listStatement>): Promise<Array<[string, PlanNode]>> {
  await client.query('SET plan_cache_mode = force_custom_plan');
  let custom: PlanNode;
  try {
    custom = (await client.query(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values)).rows[0]['QUERY PLAN'][0].Plan;
  } finally {
    await client.query('RESET plan_cache_mode');
  }
  if (statement.name === undefined) return [['custom plan', custom]];
  // The store's own setting (SESSION_OPTIONS), made explicit: the check must not depend on it.
  await client.query('SET plan_cache_mode = force_generic_plan');
  await client.query(`PREPARE shape AS ${statement.text}`);
  try {
    const generic = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE shape(${statement.values.map(executeArgument).join(', ')})`);
    return [
      ['custom plan', custom],
      ['generic plan', generic.rows[0]['QUERY PLAN'][0].Plan],
    ];
  } finally {
    await client.query('RESET plan_cache_mode');
    await client.query('DEALLOCATE shape');
  }
}

/** The indexes of the partition scans in a plan. */
function scannedIndexes(node: PlanNode, names = new Set<string>()): Set<string> {
  if (node['Relation Name']?.startsWith('runs_p') && node['Index Name'] !== undefined) names.add(node['Index Name']);
  for (const child of node.Plans ?? []) scannedIndexes(child, names);
  return names;
}

/** Both plans of a shape read by index ranges, through the filter's index where there is one; returns the tables they scan. */
async function assertShapePlans(name: string, workspace: number, listQuery: ListQuery, table?: string): Promise<Set<string>> {
  // Past MAX_FAN_OUT values a filter is an IN list checked along the key range, by design (list-plan.ts).
  const filtered = listPlan(listQuery).index !== undefined;
  const tables = new Set<string>();
  for (const [kind, plan] of await bothPlans(listStatement(workspace, listQuery, table))) {
    const scans: string[] = [];
    if (table) console.log("SHAPE", name, kind, JSON.stringify(plan)); check(plan, false, [], scans);
    assert.ok(scans.length > 0, `${name} (${kind}): no scan of runs in the plan at all`);
    for (const scanned of scans) tables.add(scanned);
    // Along the primary key a filtered page would read the whole window and filter it.
    if (filtered) for (const index of scannedIndexes(plan)) assert.doesNotMatch(index, /_pkey$/, `${name} (${kind}) reads through ${index}`);
  }
  return tables;
}

for (const [name, which, make] of SHAPES) {
  test(`${name}: index range scans, no sort of the window`, async () => {
    await assertShapePlans(name, which === 0 ? big : small, make());
  });
}

test('every shape of up to 1,000 runs, its window inside last month, read on that partition: the same index range scans there alone', async () => {
  const month = monthOf(NOW);
  // A new database's partitions are quarters (partitions.ts, Span).
  const table = partitionOf(month - 1, 3);
  let shapes = 0;
  for (const [name, which, make] of SHAPES) {
    // Larger pages go to the reader thread through runs, planned for their values.
    if (make().limit > LARGE_PAGE) continue;
    const listQuery = { ...make(), start: monthStart(month - 1), end: monthStart(month) - 1, cursor: undefined };
    assert.deepEqual([...(await assertShapePlans(name, which === 0 ? big : small, listQuery, table))], [table], name);
    shapes += 1;
  }
  assert.equal(shapes, SHAPES.length - 2);
});

test('statuses × workflows: every arm reads its own (status, workflow) range of runs_by_status_workflow', async () => {
  const [, , make] = SHAPES.find(([name]) => name === 'two statuses and three workflows over 90 days')!;
  for (const [kind, plan] of await bothPlans(listStatement(big, make()))) {
    const indexes = [...scannedIndexes(plan)];
    assert.ok(indexes.length > 0, `${kind}: no index scan of runs`);
    // A partition's copy of the index is named after its columns.
    for (const name of indexes) assert.match(name, /_workspace_status_workflow_id_created_at_/, `${kind}: an arm reads through ${name}`);
  }
});
