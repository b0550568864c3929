import type Database from 'better-sqlite3';
import { renderRun, type Run } from '../../domain/run.ts';

/**
 * Runs on their way to the writer thread, one array per column, each run's
 * JSON already rendered. A message of arrays of strings and numbers costs a
 * fraction of the same runs as objects to copy between threads and to hold,
 * and rendering before the message leaves the writer (the bottleneck of a
 * bulk load) nothing but the inserts. Plain data, so that it crosses threads
 * as it is.
 */
export interface RunColumns {
  /** Where each run came from, for an import's rejections. */
  line: number[];
  sessionId: string[];
  workflowId: string[];
  status: string[];
  createdAt: number[];
  executionStart: Array<number | null>;
  executionEnd: Array<number | null>;
  dryRun: number[];
  credentialId: Array<string | null>;
  json: string[];
}

export const emptyColumns = (): RunColumns => ({
  line: [],
  sessionId: [],
  workflowId: [],
  status: [],
  createdAt: [],
  executionStart: [],
  executionEnd: [],
  dryRun: [],
  credentialId: [],
  json: [],
});

export function addRun(columns: RunColumns, run: Run, line: number): void {
  columns.line.push(line);
  columns.sessionId.push(run.sessionId);
  columns.workflowId.push(run.workflowId);
  columns.status.push(run.status);
  columns.createdAt.push(run.createdAt);
  columns.executionStart.push(run.executionStart);
  columns.executionEnd.push(run.executionEnd);
  columns.dryRun.push(run.dryRun ? 1 : 0);
  columns.credentialId.push(run.credentialId);
  columns.json.push(renderRun(run));
}

/** The columns of the given runs, numbered from 1. */
export function columnsOf(runs: readonly Run[]): RunColumns {
  const columns = emptyColumns();
  runs.forEach((run, i) => addRun(columns, run, i + 1));
  return columns;
}

/** The one place that knows the order of insertRun's values (statements.ts), for the writer and the bench alike. */
export const insertRun = (statement: Database.Statement, ws: number, c: RunColumns, i: number): Database.RunResult =>
  statement.run(ws, c.sessionId[i], c.workflowId[i], c.status[i], c.createdAt[i], c.executionStart[i], c.executionEnd[i], c.dryRun[i], c.credentialId[i], c.json[i]);
