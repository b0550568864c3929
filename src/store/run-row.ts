import type { Run } from '../domain/run.ts';
import type { Status } from '../domain/statuses.ts';
import type { Micros } from '../domain/timestamp.ts';

/** A workspace as a store knows it: the small integer that leads every key and index, and its UUID. */
export interface WorkspaceRef {
  num: number;
  id: string;
}

/** The columns of a run, in the order both stores read them back (a row is a RunRow). */
export const RUN_COLUMNS = 'session_id, workflow_id, status, created_at, execution_start, execution_end, dry_run, credential_id';

/** The columns of a run as a driver returns them; `Flag` is how it returns a boolean (SQLite has none). */
export interface RunRow<Flag = boolean> {
  session_id: string;
  workflow_id: string;
  status: string;
  created_at: number;
  execution_start: number | null;
  execution_end: number | null;
  dry_run: Flag;
  credential_id: string | null;
}

/** A run from its row; `decoded` holds what each store keeps its own way (SQLite's 0/1 flag, PostgreSQL's nul-escaped text). */
export const runOfRow = (row: RunRow<unknown>, workspaceId: string, decoded: Pick<Run, 'dryRun' | 'credentialId'>): Run => ({
  sessionId: row.session_id,
  workspaceId,
  workflowId: row.workflow_id,
  status: row.status as Status,
  createdAt: row.created_at,
  executionStart: row.execution_start,
  executionEnd: row.execution_end,
  ...decoded,
});
