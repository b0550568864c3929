import type pg from 'pg';
import { ACCESS_INDEXES_V2 } from '../access-indexes.ts';

/** pg_advisory_lock keys: one process at a time migrates, or adds and drops partitions. */
const MIGRATION_LOCK = 0x72756e6c_0001;
export const PARTITION_LOCK = 0x72756e6c_0002;

/**
 * Versioned schema, applied in order; schema_migrations records each version
 * applied. Append, never edit: a released step has run somewhere.
 *
 * Workspaces are referred to by a small integer (`workspace`, the
 * workspaces.num) inside the database; it leads every key and index of the
 * per-workspace tables, so that each can later be distributed by it (Citus),
 * and a 4-byte integer keeps index entries small. Timestamps are bigint
 * microseconds, like the SQLite store and the domain: no conversion per row,
 * and node-pg would read timestamptz into a Date, which has only
 * milliseconds. session_id and workflow_id are uuid (16 bytes, not 36).
 *
 * runs is partitioned by ranges of created_at (partitions.ts makes them), so
 * that pruning drops whole tables and a list scan touches only the partitions
 * in its window. `json` is the run's list object, rendered once per write;
 * `events` is the history as JSON [[status, micros], …], null while it is the
 * one implied by the run's fields (domain importedHistory), as for every
 * imported or untouched run; `inputs` is what POST /run kept.
 *
 * session_id must be unique across the installation, but a unique index on
 * a partitioned table must contain the partition key, so (session_id)
 * cannot be one. run_owners is that unique index as a table: one row per
 * run, naming its workspace and created_at. It also turns a lookup by
 * session_id into a primary-key lookup in one partition. It is the one
 * per-run table not led by the workspace: it is keyed by session_id by
 * definition (under Citus it is distributed by session_id).
 * workspaces and api_keys are small and read by key id (reference tables).
 *
 * next_run_time gives a workspace's next free microsecond (contract section
 * 1). It commits asynchronously: the workspace row is then locked only for
 * the UPDATE, not for a WAL flush, so concurrent POST /run do not queue
 * behind one another's disk syncs. That is safe: a run stamped with the
 * returned time is committed durably later, and a durable commit flushes the
 * whole WAL before it, this bump included.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE workspaces (
    num integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id uuid NOT NULL UNIQUE,
    name text NOT NULL UNIQUE,
    last_run_at bigint NOT NULL DEFAULT 0
  );
  CREATE TABLE api_keys (
    id text PRIMARY KEY,
    workspace integer NOT NULL REFERENCES workspaces (num),
    hash bytea NOT NULL,
    created_at bigint NOT NULL,
    revoked_at bigint
  );
  CREATE TABLE runs (
    workspace integer NOT NULL,
    created_at bigint NOT NULL,
    session_id uuid NOT NULL,
    workflow_id uuid NOT NULL,
    status text COLLATE "C" NOT NULL,
    credential_id text COLLATE "C",
    execution_start bigint,
    execution_end bigint,
    dry_run boolean NOT NULL,
    json text NOT NULL,
    events text,
    inputs text,
    PRIMARY KEY (workspace, created_at, session_id)
  ) PARTITION BY RANGE (created_at);
  CREATE INDEX runs_by_workflow ON runs (workspace, workflow_id, created_at, session_id);
  CREATE INDEX runs_by_credential ON runs (workspace, credential_id, created_at, session_id);
  CREATE INDEX runs_by_status ON runs (workspace, status, created_at, session_id);
  CREATE TABLE run_owners (
    session_id uuid PRIMARY KEY,
    workspace integer NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE INDEX run_owners_by_age ON run_owners (workspace, created_at);
  CREATE TABLE idempotency_keys (
    workspace integer NOT NULL,
    key text COLLATE "C" NOT NULL,
    body_hash text NOT NULL,
    response text NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (workspace, key)
  );
  CREATE FUNCTION next_run_time(ws integer, wanted bigint) RETURNS bigint LANGUAGE plpgsql AS $$
  DECLARE
    given bigint;
  BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    LOOP
      UPDATE workspaces SET last_run_at = greatest(wanted, last_run_at + 1) WHERE num = ws RETURNING last_run_at INTO given;
      -- An imported run may hold that microsecond already.
      IF NOT EXISTS (SELECT 1 FROM runs WHERE workspace = ws AND created_at = given) THEN
        RETURN given;
      END IF;
      wanted := given + 1;
    END LOOP;
  END $$;
  `,
  // A fanned-out arm such as status = $a AND workflow_id = $b checks both on
  // the index entry and fetches from the heap only the runs it returns (Q4 on
  // 500,000 runs: 1.7 -> 1.0 ms).
  ACCESS_INDEXES_V2,
  // A page filtered by statuses and workflows both (Q4: 2 x 3) is one arm
  // per pair. On runs_by_status each arm walks every run of its status and
  // checks the workflow on the entry, so the 3 arms of a status read its
  // entries three times: about 4,000 entries for a 500-run page. Led by both
  // columns, each arm reads exactly its runs (Q4 on 1,000,000 runs: 627 ->
  // 528 buffers, 0.90 -> 0.62 ms; Q2 reads 516 in 0.46 ms). The SQLite store
  // has the same index since its schema 3: checking the workflow IN list on
  // each status entry there still read about 1,300 entries for 500 runs.
  'CREATE INDEX runs_by_status_workflow ON runs (workspace, status, workflow_id, created_at, session_id)',
  // How many months a partition of runs spans (partitions.ts, Span): 3 from
  // now on, so that a year-long page reads 5 partitions rather than 13. A
  // database that has partitions already keeps making monthly ones, since a
  // quarter would overlap the months it holds.
  `
  CREATE TABLE partition_span (months integer NOT NULL CHECK (months IN (1, 3)));
  INSERT INTO partition_span SELECT CASE WHEN EXISTS (SELECT FROM pg_inherits WHERE inhparent = 'runs'::regclass) THEN 1 ELSE 3 END;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the schema up to date, or up to `target` (a test's older database);
 * safe when several processes start at once. Returns the version now in place.
 */
export async function migrate(pool: pg.Pool, target = MIGRATIONS.length): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const current = (await client.query('SELECT coalesce(max(version), 0) AS version FROM schema_migrations')).rows[0].version as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`the database schema is version ${current}, newer than this runledger (${MIGRATIONS.length}); upgrade runledger`);
    }
    for (let version = current; version < target; version += 1) {
      await client.query('BEGIN');
      try {
        await client.query(MIGRATIONS[version]);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    return Math.max(current, target);
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    // The session lock ends with the session: a failed connection is destroyed, which releases it too.
    if (broken === undefined) await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    client.release(broken);
  }
}
