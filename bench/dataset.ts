import type { Run } from '../src/domain/run.ts';
import { seedRuns } from '../src/domain/seed-runs.ts';
import type { Micros } from '../src/domain/timestamp.ts';
import type { Shape } from './options.ts';

/** Runs span the whole year GET /runs can reach, so that Q3 (360 days) and Q5 (day 300) find data. */
export const DAYS = 365;
const BIG_SHARE = 0.6;
const SMALL_WORKSPACES = 49;

export interface WorkspaceSpec {
  name: string;
  runs: number;
  seed: number;
}

/** The workspaces of a data shape; the first one is the big one every query but Q7 reads. */
export function workspaceSpecs(runs: number, shape: Shape): WorkspaceSpec[] {
  if (shape === 'single') return [{ name: 'big', runs, seed: 1 }];
  const big = Math.round(runs * BIG_SHARE);
  const small = Array.from({ length: SMALL_WORKSPACES }, (_, i) => ({
    name: `small-${String(i + 1).padStart(2, '0')}`,
    runs: Math.floor((runs - big) / SMALL_WORKSPACES) + (i < (runs - big) % SMALL_WORKSPACES ? 1 : 0),
    seed: i + 2,
  }));
  return [{ name: 'big', runs: big, seed: 1 }, ...small];
}

/** The workspace id of loads whose workspace nothing reads back (the bulk phase's). */
export const LOAD_WORKSPACE_ID = '00000000-0000-4000-8000-000000000000';

/** The runs of one workspace: the project's own seeding, so the same spec and clock always give the same runs. */
export const workspaceRuns = (spec: WorkspaceSpec, workspaceId: string, now: Micros): Generator<Run> =>
  seedRuns({ workspaceId, runs: spec.runs, days: DAYS, seed: spec.seed, now });

/** What the queries need to know about the big workspace's data: how often each credential and workflow occurs. */
export class Profile {
  readonly credentials = new Map<string, number>();
  readonly workflows = new Map<string, number>();

  *tap(runs: Iterable<Run>): Generator<Run> {
    for (const run of runs) {
      if (run.credentialId !== null) this.credentials.set(run.credentialId, (this.credentials.get(run.credentialId) ?? 0) + 1);
      this.workflows.set(run.workflowId, (this.workflows.get(run.workflowId) ?? 0) + 1);
      yield run;
    }
  }

  /** The least used credential that is used at all. */
  rareCredential(): string {
    return [...this.credentials].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0][0];
  }

  /** The n most used workflows. */
  busyWorkflows(n: number): string[] {
    return [...this.workflows].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([id]) => id);
  }
}
