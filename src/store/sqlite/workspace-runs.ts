import type Database from 'better-sqlite3';
import { ImportTally, type ImportItem } from '../../domain/import-line.ts';
import type { ListQuery } from '../../domain/list-query.ts';
import type { ImportResult } from '../../domain/schemas.ts';
import type { Status } from '../../domain/statuses.ts';
import type { Micros } from '../../domain/timestamp.ts';
import { BatchPipeline } from '../batch-pipeline.ts';
import type { CreatedRun, Idempotency, NewRun, RunDetail, RunPage, WorkspaceRuns } from '../run-store.ts';
import { addRun, emptyColumns, type RunColumns } from './run-columns.ts';
import { history, toRun, type ImportCounts } from './run-writer.ts';
import type { PageReader } from './sqlite-store.ts';
import type { RunRow, Statements, WorkspaceRef } from './statements.ts';
import type { WriteBatcher } from './write-batcher.ts';

type Rejection = [line: number, message: string];

/** Two lists of rejections, each in line order, as one. */
function inLineOrder(a: Rejection[], b: Rejection[]): Rejection[] {
  return a.length === 0 ? b : b.length === 0 ? a : [...a, ...b].sort((x, y) => x[0] - y[0]);
}

/** Lines an import sends to the writer at a time: large enough to amortise a commit, small enough to stream. */
export const IMPORT_BATCH = 50_000;

/**
 * The runs of one workspace in a SQLite database; see WorkspaceRuns. Point
 * reads run on the calling thread, list pages on the reader threads, writes
 * on the writer (WriteBatcher).
 */
export class SqliteWorkspaceRuns implements WorkspaceRuns {
  readonly workspaceId: string;

  constructor(
    private readonly workspace: WorkspaceRef,
    private readonly sql: Statements,
    private readonly readPage: PageReader,
    private readonly writes: WriteBatcher,
  ) {
    this.workspaceId = workspace.id;
  }

  listRuns(query: ListQuery): Promise<RunPage> {
    return this.readPage(this.workspace.num, query);
  }

  async getRun(sessionId: string): Promise<RunDetail | null> {
    const row = this.sql.runInWorkspace.get(sessionId, this.workspace.num) as RunRow | undefined;
    if (row === undefined) return null;
    const run = toRun(row, this.workspaceId);
    return { run, events: history(this.sql, this.workspace.num, run) };
  }

  createRun(run: NewRun, idempotency?: Idempotency): Promise<CreatedRun> {
    return this.writes.submit({ kind: 'create', workspace: this.workspace, run, idempotency }) as Promise<CreatedRun>;
  }

  recordEvent(sessionId: string, event: Status, at: Micros): Promise<string | null> {
    return this.writes.submit({ kind: 'event', workspace: this.workspace, sessionId, event, at }) as Promise<string | null>;
  }

  /**
   * Streams the import to the writer in batches. While the writer stores one
   * batch, the next is read, parsed and rendered here, on the other core;
   * memory holds two batches, whatever the size of the import.
   */
  async importRuns(items: AsyncIterable<ImportItem> | Iterable<ImportItem>): Promise<ImportResult> {
    const tally = new ImportTally();
    const pipeline = new BatchPipeline();
    const store = async (runs: RunColumns, refused: Rejection[]) => {
      const counts = (await this.writes.submit({ kind: 'import', workspace: this.workspace, runs })) as ImportCounts;
      tally.inserted += counts.inserted;
      tally.updated += counts.updated;
      for (const [line, message] of inLineOrder(refused, counts.rejected)) tally.reject(line, message);
    };
    let runs = emptyColumns();
    let refused: Rejection[] = [];
    const hand = async () => {
      const [full, fullRefused] = [runs, refused];
      await pipeline.hand(() => store(full, fullRefused));
      runs = emptyColumns();
      refused = [];
    };
    for await (const item of items) {
      if ('error' in item) refused.push([item.line, item.error]);
      else addRun(runs, item.run, item.line);
      if (runs.line.length + refused.length === IMPORT_BATCH) await hand();
    }
    await hand();
    await pipeline.drained();
    return tally.result();
  }
}
