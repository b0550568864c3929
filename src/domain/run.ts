import { invalidTransition } from './errors.ts';
import { TERMINAL, TRANSITIONS, type Status } from './statuses.ts';
import type { CursorPosition } from './cursor.ts';
import { formatTimestamp, parseTimestamp, type Micros } from './timestamp.ts';

/** A run as the store keeps it: timestamps in microseconds. */
export interface Run {
  sessionId: string;
  workspaceId: string;
  workflowId: string;
  status: Status;
  createdAt: Micros;
  executionStart: Micros | null;
  executionEnd: Micros | null;
  dryRun: boolean;
  credentialId: string | null;
}

export interface RunEvent {
  event: Status;
  at: Micros;
}

const time = (micros: Micros | null): string => (micros === null ? 'null' : `"${formatTimestamp(micros)}"`);

/**
 * The run object of the list response, exactly as sent. Stores keep this text
 * beside each run (rendered once per write), so that a page of runs is a join
 * of stored fragments instead of a serialisation per request. The values
 * are UUIDs, status names and timestamps, none of which needs JSON escaping,
 * and all ASCII: a fragment's characters are its bytes.
 */
export function renderRun(run: Run): string {
  const json =
    `{"session_id":"${run.sessionId}","status":"${run.status}","created_at":${time(run.createdAt)},` +
    `"workflow_id":"${run.workflowId}","workspace_id":"${run.workspaceId}",` +
    `"execution_start":${time(run.executionStart)},"execution_end":${time(run.executionEnd)},"dry_run":${run.dryRun}}`;
  // V8 keeps a concatenation as a tree of its parts, about 1.5 KB for this
  // one, until something reads it; reading a character flattens it into one
  // 300-byte string. A bulk load holds 100,000 of them at a time.
  json.charCodeAt(0);
  return json;
}

const RUN_START = '{"session_id":"';
const CREATED_AT = '"created_at":"';
const UUID_LENGTH = 36;
const TIMESTAMP_LENGTH = '2025-01-01T00:00:00.000000Z'.length;

/**
 * The position of a page's last run, for the next cursor, read back from the
 * page itself: renderRun's layout is fixed and nothing in it is escaped or
 * nested, so the last `{"session_id":"` starts the last run. The database
 * then only joins stored fragments; deriving a sortable key for every row of
 * the page cost PostgreSQL about a fifth of the query.
 */
export function lastRunOf(page: string | Buffer): Required<CursorPosition> | undefined {
  const start = page.lastIndexOf(RUN_START);
  if (start < 0) return undefined;
  const run = typeof page === 'string' ? page.slice(start) : page.toString('latin1', start);
  const at = run.indexOf(CREATED_AT) + CREATED_AT.length;
  return {
    sessionId: run.slice(RUN_START.length, RUN_START.length + UUID_LENGTH),
    createdAt: parseTimestamp(run.slice(at, at + TIMESTAMP_LENGTH))!,
  };
}

/** GET /run/{session_id}: the run object plus its credential and its history, oldest first. */
export function renderRunDetail(run: Run, events: readonly RunEvent[]): string {
  const history = events.map((e) => `{"event":"${e.event}","timestamp":"${formatTimestamp(e.at)}"}`).join(',');
  return `${renderRun(run).slice(0, -1)},"credential_id":${JSON.stringify(run.credentialId)},"events":[${history}]}`;
}

/**
 * Applies an event to a run (contract section 7). Returns null for the same
 * status again, a no-op since events are delivered more than once.
 */
export function applyEvent(run: Run, event: Status, at: Micros): Run | null {
  if (event === run.status) return null;
  if (!TRANSITIONS[run.status].includes(event)) {
    throw invalidTransition(run.status, event);
  }
  return {
    ...run,
    status: event,
    executionStart: run.executionStart ?? (event === 'execution.start' ? at : null),
    executionEnd: TERMINAL.has(event) ? at : null,
  };
}

/** The history an imported run is given, since an import carries only its current state. */
export function importedHistory(run: Run): RunEvent[] {
  const events: RunEvent[] = [{ event: 'execution.queued', at: run.createdAt }];
  if (run.executionStart !== null) events.push({ event: 'execution.start', at: run.executionStart });
  const settled = events[events.length - 1].event === run.status;
  if (!settled) events.push({ event: run.status, at: run.executionEnd ?? run.executionStart ?? run.createdAt });
  return events;
}
