/**
 * The one storage interface. An implementation lives in each folder beside
 * this file (sqlite/, postgres/), the same part under the same file name
 * (open-database, migrations, statements, list-runs, import-runs,
 * workspace-runs, reader-thread; the rest is the one store's own), and the
 * contract suite in test/ runs against every one of them.
 *
 * Tenancy is enforced here, not by callers: the only way to reach runs is a
 * WorkspaceRuns handle, and a handle is made for exactly one workspace (by a
 * key, for the API; by name, for the command line). No method of a handle
 * takes a workspace id.
 */
import type { ListQuery } from '../domain/list-query.ts';
import type { Run, RunEvent } from '../domain/run.ts';
import type { Status } from '../domain/statuses.ts';
import type { Micros } from '../domain/timestamp.ts';
import type { Idempotency, NewRun } from '../domain/new-run.ts';
import type { ImportItem } from '../domain/import-line.ts';
import type { ImportResult } from '../domain/schemas.ts';

/**
 * A page of more rows than this is "large": it takes many times the work of
 * a small query, and each store reads such pages on a reader thread with a
 * connection of its own (reader-pool.ts), out of the way of the small ones.
 */
export const LARGE_PAGE = 1000;

export interface RunPage {
  /** The JSON array of runs, exactly as sent, as bytes. */
  body: Buffer;
  count: number;
  /**
   * Present when the body lives in memory the store lends (a large page,
   * read on a reader thread): call it once the body has been sent or read,
   * and not read the body after. Until then the store reads no further page
   * into that memory.
   */
  release?: () => void;
}

export interface RunDetail {
  run: Run;
  events: RunEvent[];
}

export interface CreatedRun {
  /** The run object as rendered JSON. */
  body: string;
  /** True when an Idempotency-Key retry answered with the first response. */
  replayed: boolean;
}

export interface WorkspaceRuns {
  readonly workspaceId: string;
  listRuns(query: ListQuery): Promise<RunPage>;
  getRun(sessionId: string): Promise<RunDetail | null>;
  createRun(run: NewRun, idempotency?: Idempotency): Promise<CreatedRun>;
  /** The run as rendered JSON after the event; null when there is no such run here. */
  recordEvent(sessionId: string, event: Status, at: Micros): Promise<string | null>;
  importRuns(items: AsyncIterable<ImportItem> | Iterable<ImportItem>): Promise<ImportResult>;
}

export interface Authenticated {
  runs: WorkspaceRuns;
  /** The key's id: rate limits count per key. */
  keyId: string;
}

export interface CreatedKey {
  workspace_id: string;
  workspace: string;
  key: string;
}

export interface RunStore {
  authenticate(key: string): Promise<Authenticated | null>;
  /** The workspace's runs by name; with create, the workspace is made if missing. */
  workspace(name: string, create: boolean): Promise<WorkspaceRuns | null>;
  createKey(workspaceName: string): Promise<CreatedKey>;
  /** False when there was no such live key. */
  revokeKey(key: string): Promise<boolean>;
  hasKeys(): Promise<boolean>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /**
   * Drops, whole, the stored ranges of time that end at or before cutoff;
   * returns what it dropped. Only where that costs nothing (PostgreSQL's
   * partitions): SQLite keeps every run and has no prune.
   */
  prune?(cutoff: Micros): Promise<string[]>;
  close(): Promise<void>;
}

const UNAVAILABLE_CODES = /^(SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|PROTOCOL)|ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|57P0[1-3]|08\w{3}|53300)/;

/** True for a store error that means "the database cannot be reached now" (answered 503), not a bug. */
export function isUnavailableError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.test(code)) return true;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(message);
}
