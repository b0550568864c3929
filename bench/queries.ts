import { formatTimestamp, MICROS_PER_DAY, type Micros } from '../src/domain/timestamp.ts';
import type { NaiveFilter } from './naive-sql.ts';
import type { Profile } from './dataset.ts';

/** One GET /runs query of the benchmark, independent of which server answers it. */
export interface BenchQuery {
  id: string;
  label: string;
  /** Workspace name: 'big' for all but Q7. */
  workspace: string;
  start: Micros;
  end: Micros;
  statuses: string[];
  workflows: string[];
  credential?: string;
  /** A plain-timestamp cursor (the documented protocol): runs strictly before it. */
  cursor?: Micros;
  limit: number;
}

const ABSENT_WORKFLOW = '00000000-0000-4000-8000-000000000000';
const days = (n: number) => n * MICROS_PER_DAY;

/**
 * Issue 2's and issue 5's queries. Windows are fixed once, from `now`, so that
 * every server is asked exactly the same thing for the whole run.
 */
export function benchQueries(profile: Profile, now: Micros, smallWorkspace: string | undefined): BenchQuery[] {
  const base = { workspace: 'big', end: now, statuses: [], workflows: [] };
  const yearAgo = now - days(364);
  const queries: BenchQuery[] = [
    { ...base, id: 'Q1', label: 'last 24 h, limit 1000', start: now - days(1), limit: 1000 },
    { ...base, id: 'Q2', label: '7 days of execution.failed, limit 500', start: now - days(7), statuses: ['execution.failed'], limit: 500 },
    { ...base, id: 'Q3', label: 'one rare credential over 360 days, limit 500', start: now - days(360), credential: profile.rareCredential(), limit: 500 },
    {
      ...base,
      id: 'Q4',
      label: '2 statuses × 3 workflows over 90 days, limit 500',
      start: now - days(90),
      statuses: ['execution.failed', 'execution.stopped'],
      workflows: profile.busyWorkflows(3),
      limit: 500,
    },
    { ...base, id: 'Q5', label: 'deep page: cursor at day 300, limit 500', start: yearAgo, cursor: now - days(300), limit: 500 },
    { ...base, id: 'Q5p1', label: 'Q5 on page 1 (no cursor), limit 500', start: yearAgo, limit: 500 },
    { ...base, id: 'Q6', label: '30 days, limit 10000', start: now - days(30), limit: 10_000 },
    { ...base, id: 'Q8', label: 'an empty result (absent workflow, 24 h)', start: now - days(1), workflows: [ABSENT_WORKFLOW], limit: 1000 },
  ];
  if (smallWorkspace !== undefined) {
    queries.splice(7, 0, { ...base, id: 'Q7', label: 'a small workspace, everything, limit 1000', workspace: smallWorkspace, start: yearAgo, limit: 1000 });
  }
  return queries;
}

/** The query as runledger's GET /runs takes it (the key picks the workspace). */
export function runledgerPath(q: BenchQuery): string {
  const params = new URLSearchParams({ start_time: formatTimestamp(q.start), end_time: formatTimestamp(q.end), limit: String(q.limit) });
  if (q.statuses.length > 0) params.set('statuses', q.statuses.join(','));
  if (q.workflows.length > 0) params.set('workflow_ids', q.workflows.join(','));
  if (q.credential !== undefined) params.set('credential_id', q.credential);
  if (q.cursor !== undefined) params.set('cursor', formatTimestamp(q.cursor));
  return `/runs?${params}`;
}

/** The query as the thin server takes it: the workspace in the URL, lists as repeated parameters. */
export function thinPath(q: BenchQuery, workspaceId: string): string {
  const params = new URLSearchParams({ workspace_id: workspaceId, start_time: formatTimestamp(q.start), end_time: formatTimestamp(q.end), limit: String(q.limit) });
  q.statuses.forEach((s) => params.append('status', s));
  q.workflows.forEach((w) => params.append('workflow_id', w));
  if (q.credential !== undefined) params.set('credential_id', q.credential);
  if (q.cursor !== undefined) params.set('cursor', formatTimestamp(q.cursor));
  return `/runs?${params}`;
}

/** The query as the naive SQL takes it, with ISO-text times as the thin table stores them. */
export function naiveFilter(q: BenchQuery, workspaceId: string): NaiveFilter {
  return {
    workspaceId,
    start: formatTimestamp(q.start),
    end: formatTimestamp(q.end),
    cursor: q.cursor === undefined ? undefined : formatTimestamp(q.cursor),
    statuses: q.statuses,
    workflows: q.workflows,
    credential: q.credential,
    limit: q.limit,
  };
}
