import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { keyId, makeKey } from '../../domain/api-key.ts';
import { nowMicros, type Micros } from '../../domain/timestamp.ts';
import type { Authenticated, CreatedKey, RunStore, WorkspaceRuns } from '../run-store.ts';
import { liveKey, type KeyRow, type LiveKey } from '../live-key.ts';
import { ReaderPool } from '../reader-pool.ts';
import { inTransaction } from './in-transaction.ts';
import { openDatabase } from './open-database.ts';
import type { PostgresReaderData } from './reader-thread.ts';
import { RunPartitions } from './partitions.ts';
import { SQL, type WorkspaceRef } from './statements.ts';
import { KeyCache } from './key-cache.ts';
import { ReadPipeline } from './read-pipeline.ts';
import { PostgresWorkspaceRuns } from './workspace-runs.ts';

export interface PostgresOptions {
  url: string;
  poolSize: number;
}

/**
 * Reader threads, each with a connection, that only large pages (LARGE_PAGE)
 * use. With one pool for all, sixteen clients asking for 10,000-row pages
 * hold every connection and a small query waits behind them; here they queue
 * for their own. One, not two: on 2 cores a second thread served 1.4x more
 * 10,000-row pages but doubled the p99 of small queries beside them and
 * took 100 MB more (README, PostgreSQL).
 */
const LARGE_PAGE_READERS = 1;

/**
 * The pool's connections that small pages are read on, pipelined
 * (read-pipeline.ts): a quarter, so that writes keep the rest. Fewer lanes
 * share more round trips; more let more backends work at once. On this
 * 2-core machine (16 clients, an empty page, 300,000 runs) 3 lanes served
 * 17,200-20,900 pages a second and a pool of 10 used one query at a time
 * 12,100-13,500; with 8 lanes the gain was gone.
 */
const readLanes = (poolSize: number): number => Math.ceil(poolSize / 4);

/** The server store: pools of connections to one PostgreSQL database. */
export class PostgresStore implements RunStore {
  private readonly keys = new KeyCache();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly reads: ReadPipeline,
    private readonly largePages: ReaderPool,
    private readonly partitions: RunPartitions,
  ) {}

  /** Connects, migrates the schema and makes the coming months' partitions. */
  static async open(options: PostgresOptions): Promise<PostgresStore> {
    const pool = await openDatabase(options.url, options.poolSize);
    let partitions: RunPartitions;
    try {
      partitions = await RunPartitions.open(pool);
      await partitions.ensureAhead(nowMicros());
    } catch (error) {
      await pool.end();
      throw error;
    }
    const readers = new ReaderPool<PostgresReaderData>(new URL('./reader-thread.ts', import.meta.url), { url: options.url }, LARGE_PAGE_READERS);
    return new PostgresStore(pool, new ReadPipeline(pool, readLanes(options.poolSize)), readers, partitions);
  }

  private runsOf(workspace: WorkspaceRef): WorkspaceRuns {
    return new PostgresWorkspaceRuns(workspace, this.pool, this.reads, this.largePages, this.partitions);
  }

  private liveKey(key: string): Promise<LiveKey | null> {
    return liveKey(key, async (id) => (await this.pool.query<KeyRow>({ ...SQL.keyById, values: [id] })).rows[0]);
  }

  async authenticate(key: string): Promise<Authenticated | null> {
    // Before the cache hashes it: a header of any length up to 1 MiB is not worth a SHA-256.
    if (keyId(key) === undefined) return null;
    const cached = this.keys.get(key);
    if (cached !== undefined) return { runs: this.runsOf(cached.workspace), keyId: cached.keyId };
    const live = await this.liveKey(key);
    if (live === null) return null;
    this.keys.set(key, live.workspace, live.id);
    return { runs: this.runsOf(live.workspace), keyId: live.id };
  }

  async workspace(name: string, create: boolean): Promise<WorkspaceRuns | null> {
    if (create) await this.pool.query({ ...SQL.insertWorkspace, values: [randomUUID(), name] });
    const row = (await this.pool.query<WorkspaceRef>({ ...SQL.workspaceByName, values: [name] })).rows[0];
    return row === undefined ? null : this.runsOf(row);
  }

  async createKey(workspaceName: string): Promise<CreatedKey> {
    const made = makeKey();
    const workspace = await inTransaction(this.pool, async (client) => {
      await client.query({ ...SQL.insertWorkspace, values: [randomUUID(), workspaceName] });
      const found = (await client.query<WorkspaceRef>({ ...SQL.workspaceByName, values: [workspaceName] })).rows[0];
      await client.query({ ...SQL.insertKey, values: [made.id, found.num, made.hash, nowMicros()] });
      return found;
    });
    return { workspace_id: workspace.id, workspace: workspaceName, key: made.key };
  }

  async revokeKey(key: string): Promise<boolean> {
    this.keys.forget(key);
    const live = await this.liveKey(key);
    return live !== null && (await this.pool.query({ ...SQL.revokeKey, values: [nowMicros(), live.id] })).rowCount === 1;
  }

  async hasKeys(): Promise<boolean> {
    return (await this.pool.query(SQL.anyKey)).rowCount === 1;
  }

  async ping(): Promise<void> {
    await this.pool.query(SQL.ping);
  }

  /** Drops the partitions that end at or before cutoff (runledger prune); returns their names. */
  prune(cutoff: Micros): Promise<string[]> {
    return this.partitions.dropBefore(cutoff);
  }

  async close(): Promise<void> {
    await this.largePages.close();
    if (!this.pool.ended) await this.pool.end();
  }
}
