/**
 * npm run bench -- [--db postgres://…] [--runs N] [--shape tenants|single] [--quick] [--only …]
 * Orchestrates the phases; see bench/README.md for what each measures.
 */
import { cpus } from 'node:os';
import { FLOOR_QUERIES, measureFloors } from './floors.ts';
import { measureHol } from './hol.ts';
import { measureImport } from './import.ts';
import { ensureWrk } from './load.ts';
import { measureMemory } from './memory.ts';
import { parseOptions } from './options.ts';
import { measurePairs } from './pairs.ts';
import { benchQueries } from './queries.ts';
import { measureReads, READ_CONNECTIONS, warmUp } from './reads.ts';
import { num, Report } from './report.ts';
import { Scratch } from './scratch.ts';
import { seedBoth } from './seed.ts';
import { startBare, startRunledger, startThin } from './servers.ts';
import { floorTable, holTable, importTable, memoryTable, pairTable, readTables, writeTables } from './tables.ts';
import { measureInProcessWrites, measureWrites } from './writes.ts';

const options = parseOptions(process.argv.slice(2));
const started = new Date();
const scratch = new Scratch(options.db);
const report = new Report();
const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s] ${line}\n`);
process.once('SIGINT', () => void scratch.dispose().finally(() => process.exit(130)));

report.line(`# runledger bench, ${started.toISOString()}`);
report.line(
  `\nStore: **${scratch.kind}**; ${num(options.runs)} runs (${options.shape === 'tenants' ? '1 workspace with 60 %, 49 small ones' : 'one workspace'}) over 365 days; ` +
    `${options.seconds} s per measurement, ${options.rounds} round(s); node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; ` +
    `servers pinned to core 0, wrk to core 1. Every comparison is side by side in this run.`,
);

ensureWrk(log);

try {
  const { phases } = options;
  if ((['reads', 'floors', 'hol', 'memory'] as const).some((phase) => phases.has(phase))) {
    log(`seeding ${num(options.runs)} runs into runledger (${scratch.kind}) and the thin table`);
    const seeded = await seedBoth(options, scratch, log);
    const queries = benchQueries(seeded.profile, seeded.now, seeded.small?.name);
    const byId = new Map(queries.map((q) => [q.id, q]));
    report.line(`\nSeeding through runledger's store took ${num(seeded.seedSeconds)} s; the thin table's load ${num(seeded.thinSeconds)} s. Q3's credential: ${byId.get('Q3')!.credential}; Q4's workflows: ${byId.get('Q4')!.workflows.join(', ')}.`);
    const targets = { runledger: await startRunledger(seeded.runledgerDb), thin: await startThin(seeded.thin), seeded };
    try {
      log('warming up both servers');
      await warmUp(targets, queries[0], options.seconds);
      if (phases.has('reads')) {
        log('reads');
        readTables(report, await measureReads(targets, queries, options, log), READ_CONNECTIONS);
        log('list filters and depth');
        const pair = (target: string, query: string, base: string, perRow: boolean, bound: number) =>
          ({ target, query: byId.get(query)!, base: byId.get(base)!, perRow, bound });
        pairTable(report, await measurePairs(targets, [pair('2 list filters', 'Q4', 'Q2', true, 1.5), pair('3 depth', 'Q5', 'Q5p1', false, 1.2)], options));
      }
      if (phases.has('floors')) {
        log('floors: thin, bare store, runledger');
        const bare = await startBare(seeded.runledgerDb);
        try {
          floorTable(report, await measureFloors(targets, bare, FLOOR_QUERIES.map((id) => byId.get(id)!), options));
        } finally {
          await bare.stop();
        }
      }
      if (phases.has('hol')) {
        log('head-of-line blocking');
        holTable(report, await measureHol(targets, byId.get('Q3')!, byId.get('Q6')!, options));
      }
    } finally {
      await Promise.all([targets.runledger.stop(), targets.thin.stop()]);
    }
    if (phases.has('memory')) {
      log('memory');
      memoryTable(report, await measureMemory(targets, byId.get('Q6')!, options));
    }
  }
  if (phases.has('writes')) {
    log('writes');
    const results = await measureWrites(scratch, options);
    writeTables(report, results, await measureInProcessWrites(scratch, options));
  }
  if (phases.has('import')) {
    log(`import and seed of ${num(options.runs)} runs`);
    importTable(report, await measureImport(scratch, options));
  }
} finally {
  await scratch.dispose();
}

process.stdout.write(report.text());
log(`written to ${report.save(started)}`);
