import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { hashKey, keyId, keyMatches, makeKey } from '../../domain/api-key.ts';
import { nowMicros } from '../../domain/timestamp.ts';
import type { Authenticated, CreatedKey, RunStore, WorkspaceRuns } from '../run-store.ts';
import { RunLister } from './list-runs.ts';
import { openDatabase } from './open-database.ts';
import { prepareStatements, type Statements, type WorkspaceRef } from './statements.ts';
import { WriteBatcher } from './write-batcher.ts';
import { SqliteWorkspaceRuns } from './workspace-runs.ts';

export interface SqliteOptions {
  path: string;
  groupCommit: boolean;
}

/** The embedded store: one SQLite file, one connection, reads and group-committed writes. */
export class SqliteStore implements RunStore {
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly lister: RunLister;
  private readonly writes: WriteBatcher;

  constructor(options: SqliteOptions) {
    this.db = openDatabase(options.path);
    this.sql = prepareStatements(this.db);
    this.lister = new RunLister(this.db);
    this.writes = new WriteBatcher(this.db, options.groupCommit);
  }

  private runsOf(workspace: WorkspaceRef): WorkspaceRuns {
    return new SqliteWorkspaceRuns(workspace, this.db, this.sql, this.lister, this.writes);
  }

  async authenticate(key: string): Promise<Authenticated | null> {
    const id = keyId(key);
    if (id === undefined) return null;
    const row = this.sql.keyById.get(id) as (WorkspaceRef & { hash: Buffer }) | undefined;
    if (row === undefined || !keyMatches(key, row.hash)) return null;
    return { runs: this.runsOf(row), keyId: id };
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
    const id = keyId(key);
    return id !== undefined && this.sql.revokeKey.run(nowMicros(), id, hashKey(key)).changes === 1;
  }

  async hasKeys(): Promise<boolean> {
    return this.sql.anyKey.get() !== undefined;
  }

  async ping(): Promise<void> {
    this.sql.ping.get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
