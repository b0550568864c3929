import type Database from 'better-sqlite3';
import { ACCESS_INDEXES_V2 } from '../access-indexes.ts';

/**
 * Versioned schema, applied in order; PRAGMA user_version records how far a
 * database has come. Append, never edit: a released step has run somewhere.
 *
 * Workspaces are referred to by a small integer (`num`) inside the database:
 * it is repeated in the key of every run, event and index entry, where a
 * 36-character UUID would triple their size. The UUID is in each run's `json`.
 *
 * runs is clustered on (workspace, created_at, session_id) so that the main
 * list path is one backwards range read, and each access path of GET /runs has
 * an index ending in (created_at, session_id): every page is an index range
 * scan that stops after `limit` rows. `json` is the run's list object, made
 * once per write. Events are clustered by their run's position too, so that
 * runs written in time order append to both tables instead of scattering.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE workspaces (
    num INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    last_run_at INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    workspace INTEGER NOT NULL REFERENCES workspaces(num),
    hash BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE TABLE runs (
    workspace INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    status TEXT NOT NULL,
    credential_id TEXT,
    execution_start INTEGER,
    execution_end INTEGER,
    dry_run INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (workspace, created_at, session_id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX runs_by_session ON runs (session_id);
  CREATE INDEX runs_by_workflow ON runs (workspace, workflow_id, created_at, session_id);
  CREATE INDEX runs_by_credential ON runs (workspace, credential_id, created_at, session_id);
  CREATE INDEX runs_by_status ON runs (workspace, status, created_at, session_id);
  CREATE TABLE run_events (
    workspace INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (workspace, created_at, session_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE run_inputs (
    session_id TEXT PRIMARY KEY,
    body TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE idempotency_keys (
    workspace INTEGER NOT NULL,
    key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (workspace, key)
  ) WITHOUT ROWID;
  `,
  // SQLite cannot defer the lookup of a WITHOUT ROWID row, so a filter
  // checked in the table cost one lookup per candidate (Q4: about 2.6 per
  // run returned); list-runs.ts reads a page's keys from the index alone.
  ACCESS_INDEXES_V2,
  // A page filtered by statuses and workflows both (Q4) reads one arm per
  // (status, workflow) pair here, each exactly its runs (list-runs.ts).
  'CREATE INDEX runs_by_status_workflow ON runs (workspace, status, workflow_id, created_at, session_id)',
];

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`the database schema is version ${current}, newer than this runledger (${MIGRATIONS.length}); upgrade runledger`);
  }
  for (let version = current; version < MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
