import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Run } from '../src/domain/run.ts';
import { formatTimestamp, nowMicros, type Micros } from '../src/domain/timestamp.ts';
import { runChild } from './child.ts';
import { DAYS, workspaceRuns } from './dataset.ts';
import type { BenchOptions } from './options.ts';
import type { Scratch } from './scratch.ts';
import { postgresClient, sqliteClient } from './sql-client.ts';
import { measureInsertCeiling, type InsertCeiling } from './insert-ceiling.ts';
import { createThinTable, loadThinTable } from './thin-table.ts';

const RUNLEDGER = fileURLToPath(new URL('../bin/runledger', import.meta.url));
const SPEC = { name: 'imported', seed: 11 };

export interface ImportResult {
  runs: number;
  /** runs/s as the command itself reports its work (without process start-up), and by the wall clock. */
  importRate: { own: number; wall: number };
  seedRate: { own: number; wall: number };
  /** The thin table's batched INSERTs of the same runs, in the bench process. */
  thinRate: number;
  /** runledger's own writes with nothing else to do (insert-ceiling.ts). */
  ceiling: InsertCeiling;
}

const time = (micros: Micros | null) => (micros === null ? null : formatTimestamp(micros));

/** An import line (contract section 8) without workspace_id: the command puts it in the named workspace. */
const importLine = (r: Run) =>
  JSON.stringify({
    session_id: r.sessionId,
    status: r.status,
    created_at: time(r.createdAt),
    workflow_id: r.workflowId,
    execution_start: time(r.executionStart),
    execution_end: time(r.executionEnd),
    dry_run: r.dryRun,
    credential_id: r.credentialId,
  });

async function writeNdjson(path: string, runs: Iterable<Run>): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '';
  for (const run of runs) {
    chunk += `${importLine(run)}\n`;
    if (chunk.length < 1 << 20) continue;
    const flowing = out.write(chunk);
    chunk = '';
    if (!flowing) await once(out, 'drain');
  }
  out.end(chunk);
  await once(out, 'finish');
}

async function timedCommand(args: string[], ownSeconds: RegExp, runs: number): Promise<{ own: number; wall: number }> {
  const started = performance.now();
  const { stdout, stderr } = await runChild([RUNLEDGER, args]);
  const wall = (performance.now() - started) / 1000;
  const own = Number(ownSeconds.exec(stdout + stderr)?.[1] ?? wall);
  return { own: runs / own, wall: runs / wall };
}

/** Issue 5 target 6: `runledger import` of an NDJSON file of N runs and `runledger seed` of N runs, each into a fresh database. */
export async function measureImport(scratch: Scratch, options: BenchOptions): Promise<ImportResult> {
  const spec = { ...SPEC, runs: options.runs };
  const now = nowMicros();
  const file = scratch.file('runs.ndjson');
  await writeNdjson(file, workspaceRuns(spec, 'unused', now));
  const importRate = await timedCommand(['import', file, '--workspace', spec.name, '--db', await scratch.database('import')], /in ([\d.]+) s/, spec.runs);
  const seedArgs = ['seed', '--workspace', spec.name, '--runs', String(spec.runs), '--days', String(DAYS), '--seed', String(spec.seed)];
  const seedRate = await timedCommand([...seedArgs, '--db', await scratch.database('seed')], /in ([\d.]+) s/, spec.runs);
  const thinDb = await scratch.database('import_thin');
  const client = scratch.kind === 'sqlite' ? sqliteClient(thinDb, ['journal_mode = WAL', 'synchronous = FULL']) : postgresClient(thinDb, 1);
  try {
    await createThinTable(client, scratch.kind);
    const started = performance.now();
    await loadThinTable(client, scratch.kind, workspaceRuns(spec, 'thin', now));
    const thinRate = spec.runs / ((performance.now() - started) / 1000);
    const ceiling = await measureInsertCeiling(scratch, spec, now);
    return { runs: spec.runs, importRate, seedRate, thinRate, ceiling };
  } finally {
    await client.close();
  }
}
