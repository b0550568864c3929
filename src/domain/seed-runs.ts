import type { Run } from './run.ts';
import type { Status } from './statuses.ts';
import { MICROS_PER_DAY, MICROS_PER_SECOND, type Micros } from './timestamp.ts';

/** sfc32: a small, fast PRNG, so that a seed always gives the same runs. */
function random(seed: number): () => number {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i += 1) next();
  return next;
}

const hex8 = (rand: () => number): string => Math.floor(rand() * 0x1_0000_0000).toString(16).padStart(8, '0');

/** A version-4-shaped UUID from the seeded generator. */
function uuid(rand: () => number): string {
  const [a, b, c, d] = [hex8(rand), hex8(rand), hex8(rand), hex8(rand)];
  const variant = ((parseInt(c[0], 16) & 3) | 8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

/** Settled outcomes of older runs, by weight; runs of the last hour may still be in flight. */
const SETTLED: ReadonlyArray<[Status, number]> = [
  ['execution.success', 0.8],
  ['execution.failed', 0.14],
  ['execution.stopped', 0.06],
];
const IN_FLIGHT: readonly Status[] = ['execution.queued', 'execution.start', 'execution.paused', 'execution.requeued'];

export interface SeedOptions {
  workspaceId: string;
  runs: number;
  days: number;
  seed: number;
  now: Micros;
}

/**
 * Realistic runs, oldest first: 20 workflows of uneven popularity, 500
 * credentials from busy to rare (10 % of runs use none), a few percent
 * failed, the last hour partly still running.
 */
export function* seedRuns(options: SeedOptions): Generator<Run> {
  const rand = random(options.seed);
  const workflows = Array.from({ length: 20 }, () => uuid(rand));
  const credentials = Array.from({ length: 500 }, (_, i) => `cred-${String(i).padStart(4, '0')}`);
  const span = options.days * MICROS_PER_DAY;
  const step = span / Math.max(1, options.runs);
  const from = options.now - span;
  for (let i = 0; i < options.runs; i += 1) {
    const createdAt: Micros = Math.floor(from + i * step + rand() * step);
    const recent = options.now - createdAt < 3600 * MICROS_PER_SECOND;
    let status: Status = 'execution.success';
    if (recent && rand() < 0.3) status = IN_FLIGHT[Math.floor(rand() * IN_FLIGHT.length)];
    else {
      let r = rand();
      for (const [s, weight] of SETTLED) if ((r -= weight) < 0) { status = s; break; }
    }
    const started = status !== 'execution.queued';
    const executionStart = started ? createdAt + Math.floor(rand() * 30 * MICROS_PER_SECOND) : null;
    const terminal = status === 'execution.success' || status === 'execution.failed' || status === 'execution.stopped';
    yield {
      sessionId: uuid(rand),
      workspaceId: options.workspaceId,
      workflowId: workflows[Math.floor(rand() ** 2 * workflows.length)],
      status,
      createdAt,
      executionStart,
      executionEnd: terminal ? executionStart! + Math.floor((10 + rand() * 600) * MICROS_PER_SECOND) : null,
      dryRun: rand() < 0.05,
      credentialId: rand() < 0.1 ? null : credentials[Math.floor(rand() ** 3 * credentials.length)],
    };
  }
}
