import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { makeKey } from '../../domain/api-key.ts';
import { nowMicros } from '../../domain/timestamp.ts';
import type { ListQuery } from '../../domain/list-query.ts';
import { LARGE_PAGE, type Authenticated, type CreatedKey, type RunPage, type RunStore, type WorkspaceRuns } from '../run-store.ts';
import { RunLister } from './list-runs.ts';
import { liveKey, type KeyRow, type LiveKey } from '../live-key.ts';
import { ReaderPool } from '../reader-pool.ts';
import { openDatabase } from './open-database.ts';
import type { SqliteReaderData } from './reader-thread.ts';
import { prepareStatements, type Statements, type WorkspaceRef } from './statements.ts';
import { RunWriter } from './run-writer.ts';
import { WriteBatcher } from './write-batcher.ts';
import { SqliteWorkspaceRuns } from './workspace-runs.ts';

export interface SqliteOptions {
  path: string;
  groupCommit: boolean;
  /** Reader threads for list queries; 0 (or an in-memory database) reads on the calling thread. */
  readers: number;
}

/** Reads a page of runs of a workspace (by its num). */
export type PageReader = (workspace: number, query: ListQuery) => Promise<RunPage>;

/**
 * The embedded store: one SQLite file in WAL mode. The main connection answers
 * keys and single runs; reader threads answer list pages; one writer thread
 * commits every write, grouped (see WriteBatcher).
 */
export class SqliteStore implements RunStore {
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly readPage: PageReader;
  private readonly readers?: ReaderPool;
  private readonly writes: WriteBatcher;

  constructor(options: SqliteOptions) {
    this.db = openDatabase(options.path);
    this.sql = prepareStatements(this.db);
    const lister = new RunLister(this.db);
    const inline: PageReader = async (workspace, query) => lister.list(workspace, query);
    if (options.readers > 0 && options.path !== ':memory:') {
      // Large pages go to the reader threads, so that no 10,000-row page holds
      // the event loop every other request needs; smaller ones take less time
      // than handing them to a thread and back.
      const pool = new ReaderPool<SqliteReaderData>(new URL('./reader-thread.ts', import.meta.url), { path: options.path }, options.readers);
      this.readers = pool;
      this.readPage = (workspace, query) => (query.limit > LARGE_PAGE ? pool.list(workspace, query) : inline(workspace, query));
    } else {
      this.readPage = inline;
    }
    this.writes = new WriteBatcher(options.groupCommit, options.path === ':memory:' ? { writer: new RunWriter(this.db) } : { path: options.path });
  }

  private runsOf(workspace: WorkspaceRef): WorkspaceRuns {
    return new SqliteWorkspaceRuns(workspace, this.sql, this.readPage, this.writes);
  }

  private liveKey(key: string): Promise<LiveKey | null> {
    return liveKey(key, (id) => this.sql.keyById.get(id) as KeyRow | undefined);
  }

  async authenticate(key: string): Promise<Authenticated | null> {
    const live = await this.liveKey(key);
    return live === null ? null : { runs: this.runsOf(live.workspace), keyId: live.id };
  }

  async workspace(name: string, create: boolean): Promise<WorkspaceRuns | null> {
    if (create) this.sql.insertWorkspace.run(randomUUID(), name);
    const workspace = this.sql.workspaceByName.get(name) as WorkspaceRef | undefined;
    return workspace === undefined ? null : this.runsOf(workspace);
  }

  async createKey(workspaceName: string): Promise<CreatedKey> {
    const made = makeKey();
    const workspace = this.db.transaction(() => {
      this.sql.insertWorkspace.run(randomUUID(), workspaceName);
      const found = this.sql.workspaceByName.get(workspaceName) as WorkspaceRef;
      this.sql.insertKey.run(made.id, found.num, made.hash, nowMicros());
      return found;
    }).immediate();
    return { workspace_id: workspace.id, workspace: workspaceName, key: made.key };
  }

  async revokeKey(key: string): Promise<boolean> {
    const live = await this.liveKey(key);
    return live !== null && this.sql.revokeKey.run(nowMicros(), live.id).changes === 1;
  }

  async hasKeys(): Promise<boolean> {
    return this.sql.anyKey.get() !== undefined;
  }

  async ping(): Promise<void> {
    this.sql.ping.get();
  }

  async close(): Promise<void> {
    await this.writes.close();
    await this.readers?.close();
    if (this.db.open) this.db.close();
  }
}
