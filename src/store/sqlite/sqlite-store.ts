import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { hashKey, keyId, keyMatches, makeKey } from '../../domain/api-key.ts';
import { nowMicros } from '../../domain/timestamp.ts';
import type { Authenticated, CreatedKey, RunStore, WorkspaceRuns } from '../run-store.ts';
import { RunLister } from './list-runs.ts';
import { openDatabase } from './open-database.ts';
import { prepareStatements, type Statements } from './statements.ts';
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

  private runsOf(workspaceId: string): WorkspaceRuns {
    return new SqliteWorkspaceRuns(workspaceId, this.db, this.sql, this.lister, this.writes);
  }

  async authenticate(key: string): Promise<Authenticated | null> {
    const id = keyId(key);
    if (id === undefined) return null;
    const row = this.sql.keyById.get(id) as { workspace_id: string; hash: Buffer } | undefined;
    if (row === undefined || !keyMatches(key, row.hash)) return null;
    return { runs: this.runsOf(row.workspace_id), keyId: id };
  }

  async workspace(name: string, create: boolean): Promise<WorkspaceRuns | null> {
    if (create) this.sql.insertWorkspace.run(randomUUID(), name);
    const id = this.sql.workspaceByName.get(name) as string | undefined;
    return id === undefined ? null : this.runsOf(id);
  }

  async createKey(workspaceName: string): Promise<CreatedKey> {
    const made = makeKey();
    const workspaceId = this.db.transaction(() => {
      this.sql.insertWorkspace.run(randomUUID(), workspaceName);
      const id = this.sql.workspaceByName.get(workspaceName) as string;
      this.sql.insertKey.run(made.id, id, made.hash, nowMicros());
      return id;
    }).immediate();
    return { workspace_id: workspaceId, workspace: workspaceName, key: made.key };
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
