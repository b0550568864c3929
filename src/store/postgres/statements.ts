/**
 * Every fixed SQL statement of the PostgreSQL store. Each has a name, so pg
 * prepares it once per connection and then only binds and executes it.
 * `$1` is always the workspace's num where a statement is per workspace.
 * Statements built per call live beside their use: the list query
 * (list-runs.ts), an import's COPY (import-runs.ts), partitions' DDL.
 */
import { RUN_COLUMNS, type RunRow as BaseRunRow } from '../run-row.ts';

const named = <T extends Record<string, string>>(texts: T): { [K in keyof T]: { name: string; text: string } } =>
  Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, { name: `rl_${name}`, text }])) as never;

const RUN_OF_OWNER = `FROM run_owners o JOIN runs r ON r.workspace = o.workspace AND r.created_at = o.created_at AND r.session_id = o.session_id
  WHERE o.session_id = $2 AND o.workspace = $1`;

/** An import's claim of session_ids ($2) with their times ($3) for workspace $1; the two claims differ in what a taken id does. */
const INSERT_OWNERS = `INSERT INTO run_owners (workspace, session_id, created_at) SELECT $1, * FROM unnest($2::uuid[], $3::bigint[])
    ON CONFLICT (session_id)`;

export const SQL = named({
  runInWorkspace: `SELECT ${RUN_COLUMNS.replace(/(\w+)/g, 'r.$1')}, r.events ${RUN_OF_OWNER}`,
  // The owner row is every per-run write's lock: event, import replace.
  lockRun: `SELECT ${RUN_COLUMNS.replace(/(\w+)/g, 'r.$1')}, r.events ${RUN_OF_OWNER} FOR UPDATE`,
  nextRunTime: 'SELECT next_run_time($1, $2) AS at',
  insertRun: `WITH owner AS (INSERT INTO run_owners (workspace, session_id, created_at) VALUES ($1, $2, $3))
    INSERT INTO runs (workspace, session_id, created_at, workflow_id, status, dry_run, credential_id, json, inputs)
    VALUES ($1, $2, $3, $4, 'execution.queued', $5, $6, $7, $8)`,
  updateRun: `UPDATE runs SET status = $4, execution_start = $5, execution_end = $6, json = $7, events = $8
    WHERE workspace = $1 AND created_at = $3 AND session_id = $2`,
  // Claims the key unless a live claim exists; expired claims are taken over.
  claimIdempotency: `INSERT INTO idempotency_keys (workspace, key, body_hash, response, created_at) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (workspace, key) DO UPDATE SET body_hash = EXCLUDED.body_hash, response = EXCLUDED.response, created_at = EXCLUDED.created_at
    WHERE idempotency_keys.created_at <= $6 RETURNING 1`,
  idempotency: 'SELECT body_hash, response FROM idempotency_keys WHERE workspace = $1 AND key = $2',
  // An import claims its new session_ids first; only the ones already taken are then locked, read and claimed again.
  claimNewOwners: `${INSERT_OWNERS} DO NOTHING RETURNING session_id`,
  lockOwners: 'SELECT session_id, workspace, created_at FROM run_owners WHERE session_id = ANY($1::uuid[]) ORDER BY session_id FOR UPDATE',
  claimOwners: `${INSERT_OWNERS} DO UPDATE SET created_at = EXCLUDED.created_at WHERE run_owners.workspace = EXCLUDED.workspace
    RETURNING session_id`,
  // The runs an import replaces, by their old position; what POST /run kept with them moves to the new row.
  deleteRuns: `DELETE FROM runs WHERE workspace = $1 AND (created_at, session_id) IN (SELECT * FROM unnest($2::bigint[], $3::uuid[]))
    RETURNING session_id, inputs`,
  workspaceByName: 'SELECT num, id FROM workspaces WHERE name = $1',
  insertWorkspace: 'INSERT INTO workspaces (id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
  keyById: 'SELECT w.num, w.id, k.hash FROM api_keys k JOIN workspaces w ON w.num = k.workspace WHERE k.id = $1 AND k.revoked_at IS NULL',
  insertKey: 'INSERT INTO api_keys (id, workspace, hash, created_at) VALUES ($1, $2, $3, $4)',
  // Only once keyById's hash matched: keys are compared in constant time, never by SQL.
  revokeKey: 'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
  anyKey: 'SELECT 1 FROM api_keys WHERE revoked_at IS NULL LIMIT 1',
  ping: 'SELECT 1',
});

export type { WorkspaceRef } from '../run-row.ts';

/** A run row with its events: JSON text, or null while its history is the one its fields imply. */
export interface RunRow extends BaseRunRow {
  events: string | null;
}
