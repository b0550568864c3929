import { cpus } from 'node:os';
import type { FloorLoad, FloorResult, FloorServer } from './floors.ts';
import type { HolResult, HolRound } from './hol.ts';
import type { ImportResult } from './import.ts';
import type { MemoryResult } from './memory.ts';
import { pairRatios, type PairResult } from './pairs.ts';
import type { ReadResult } from './reads.ts';
import { num, ratio, type Report } from './report.ts';
import type { Work } from './work-clock.ts';
import type { InProcessWrites, WriteResult } from './writes.ts';

/** Target 6's rate, which a run's CPU on every core must fit. */
const BULK_TARGET = 200_000;

const checked = (ok: boolean) => (ok ? 'ok' : '**MISMATCH**');

export function readTables(report: Report, results: ReadResult[], connections: number): void {
  report.heading(`Reads: runledger vs the thin server (issue 5), ${connections} connections`);
  report.table(
    ['query', 'rows', 'bytes runledger', 'bytes thin', 'req/s runledger', 'req/s thin', 'runledger/thin', 'by round', 'p50 ms runledger', 'p50 ms thin', 'p99 ms runledger', 'p99 ms thin', 'rows equal'],
    results.map((r) => [
      `${r.query.id} ${r.query.label}`,
      String(r.runledger.rows),
      num(r.runledger.bytes),
      num(r.thin.bytes),
      num(r.runledger.rps),
      num(r.thin.rps),
      ratio(r.runledger.rps, r.thin.rps),
      r.rounds.map((round) => ratio(round.runledger, round.thin)).join(', '),
      num(r.runledger.p50),
      num(r.thin.p50),
      num(r.runledger.p99),
      num(r.thin.p99),
      checked(r.runledger.rows === r.thin.rows && r.thin.rows === r.raw.rows),
    ]),
  );
  cpuTable(report, results);
  report.heading('Reads: runledger over HTTP vs the raw statement in-process (issue 2)');
  report.table(
    ['query', 'req/s runledger (HTTP, 16 conn.)', 'ops/s raw prepared statement + JSON.stringify', 'runledger/raw'],
    results.map((r) => [`${r.query.id}`, num(r.runledger.rps), num(r.raw.opsPerSecond), ratio(r.runledger.rps, r.raw.opsPerSecond)]),
  );
  const failures = results.filter((r) => r.runledger.failures + r.thin.failures > 0 || r.runledger.status !== 200 || r.thin.status !== 200);
  for (const r of failures) report.line(`\n**${r.query.id}: non-2xx answers or errors** (runledger ${r.runledger.failures}, status ${r.runledger.status}; thin ${r.thin.failures}, status ${r.thin.status})`);
}

/**
 * Where each request's CPU goes, server process and PostgreSQL backends
 * apart. On this machine the servers, PostgreSQL and wrk share two
 * cores, so req/s follows the whole CPU a request costs, not only the server's.
 */
function cpuTable(report: Report, results: ReadResult[]): void {
  const onPostgres = results.every((r) => r.runledger.cpuPerRequest.postgres !== undefined && r.thin.cpuPerRequest.postgres !== undefined);
  const total = (r: ReadResult['runledger']) => r.cpuPerRequest.server + (r.cpuPerRequest.postgres ?? 0);
  report.heading('Reads: CPU per request (µs), server process' + (onPostgres ? ' and PostgreSQL backends' : ''));
  report.table(
    ['query', 'server runledger', 'server thin', ...(onPostgres ? ['PostgreSQL runledger', 'PostgreSQL thin', 'total runledger', 'total thin'] : []), 'thin/runledger'],
    results.map((r) => [
      r.query.id,
      num(r.runledger.cpuPerRequest.server),
      num(r.thin.cpuPerRequest.server),
      ...(onPostgres ? [num(r.runledger.cpuPerRequest.postgres!), num(r.thin.cpuPerRequest.postgres!), num(total(r.runledger)), num(total(r.thin))] : []),
      ratio(total(r.thin), total(r.runledger)),
    ]),
  );
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Targets 2 and 3: medians of the rounds' ratios (pairs.ts). */
export function pairTable(report: Report, results: PairResult[]): void {
  report.heading('List filters and depth (issue 5 targets 2 and 3): runledger against itself, loaded in turn, medians of the rounds');
  const verdict = (value: number, bound: number) => `${num(value)}× ${value <= bound ? '(holds)' : '(**missed**)'}`;
  report.table(
    ['target', 'query / base', 'runs returned', 'cost ratio', 'by round', 'p50 ratio', 'by round', 'at most'],
    results.map((pair) => {
      const rounds = pair.rounds.map((round) => pairRatios(pair, round));
      return [
        pair.target,
        `${pair.query.id} / ${pair.base.id}`,
        `${pair.rows.query} / ${pair.rows.base}`,
        verdict(median(rounds.map((r) => r.cost)), pair.bound),
        rounds.map((r) => `${num(r.cost)}×`).join(', '),
        `${num(median(rounds.map((r) => r.p50)))}×`,
        rounds.map((r) => `${num(r.p50)}×`).join(', '),
        `${num(pair.bound)}×`,
      ];
    }),
  );
  report.line(
    "\nCost is the inverse of req/s at 16 connections, and decides the target; for target 2 both ratios are per run returned. " +
      "p50 is shown for reference only.",
  );
}

/** The floors phase (floors.ts): what the store reaches bare, and what the guarantees around it cost; medians of the rounds. */
export function floorTable(report: Report, results: FloorResult[]): void {
  report.heading("Floors: the thin server, runledger's store bare behind node:http, and runledger, loaded in turn, medians of the rounds");
  const total = (load: FloorLoad) => load.server + (load.postgres ?? 0);
  report.table(
    ['query', 'rows', 'req/s thin', 'bare', 'runledger', 'bare/thin', 'by round', 'runledger/thin', 'by round', 'CPU µs/request thin', 'bare', 'runledger', 'guarantees µs/request', 'same page'],
    results.map(({ query, probes, rounds }) => {
      const of = (pick: (round: (typeof rounds)[number]) => number) => median(rounds.map(pick));
      const cpu = (name: FloorServer) => {
        const [server, postgres] = [of((r) => r[name].server), rounds[0][name].postgres === undefined ? undefined : of((r) => r[name].postgres!)];
        return postgres === undefined ? num(server) : `${num(server)} + ${num(postgres)}`;
      };
      const ratios = (name: FloorServer) => rounds.map((r) => r[name].rps / r.thin.rps);
      return [
        `${query.id} ${query.label}`,
        String(probes.runledger.rows),
        num(of((r) => r.thin.rps)),
        num(of((r) => r.bare.rps)),
        num(of((r) => r.runledger.rps)),
        `${num(median(ratios('bare')))}×`,
        ratios('bare').map((x) => `${num(x)}×`).join(', '),
        `${num(median(ratios('runledger')))}×`,
        ratios('runledger').map((x) => `${num(x)}×`).join(', '),
        cpu('thin'),
        cpu('bare'),
        cpu('runledger'),
        num(of((r) => total(r.runledger) - total(r.bare))),
        checked(probes.bare.bytes === probes.runledger.bytes && probes.thin.rows === probes.runledger.rows && Object.values(probes).every((p) => p.status === 200)),
      ];
    }),
  );
  report.line(
    "\nbare is runledger's own store and statement, answering the same bytes, with no key, no validation, no rate limit and no Fastify. " +
      'bare/thin is the most the store can give on that query; runledger minus bare is what the guarantees cost. CPU is server (+ PostgreSQL backends).',
  );
}

/** Each side of a server's rounds as its median: see MIN_ROUNDS in hol.ts. */
export function holTable(report: Report, results: HolResult[]): void {
  report.heading('Head-of-line blocking (issue 5 target 4): Q3 alone vs beside Q6, medians of the rounds');
  report.table(
    ['server', 'Q3 p99 ms alone', 'Q3 p99 ms beside Q6', 'beside/alone', 'by round', 'Q3 req/s alone', 'Q3 req/s beside', 'Q6 req/s meanwhile', 'failures'],
    results.map(({ server, rounds }) => {
      const finished = rounds.filter((r) => r.beside.requests > 0);
      const of = (pick: (r: HolRound) => number, from = rounds) => median(from.map(pick));
      return [
        server,
        num(of((r) => r.alone.p99)),
        finished.length === 0 ? '–' : num(of((r) => r.beside.p99, finished)),
        finished.length === 0 ? 'no Q3 finished' : ratio(of((r) => r.beside.p99, finished), of((r) => r.alone.p99)),
        rounds.map((r) => (r.beside.requests === 0 ? 'none finished' : ratio(r.beside.p99, r.alone.p99))).join(', '),
        num(of((r) => r.alone.rps)),
        num(of((r) => r.beside.rps)),
        num(of((r) => r.big.rps)),
        String(rounds.reduce((n, r) => n + r.alone.failures + r.beside.failures + r.big.failures, 0)),
      ];
    }),
  );
}

export function memoryTable(report: Report, results: MemoryResult[]): void {
  report.heading('Memory (issue 5 target 5): 64 connections asking for 10,000-row pages (Q6)');
  report.table(
    ['server', 'RSS idle MB', 'peak RSS MB', 'peak anonymous RSS MB', 'req/s', 'failures'],
    results.map((r) => [r.server, num(r.idleMb), num(r.peakMb), num(r.peakAnonMb), num(r.load.rps), String(r.load.failures)]),
  );
  const [a, b] = results;
  if (a && b) report.line(`\nPeak RSS runledger/thin: ${ratio(a.peakMb, b.peakMb)} (target: runledger under 300 MB).`);
}

export function writeTables(report: Report, results: WriteResult[], inProcess: InProcessWrites | undefined): void {
  report.heading('Writes (issue 3): POST /run, durable commits');
  report.table(
    ['connections', 'req/s group commit', 'req/s one commit per request', 'group/one-by-one', 'p99 ms group', 'p99 ms one-by-one', 'group/floor', 'group/ceiling', 'failures'],
    results.map((r) => [
      String(r.connections),
      num(r.groupCommit.rps),
      num(r.oneByOne.rps),
      ratio(r.groupCommit.rps, r.oneByOne.rps),
      num(r.groupCommit.p99),
      num(r.oneByOne.p99),
      inProcess ? ratio(r.groupCommit.rps, inProcess.floor) : '–',
      inProcess ? ratio(r.groupCommit.rps, inProcess.ceiling) : '–',
      String(r.groupCommit.failures + r.oneByOne.failures),
    ]),
  );
  if (inProcess) {
    report.line(`\nIn-process on a table of runs with four indexes: floor (one durable transaction per row) ${num(inProcess.floor)} rows/s; ceiling (all rows in one transaction, 500 to a statement) ${num(inProcess.ceiling)} rows/s.`);
  }
}

export function importTable(report: Report, r: ImportResult): void {
  report.heading(`Bulk load (issue 5 target 6): ${num(r.runs)} runs`);
  const micros = (w: Work) => num(w.cpuMicros);
  const row = (label: string, w: Work, againstThin = true): string[] => [label, num(w.rate), '–', againstThin ? ratio(w.rate, r.thin.rate) : '–', micros(w)];
  report.table(
    ['command', 'runs/s (own timing)', 'runs/s (wall, with start-up)', 'vs thin batched INSERTs', 'CPU µs a run (all processes)'],
    [
      ['runledger import FILE', num(r.importRate.own), num(r.importRate.rate), ratio(r.importRate.own, r.thin.rate), micros(r.importRate)],
      ['runledger seed', num(r.seedRate.own), num(r.seedRate.rate), ratio(r.seedRate.own, r.thin.rate), micros(r.seedRate)],
      row('thin table, INSERTs of 500 rows (in-process)', r.thin),
      row("the import's parsing alone: lines read, parsed, checked and rendered, no store (in-process)", r.parse, false),
      row("runledger's schema, its own write alone, rows made beforehand (in-process)", r.ceiling.everyIndex),
      row("the same without session_id's installation-wide lookup (its keys come in random order)", r.ceiling.noSessionLookup),
      row('the same without the secondary indexes (primary keys kept)', r.ceiling.tableOnly),
      row('the same, then the secondary indexes built after the load (CREATE INDEX)', r.ceiling.indexesAfter),
    ],
  );
  // Overlapping parts of the work cannot make their CPU less, so a sum of parts measured alone bounds the rate of any import doing them.
  const cores = cpus().length;
  const atMost = (micros: number) => `${num(micros)} µs a run, at most ${num((cores * 1e6) / micros)} runs/s`;
  const bound = (store: Work) => `${atMost(store.cpuMicros)} by itself; with the parsing, ${atMost(r.parse.cpuMicros + store.cpuMicros)}`;
  const cheapest = [r.ceiling.everyIndex, r.ceiling.indexesAfter].reduce((a, b) => (b.cpuMicros < a.cpuMicros ? b : a));
  report.line(
    `\nCPU budget: at ${num(BULK_TARGET)} runs/s, ${cores} cores give a run ${num((cores * 1e6) / BULK_TARGET)} µs of CPU, every core busy all the time. ` +
      `The store's cheapest write with every index (${cheapest === r.ceiling.everyIndex ? 'as runs come' : 'the bare tables, then CREATE INDEX'}) takes ${bound(cheapest)}. ` +
      `Without the secondary indexes: ${bound(r.ceiling.tableOnly)}.`,
  );
}
