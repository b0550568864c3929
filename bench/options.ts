import { parseArgs } from 'node:util';
import { isPostgresUrl } from '../src/store/open-store.ts';

export const PHASES = ['reads', 'floors', 'hol', 'memory', 'writes', 'import'] as const;
export type Phase = (typeof PHASES)[number];

/** tenants: issue 5's shape, one workspace with 60 % of the runs and 49 small ones; single: issue 2's, one workspace. */
export type Shape = 'tenants' | 'single';

export interface BenchOptions {
  /** A postgres:// server URL to bench on (the bench makes and drops its own databases there); SQLite when absent. */
  db?: string;
  runs: number;
  shape: Shape;
  quick: boolean;
  phases: ReadonlySet<Phase>;
  /** Seconds of load per measurement. */
  seconds: number;
  /** Passes over the read queries; each pass alternates which server goes first. */
  rounds: number;
}

const USAGE = `npm run bench -- [--db postgres://…] [--runs N] [--shape tenants|single] [--quick] [--only reads,floors,hol,memory,writes,import] [--seconds S] [--rounds R]`;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(text)}\n${USAGE}`);
  return Number(text);
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      runs: { type: 'string' },
      shape: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
    },
  });
  if (values.db !== undefined && !isPostgresUrl(values.db)) throw new Error(`--db takes a postgres:// URL (SQLite is the default)\n${USAGE}`);
  const shape = values.shape ?? 'tenants';
  if (shape !== 'tenants' && shape !== 'single') throw new Error(`--shape must be tenants or single\n${USAGE}`);
  const only = values.only?.split(',') ?? [...PHASES];
  const unknown = only.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`--only takes ${PHASES.join(', ')}; got ${unknown.join(', ')}\n${USAGE}`);
  const quick = values.quick ?? false;
  return {
    db: values.db,
    runs: Math.floor(positive('runs', values.runs, quick ? 50_000 : 1_000_000)),
    shape,
    quick,
    phases: new Set(only as Phase[]),
    seconds: positive('seconds', values.seconds, quick ? 2 : 5),
    rounds: Math.floor(positive('rounds', values.rounds, quick ? 1 : 2)),
  };
}
