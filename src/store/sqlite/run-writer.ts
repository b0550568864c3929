import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { foreignRun, idempotencyConflict } from '../../domain/errors.ts';
import { applyEvent, importedHistory, renderRun, type Run, type RunEvent } from '../../domain/run.ts';
import type { Status } from '../../domain/statuses.ts';
import { nowMicros, type Micros } from '../../domain/timestamp.ts';
import type { CreatedRun } from '../run-store.ts';
import { IDEMPOTENCY_WINDOW, queuedRun, type Idempotency, type NewRun } from '../../domain/new-run.ts';
import { runOfRow } from '../run-row.ts';
import { columnsOf, insertRun, type RunColumns } from './run-columns.ts';
import { toThreadError, type ThreadError } from '../spawn-thread.ts';
import { prepareStatements, type RunRow, type Statements, type WorkspaceRef } from './statements.ts';

/** A write, as a message: it may be carried out on the writer thread or in place. */
export type WriteOp =
  | { kind: 'create'; workspace: WorkspaceRef; run: NewRun; idempotency?: Idempotency }
  | { kind: 'event'; workspace: WorkspaceRef; sessionId: string; event: Status; at: Micros }
  | { kind: 'import'; workspace: WorkspaceRef; runs: RunColumns };

export interface ImportCounts {
  inserted: number;
  updated: number;
  rejected: Array<[line: number, message: string]>;
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: ThreadError };

function outcome(write: () => unknown): Outcome {
  try {
    return { ok: true, value: write() };
  } catch (error) {
    return { ok: false, error: toThreadError(error) };
  }
}

export const toRun = (row: RunRow, workspaceId: string): Run =>
  runOfRow(row, workspaceId, { dryRun: row.dry_run === 1, credentialId: row.credential_id });

/** Stored events; an imported run that has had none since keeps the history its fields imply. */
export function history(sql: Statements, workspace: number, run: Run): RunEvent[] {
  const stored = sql.events.all(workspace, run.createdAt, run.sessionId) as RunEvent[];
  return stored.length > 0 ? stored : importedHistory(run);
}

/**
 * Every write of the SQLite store. A batch of writes is one transaction (one
 * durable commit: group commit), each write in its own savepoint so that one
 * refused write does not undo the others.
 */
export class RunWriter {
  private readonly sql: Statements;

  constructor(private readonly db: Database.Database) {
    this.sql = prepareStatements(db);
  }

  /**
   * A write with nothing grouped with it needs no savepoint: its transaction
   * undoes it. An import batch usually travels alone, and a savepoint would
   * copy every page it touches into the statement journal.
   */
  runBatch(ops: WriteOp[]): Outcome[] {
    if (ops.length === 1) return [outcome(() => this.db.transaction(() => this.apply(ops[0])).immediate())];
    const outcomes: Outcome[] = [];
    this.db.transaction(() => {
      for (const op of ops) outcomes.push(outcome(() => this.db.transaction(() => this.apply(op))()));
    }).immediate();
    return outcomes;
  }

  private apply(op: WriteOp): unknown {
    if (op.kind === 'create') return this.create(op.workspace, op.run, op.idempotency);
    if (op.kind === 'event') return this.event(op.workspace, op.sessionId, op.event, op.at);
    return this.import(op.workspace.num, op.runs);
  }

  /** Stores run i of the columns; false when its session_id is already taken. */
  private insert(c: RunColumns, i: number, ws: number): boolean {
    return insertRun(this.sql.insertRun, ws, c, i).changes === 1;
  }

  private create(workspace: WorkspaceRef, input: NewRun, idempotency?: Idempotency): CreatedRun {
    const now = nowMicros();
    if (idempotency !== undefined) {
      const seen = this.sql.idempotency.get(workspace.num, idempotency.key) as
        | { body_hash: string; response: string; created_at: number }
        | undefined;
      if (seen !== undefined && seen.created_at > now - IDEMPOTENCY_WINDOW) {
        if (seen.body_hash !== idempotency.bodyHash) {
          throw idempotencyConflict();
        }
        return { body: seen.response, replayed: true };
      }
    }
    const run = queuedRun(randomUUID(), workspace.id, input, this.nextCreatedAt(workspace.num, now));
    const columns = columnsOf([run]);
    const json = columns.json[0];
    if (!this.insert(columns, 0, workspace.num)) throw new Error(`session_id ${run.sessionId} was drawn twice`);
    this.writeEvents(workspace.num, run, [{ event: run.status, at: run.createdAt }], 1);
    if (input.inputs !== null) this.sql.insertInputs.run(run.sessionId, input.inputs);
    if (idempotency !== undefined) this.sql.saveIdempotency.run(workspace.num, idempotency.key, idempotency.bodyHash, json, now);
    return { body: json, replayed: false };
  }

  /** The next free microsecond of a workspace: never before the last one given, never one an imported run holds. */
  private nextCreatedAt(ws: number, now: Micros): Micros {
    let at = this.sql.bumpClock.get(now, ws) as Micros;
    while (this.sql.runAt.get(ws, at) !== undefined) at = this.sql.bumpClock.get(at + 1, ws) as Micros;
    return at;
  }

  private event(workspace: WorkspaceRef, sessionId: string, event: Status, at: Micros): string | null {
    const found = this.sql.runInWorkspace.get(sessionId, workspace.num) as RunRow | undefined;
    if (found === undefined) return null;
    const run = toRun(found, workspace.id);
    const next = applyEvent(run, event, at);
    if (next === null) return renderRun(run);
    const json = renderRun(next);
    this.sql.updateRun.run({ ...next, ws: workspace.num, json });
    const events = [...history(this.sql, workspace.num, run), { event, at }];
    this.writeEvents(workspace.num, run, events, this.sql.nextSeq.get(workspace.num, run.createdAt, sessionId) as number);
    return json;
  }

  /** Writes events[from - 1 …] as seq from, from + 1, …: the ones not stored yet. */
  private writeEvents(ws: number, run: Run, events: RunEvent[], from: number): void {
    for (let seq = from; seq <= events.length; seq += 1) {
      this.sql.insertEvent.run(ws, run.createdAt, run.sessionId, seq, events[seq - 1].event, events[seq - 1].at);
    }
  }

  /**
   * Imported runs store no events: their history is implied by their fields
   * until their first event. A new session_id is one insert; a taken one
   * (replace, or another workspace's) is looked up only then.
   */
  private import(ws: number, runs: RunColumns): ImportCounts {
    const counts: ImportCounts = { inserted: 0, updated: 0, rejected: [] };
    for (let i = 0; i < runs.sessionId.length; i += 1) {
      if (this.insert(runs, i, ws)) {
        counts.inserted += 1;
      } else if (this.replace(runs, i, ws)) {
        counts.updated += 1;
      } else {
        counts.rejected.push([runs.line[i], foreignRun(runs.sessionId[i])]);
      }
    }
    return counts;
  }

  /** Replaces the workspace's run of run i's session_id; false when the session_id is another workspace's. */
  private replace(runs: RunColumns, i: number, ws: number): boolean {
    const sessionId = runs.sessionId[i];
    const owner = this.sql.runOwner.get(sessionId) as { workspace: number; created_at: number };
    if (owner.workspace !== ws) return false;
    this.sql.deleteRun.run(ws, owner.created_at, sessionId);
    this.sql.deleteEvents.run(ws, owner.created_at, sessionId);
    this.insert(runs, i, ws);
    return true;
  }
}
