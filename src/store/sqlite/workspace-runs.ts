import type { ImportItem } from '../../domain/import-line.ts';
import type { ListQuery } from '../../domain/list-query.ts';
import type { ImportResult } from '../../domain/schemas.ts';
import type { Status } from '../../domain/statuses.ts';
import type { Micros } from '../../domain/timestamp.ts';
import type { CreatedRun, RunDetail, RunPage, WorkspaceRuns } from '../run-store.ts';
import type { Idempotency, NewRun } from '../../domain/new-run.ts';
import { importRuns } from './import-runs.ts';
import { history, toRun } from './run-writer.ts';
import type { PageReader } from './sqlite-store.ts';
import type { RunRow, Statements, WorkspaceRef } from './statements.ts';
import type { WriteBatcher } from './write-batcher.ts';

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

  importRuns(items: AsyncIterable<ImportItem> | Iterable<ImportItem>): Promise<ImportResult> {
    return importRuns(this.writes, this.workspace, items);
  }
}
