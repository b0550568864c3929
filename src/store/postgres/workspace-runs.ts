import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { idempotencyConflict } from '../../domain/errors.ts';
import type { ImportItem } from '../../domain/import-line.ts';
import type { ListQuery } from '../../domain/list-query.ts';
import { applyEvent, importedHistory, renderRun, type Run, type RunEvent } from '../../domain/run.ts';
import type { ImportResult } from '../../domain/schemas.ts';
import type { Status } from '../../domain/statuses.ts';
import { nowMicros, type Micros } from '../../domain/timestamp.ts';
import { LARGE_PAGE, type CreatedRun, type RunDetail, type RunPage, type WorkspaceRuns } from '../run-store.ts';
import { IDEMPOTENCY_WINDOW, queuedRun, type Idempotency, type NewRun } from '../../domain/new-run.ts';
import type { ReaderPool } from '../reader-pool.ts';
import { runOfRow } from '../run-row.ts';
import { importRuns } from './import-runs.ts';
import { listRuns } from './list-runs.ts';
import type { ReadPipeline } from './read-pipeline.ts';
import { fromDbText, toDbTextOrNull } from './nul-safe-text.ts';
import { inTransaction } from './in-transaction.ts';
import { monthOf, type RunPartitions } from './partitions.ts';
import { SQL, type RunRow, type WorkspaceRef } from './statements.ts';

/** "relation does not exist". */
const UNDEFINED_TABLE = '42P01';

/** Stored history: [[status, micros], …], or null while it is the one the run's fields imply. */
const historyOf = (run: Run, events: string | null): RunEvent[] =>
  events === null ? importedHistory(run) : (JSON.parse(events) as Array<[Status, Micros]>).map(([event, at]) => ({ event, at }));

/** The runs of one workspace in a PostgreSQL database; see WorkspaceRuns. */
export class PostgresWorkspaceRuns implements WorkspaceRuns {
  readonly workspaceId: string;
  private readonly ws: number;

  constructor(
    workspace: WorkspaceRef,
    private readonly pool: pg.Pool,
    private readonly reads: ReadPipeline,
    private readonly largePages: ReaderPool,
    private readonly partitions: RunPartitions,
  ) {
    this.workspaceId = workspace.id;
    this.ws = workspace.num;
  }

  private toRun(row: RunRow): Run {
    return runOfRow(row, this.workspaceId, { dryRun: row.dry_run, credentialId: row.credential_id === null ? null : fromDbText(row.credential_id) });
  }

  async listRuns(query: ListQuery): Promise<RunPage> {
    if (query.limit > LARGE_PAGE) return this.largePages.list(this.ws, query);
    const table = this.partitions.holding(query.start, query.end, nowMicros());
    try {
      return await listRuns(this.reads, this.ws, query, table);
    } catch (error) {
      // The partition was dropped by hand since this process found it: read through runs, and look months up again.
      if (table === 'runs' || (error as { code?: string }).code !== UNDEFINED_TABLE) throw error;
      this.partitions.forget();
      return listRuns(this.reads, this.ws, query);
    }
  }

  async getRun(sessionId: string): Promise<RunDetail | null> {
    const { rows } = await this.pool.query<RunRow>({ ...SQL.runInWorkspace, values: [this.ws, sessionId] });
    if (rows.length === 0) return null;
    const run = this.toRun(rows[0]);
    return { run, events: historyOf(run, rows[0].events) };
  }

  async createRun(input: NewRun, idempotency?: Idempotency): Promise<CreatedRun> {
    const now = nowMicros();
    const createdAt = (await this.pool.query<{ at: Micros }>({ ...SQL.nextRunTime, values: [this.ws, now] })).rows[0].at;
    // This month's partition and, ahead of time, next month's (the same one inside a quarter).
    const month = monthOf(createdAt);
    await this.partitions.ensureMonths([month, month + 1]);
    const run = queuedRun(randomUUID(), this.workspaceId, input, createdAt);
    const json = renderRun(run);
    const insert = {
      ...SQL.insertRun,
      values: [this.ws, run.sessionId, createdAt, run.workflowId, run.dryRun, toDbTextOrNull(run.credentialId), json, input.inputs],
    };
    if (idempotency === undefined) {
      await this.pool.query(insert);
      return { body: json, replayed: false };
    }
    return inTransaction(this.pool, async (client) => {
      // Concurrent requests with one key queue on its row here; the first to commit wins, the others replay it.
      const claim = await client.query({
        ...SQL.claimIdempotency,
        values: [this.ws, idempotency.key, idempotency.bodyHash, json, now, now - IDEMPOTENCY_WINDOW],
      });
      if (claim.rowCount === 0) {
        const seen = (await client.query<{ body_hash: string; response: string }>({ ...SQL.idempotency, values: [this.ws, idempotency.key] })).rows[0];
        if (seen.body_hash !== idempotency.bodyHash) {
          throw idempotencyConflict();
        }
        return { body: seen.response, replayed: true };
      }
      await client.query(insert);
      return { body: json, replayed: false };
    });
  }

  recordEvent(sessionId: string, event: Status, at: Micros): Promise<string | null> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<RunRow>({ ...SQL.lockRun, values: [this.ws, sessionId] });
      if (rows.length === 0) return null;
      const run = this.toRun(rows[0]);
      const next = applyEvent(run, event, at);
      if (next === null) return renderRun(run);
      const json = renderRun(next);
      const events = [...historyOf(run, rows[0].events), { event, at }].map((e) => [e.event, e.at]);
      await client.query({
        ...SQL.updateRun,
        values: [this.ws, sessionId, run.createdAt, next.status, next.executionStart, next.executionEnd, json, JSON.stringify(events)],
      });
      return json;
    });
  }

  importRuns(items: AsyncIterable<ImportItem> | Iterable<ImportItem>): Promise<ImportResult> {
    return importRuns(this.pool, this.partitions, this.ws, items);
  }
}
