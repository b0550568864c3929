import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { importItems } from '../src/domain/import-line.ts';
import { renderRun, type Run } from '../src/domain/run.ts';
import { formatTimestamp, nowMicros, type Micros } from '../src/domain/timestamp.ts';
import { runChild } from './child.ts';
import { DAYS, LOAD_WORKSPACE_ID, workspaceRuns } from './dataset.ts';
import type { BenchOptions } from './options.ts';
import type { Scratch } from './scratch.ts';
import { postgresClient, sqliteClient } from './sql-client.ts';
import { measureInsertCeiling, type InsertCeiling } from './insert-ceiling.ts';
import { createThinTable, loadThinTable } from './thin-table.ts';
import { WorkClock, type Work } from './work-clock.ts';

const RUNLEDGER = fileURLToPath(new URL('../bin/runledger', import.meta.url));
const SPEC = { name: 'imported', seed: 11 };

/** A command's work: runs/s by the wall clock (with process start-up) and CPU, and runs/s as it reports its own work. */
export type CommandWork = Work & { own: number };

export interface ImportResult {
  runs: number;
  importRate: CommandWork;
  seedRate: CommandWork;
  /** The import's own reading of the file with no store (parseAlone). */
  parse: Work;
  /** The thin table's batched INSERTs of the same runs, in the bench process. */
  thin: Work;
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

async function timedCommand(clock: WorkClock, args: string[], ownSeconds: RegExp, runs: number): Promise<CommandWork> {
  const { stdout, stderr } = await clock.time(() => runChild([RUNLEDGER, args]));
  const work = await clock.result(runs);
  const own = ownSeconds.exec(stdout + stderr)?.[1];
  return { ...work, own: own === undefined ? work.rate : runs / Number(own) };
}

/**
 * The import's own work on the file with no store behind it, on one core:
 * read it, split and parse its lines, check each (importItems), and render
 * each run's JSON, as both stores' imports do before they write.
 */
async function parseAlone(file: string, runs: number): Promise<Work> {
  const clock = await WorkClock.start();
  // Summed so that no rendering can be optimised away, and checked so that an unreadable file cannot pass for a fast one.
  let bytes = 0;
  await clock.time(async () => {
    for await (const item of importItems(createReadStream(file), LOAD_WORKSPACE_ID)) {
      if ('run' in item) bytes += renderRun(item.run).length;
    }
  });
  if (bytes === 0) throw new Error(`parsing ${file} gave no runs`);
  return await clock.result(runs);
}

/** Issue 5 target 6: `runledger import` of an NDJSON file of N runs and `runledger seed` of N runs, each into a fresh database. */
export async function measureImport(scratch: Scratch, options: BenchOptions): Promise<ImportResult> {
  const spec = { ...SPEC, runs: options.runs };
  const now = nowMicros();
  const file = scratch.file('runs.ndjson');
  await writeNdjson(file, workspaceRuns(spec, 'unused', now));
  const parse = await parseAlone(file, spec.runs);
  const startClock = () => WorkClock.start(scratch.checkpoint);
  const importDb = await scratch.database('import');
  const importRate = await timedCommand(await startClock(), ['import', file, '--workspace', spec.name, '--db', importDb], /in ([\d.]+) s/, spec.runs);
  const seedArgs = ['seed', '--workspace', spec.name, '--runs', String(spec.runs), '--days', String(DAYS), '--seed', String(spec.seed)];
  const seedDb = await scratch.database('seed');
  const seedRate = await timedCommand(await startClock(), [...seedArgs, '--db', seedDb], /in ([\d.]+) s/, spec.runs);
  const thinDb = await scratch.database('import_thin');
  const client = scratch.kind === 'sqlite' ? sqliteClient(thinDb, ['journal_mode = WAL', 'synchronous = FULL']) : postgresClient(thinDb, 1);
  try {
    await createThinTable(client, scratch.kind);
    const clock = await startClock();
    await clock.time(() => loadThinTable(client, scratch.kind, workspaceRuns(spec, 'thin', now)));
    const thin = await clock.result(spec.runs);
    return { runs: spec.runs, importRate, seedRate, parse, thin, ceiling: await measureInsertCeiling(scratch, spec, now) };
  } finally {
    await client.close();
  }
}
