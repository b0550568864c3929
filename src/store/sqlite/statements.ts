import type Database from 'better-sqlite3';
import { RUN_COLUMNS, type RunRow as BaseRunRow } from '../run-row.ts';

/** Every fixed SQL statement of the SQLite store, prepared once per connection. `ws` is a workspace's num. */
export function prepareStatements(db: Database.Database) {
  return {
    runInWorkspace: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE session_id = ? AND workspace = ?`),
    runOwner: db.prepare('SELECT workspace, created_at FROM runs WHERE session_id = ?'),
    runAt: db.prepare('SELECT 1 FROM runs WHERE workspace = ? AND created_at = ?').pluck(),
    events: db.prepare('SELECT event, at FROM run_events WHERE workspace = ? AND created_at = ? AND session_id = ? ORDER BY seq'),
    nextSeq: db
      .prepare('SELECT coalesce(max(seq), 0) + 1 FROM run_events WHERE workspace = ? AND created_at = ? AND session_id = ?')
      .pluck(),
    /** Inserts a run unless its session_id is taken (changes 0): an import then looks for the owner, a rare path. */
    insertRun: db.prepare(
      `INSERT INTO runs (workspace, ${RUN_COLUMNS}, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    updateRun: db.prepare(
      'UPDATE runs SET status = @status, execution_start = @executionStart, execution_end = @executionEnd, json = @json WHERE workspace = @ws AND created_at = @createdAt AND session_id = @sessionId',
    ),
    deleteRun: db.prepare('DELETE FROM runs WHERE workspace = ? AND created_at = ? AND session_id = ?'),
    insertEvent: db.prepare('INSERT INTO run_events (workspace, created_at, session_id, seq, event, at) VALUES (?, ?, ?, ?, ?, ?)'),
    deleteEvents: db.prepare('DELETE FROM run_events WHERE workspace = ? AND created_at = ? AND session_id = ?'),
    insertInputs: db.prepare('INSERT INTO run_inputs (session_id, body) VALUES (?, ?)'),
    bumpClock: db.prepare('UPDATE workspaces SET last_run_at = max(?, last_run_at + 1) WHERE num = ? RETURNING last_run_at').pluck(),
    idempotency: db.prepare('SELECT body_hash, response, created_at FROM idempotency_keys WHERE workspace = ? AND key = ?'),
    saveIdempotency: db.prepare(
      'INSERT OR REPLACE INTO idempotency_keys (workspace, key, body_hash, response, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    workspaceByName: db.prepare('SELECT num, id FROM workspaces WHERE name = ?'),
    insertWorkspace: db.prepare('INSERT INTO workspaces (id, name) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
    keyById: db.prepare(
      'SELECT w.num, w.id, k.hash FROM api_keys k JOIN workspaces w ON w.num = k.workspace WHERE k.id = ? AND k.revoked_at IS NULL',
    ),
    insertKey: db.prepare('INSERT INTO api_keys (id, workspace, hash, created_at) VALUES (?, ?, ?, ?)'),
    revokeKey: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    anyKey: db.prepare('SELECT 1 FROM api_keys WHERE revoked_at IS NULL LIMIT 1').pluck(),
    ping: db.prepare('SELECT 1').pluck(),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

export type { WorkspaceRef } from '../run-row.ts';
export type RunRow = BaseRunRow<number>;
