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
import type { RunLister } from './list-runs.ts';
import type { RunRow, Statements } from './statements.ts';
import type { WriteBatcher } from './write-batcher.ts';

const IMPORT_BATCH = 5000;
const IDEMPOTENCY_WINDOW = MICROS_PER_DAY;

const toRun = (row: RunRow): Run => ({
  sessionId: row.session_id,
  workspaceId: row.workspace_id,
  workflowId: row.workflow_id,
  status: row.status as Status,
  createdAt: row.created_at,
  executionStart: row.execution_start,
  executionEnd: row.execution_end,
  dryRun: row.dry_run === 1,
  credentialId: row.credential_id,
});

const toRow = (run: Run) => ({ ...run, dryRun: run.dryRun ? 1 : 0, json: renderRun(run) });

/** The runs of one workspace in a SQLite database; see WorkspaceRuns. */
export class SqliteWorkspaceRuns implements WorkspaceRuns {
  constructor(
    readonly workspaceId: string,
    private readonly db: Database.Database,
    private readonly sql: Statements,
    private readonly lister: RunLister,
    private readonly writes: WriteBatcher,
  ) {}

  async listRuns(query: ListQuery): Promise<RunPage> {
    return this.lister.list(this.workspaceId, query);
  }

  async getRun(sessionId: string): Promise<RunDetail | null> {
    const row = this.sql.runInWorkspace.get(sessionId, this.workspaceId) as RunRow | undefined;
    if (row === undefined) return null;
    const events = this.sql.events.all(sessionId) as Array<{ event: Status; at: Micros }>;
    return { run: toRun(row), events };
  }

  createRun(input: NewRun, idempotency?: Idempotency): Promise<CreatedRun> {
    return this.writes.run(() => {
      const now = nowMicros();
      if (idempotency !== undefined) {
        const seen = this.sql.idempotency.get(this.workspaceId, idempotency.key) as
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
      const row = toRow(run);
      this.sql.insertRun.run(row);
      this.sql.insertEvent.run(run.sessionId, 1, run.status, run.createdAt);
      if (input.inputs !== null) this.sql.insertInputs.run(run.sessionId, input.inputs);
      if (idempotency !== undefined) {
        this.sql.saveIdempotency.run(this.workspaceId, idempotency.key, idempotency.bodyHash, row.json, now);
      }
      return { body: row.json, replayed: false };
    });
  }

  /** The next free microsecond of this workspace: never before the last one given, never one an imported run holds. */
  private nextCreatedAt(now: Micros): Micros {
    let at = this.sql.bumpClock.get(now, this.workspaceId) as Micros;
    while (this.sql.runAt.get(this.workspaceId, at) !== undefined) at = this.sql.bumpClock.get(at + 1, this.workspaceId) as Micros;
    return at;
  }

  recordEvent(sessionId: string, event: Status, at: Micros): Promise<string | null> {
    return this.writes.run(() => {
      const row = this.sql.runInWorkspace.get(sessionId, this.workspaceId) as RunRow | undefined;
      if (row === undefined) return null;
      const run = toRun(row);
      const next = applyEvent(run, event, at);
      if (next === null) return renderRun(run);
      const updated = toRow(next);
      this.sql.updateRun.run(updated);
      this.sql.insertEvent.run(sessionId, this.sql.nextSeq.get(sessionId), event, at);
      return updated.json;
    });
  }

  async importRuns(items: AsyncIterable<ImportItem> | Iterable<ImportItem>): Promise<ImportResult> {
    const tally = new ImportTally();
    let batch: ImportItem[] = [];
    const store = this.db.transaction((lines: ImportItem[]) => {
      for (const item of lines) {
        if ('error' in item) tally.reject(item.line, item.error);
        else this.importOne(item.line, item.run, tally);
      }
    });
    for await (const item of items) {
      batch.push(item);
      if (batch.length === IMPORT_BATCH) {
        store.immediate(batch);
        batch = [];
      }
    }
    store.immediate(batch);
    return tally.result();
  }

  private importOne(line: number, run: Run, tally: ImportTally): void {
    const owner = this.sql.runOwner.get(run.sessionId) as { workspace_id: string; created_at: number } | undefined;
    if (owner !== undefined && owner.workspace_id !== this.workspaceId) {
      tally.reject(line, `session_id ${run.sessionId} belongs to a run outside this workspace`);
      return;
    }
    if (owner !== undefined) {
      this.sql.deleteRun.run(this.workspaceId, owner.created_at, run.sessionId);
      this.sql.deleteEvents.run(run.sessionId);
    }
    this.sql.insertRun.run(toRow(run));
    importedHistory(run).forEach((e: RunEvent, i) => this.sql.insertEvent.run(run.sessionId, i + 1, e.event, e.at));
    if (owner === undefined) tally.inserted += 1;
    else tally.updated += 1;
  }
}
