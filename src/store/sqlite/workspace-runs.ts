import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ApiError } from '../../domain/errors.ts';
import { ImportTally, type ImportItem } from '../../domain/import-line.ts';
import type { ListQuery } from '../../domain/list-query.ts';
import { applyEvent, importedHistory, renderRun, type Run, type RunEvent } from '../../domain/run.ts';
import type { ImportResult } from '../../domain/schemas.ts';
import type { Status } from '../../domain/statuses.ts';
import { MICROS_PER_DAY, nowMicros, type Micros } from '../../domain/timestamp.ts';
import type { CreatedRun, Idempotency, NewRun, RunDetail, RunPage, WorkspaceRuns } from '../run-store.ts';
import type { PageReader } from './sqlite-store.ts';
import type { RunRow, Statements, WorkspaceRef } from './statements.ts';
import type { WriteBatcher } from './write-batcher.ts';

/**
 * Imported runs store no events: their history is implied by their fields
 * (importedHistory) until their first event, when it is written out. That
 * keeps an import to one row per run.
 */
const IMPORT_BATCH = 20_000;
const IDEMPOTENCY_WINDOW = MICROS_PER_DAY;

/** The runs of one workspace in a SQLite database; see WorkspaceRuns. */
export class SqliteWorkspaceRuns implements WorkspaceRuns {
  readonly workspaceId: string;
  private readonly ws: number;

  constructor(
    workspace: WorkspaceRef,
    private readonly db: Database.Database,
    private readonly sql: Statements,
    private readonly readPage: PageReader,
    private readonly writes: WriteBatcher,
  ) {
    this.workspaceId = workspace.id;
    this.ws = workspace.num;
  }

  private toRun(row: RunRow): Run {
    return {
      sessionId: row.session_id,
      workspaceId: this.workspaceId,
      workflowId: row.workflow_id,
      status: row.status as Status,
      createdAt: row.created_at,
      executionStart: row.execution_start,
      executionEnd: row.execution_end,
      dryRun: row.dry_run === 1,
      credentialId: row.credential_id,
    };
  }

  private toRow(run: Run) {
    return { ...run, ws: this.ws, dryRun: run.dryRun ? 1 : 0, json: renderRun(run) };
  }

  private findRun(sessionId: string): Run | undefined {
    const row = this.sql.runInWorkspace.get(sessionId, this.ws) as RunRow | undefined;
    return row && this.toRun(row);
  }

  listRuns(query: ListQuery): Promise<RunPage> {
    return this.readPage(this.ws, query);
  }

  async getRun(sessionId: string): Promise<RunDetail | null> {
    const run = this.findRun(sessionId);
    if (run === undefined) return null;
    return { run, events: this.history(run) };
  }

  /** Stored events; an imported run that has had none since keeps its history implied by its fields. */
  private history(run: Run): RunEvent[] {
    const stored = this.sql.events.all(this.ws, run.createdAt, run.sessionId) as RunEvent[];
    return stored.length > 0 ? stored : importedHistory(run);
  }

  createRun(input: NewRun, idempotency?: Idempotency): Promise<CreatedRun> {
    return this.writes.run(() => {
      const now = nowMicros();
      if (idempotency !== undefined) {
        const seen = this.sql.idempotency.get(this.ws, idempotency.key) as
          | { body_hash: string; response: string; created_at: number }
          | undefined;
        if (seen !== undefined && seen.created_at > now - IDEMPOTENCY_WINDOW) {
          if (seen.body_hash !== idempotency.bodyHash) {
            throw new ApiError('idempotency_conflict', 'this Idempotency-Key was used with a different body in the last 24 hours');
          }
          return { body: seen.response, replayed: true };
        }
      }
      const run: Run = {
        sessionId: randomUUID(),
        workspaceId: this.workspaceId,
        workflowId: input.workflowId,
        status: 'execution.queued',
        createdAt: this.nextCreatedAt(now),
        executionStart: null,
        executionEnd: null,
        dryRun: input.dryRun,
        credentialId: input.credentialId,
      };
      const row = this.toRow(run);
      this.sql.insertRun.run(row);
      this.writeEvents(run, [{ event: run.status, at: run.createdAt }], 1);
      if (input.inputs !== null) this.sql.insertInputs.run(run.sessionId, input.inputs);
      if (idempotency !== undefined) this.sql.saveIdempotency.run(this.ws, idempotency.key, idempotency.bodyHash, row.json, now);
      return { body: row.json, replayed: false };
    });
  }

  /** The next free microsecond of this workspace: never before the last one given, never one an imported run holds. */
  private nextCreatedAt(now: Micros): Micros {
    let at = this.sql.bumpClock.get(now, this.ws) as Micros;
    while (this.sql.runAt.get(this.ws, at) !== undefined) at = this.sql.bumpClock.get(at + 1, this.ws) as Micros;
    return at;
  }

  recordEvent(sessionId: string, event: Status, at: Micros): Promise<string | null> {
    return this.writes.run(() => {
      const run = this.findRun(sessionId);
      if (run === undefined) return null;
      const next = applyEvent(run, event, at);
      if (next === null) return renderRun(run);
      const row = this.toRow(next);
      this.sql.updateRun.run(row);
      const events = [...this.history(run), { event, at }];
      this.writeEvents(run, events, this.sql.nextSeq.get(this.ws, run.createdAt, sessionId) as number);
      return row.json;
    });
  }

  /**
   * Stores an import in large transactions. All but the last are committed
   * without waiting for the disk (synchronous=NORMAL); the last commit syncs
   * the write-ahead log, which makes every earlier one durable with it, so
   * the answer still comes only after the whole import is on disk.
   */
  async importRuns(items: AsyncIterable<ImportItem> | Iterable<ImportItem>): Promise<ImportResult> {
    const tally = new ImportTally();
    const store = this.db.transaction((batch: ImportItem[]) => {
      for (const item of batch) {
        if ('error' in item) tally.reject(item.line, item.error);
        else this.importOne(item.line, item.run, tally);
      }
    });
    const commit = (batch: ImportItem[], durable: boolean) => {
      this.db.pragma(`synchronous = ${durable ? 'FULL' : 'NORMAL'}`);
      try {
        store.immediate(batch);
      } finally {
        this.db.pragma('synchronous = FULL');
      }
    };
    let batch: ImportItem[] = [];
    for await (const item of items) {
      batch.push(item);
      if (batch.length === IMPORT_BATCH) {
        commit(batch, false);
        batch = [];
      }
    }
    commit(batch, true);
    return tally.result();
  }

  /** Writes events[from - 1 …] as seq from, from + 1, …: the ones not stored yet. */
  private writeEvents(run: Run, events: RunEvent[], from: number): void {
    for (let seq = from; seq <= events.length; seq += 1) {
      this.sql.insertEvent.run(this.ws, run.createdAt, run.sessionId, seq, events[seq - 1].event, events[seq - 1].at);
    }
  }

  private importOne(line: number, run: Run, tally: ImportTally): void {
    const owner = this.sql.runOwner.get(run.sessionId) as { workspace: number; created_at: number } | undefined;
    if (owner !== undefined && owner.workspace !== this.ws) {
      tally.reject(line, `session_id ${run.sessionId} belongs to a run outside this workspace`);
      return;
    }
    if (owner !== undefined) {
      this.sql.deleteRun.run(this.ws, owner.created_at, run.sessionId);
      this.sql.deleteEvents.run(this.ws, owner.created_at, run.sessionId);
    }
    this.sql.insertRun.run(this.toRow(run));
    if (owner === undefined) tally.inserted += 1;
    else tally.updated += 1;
  }
}
