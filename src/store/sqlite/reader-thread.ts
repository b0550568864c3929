/**
 * A reader thread: its own read-only connection answers list queries, so a
 * long read (a 10,000-row page) never holds the main event loop. WAL mode lets
 * it read while the main connection writes.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { ListQuery } from '../../domain/list-query.ts';
import { RunLister } from './list-runs.ts';

export interface ReadRequest {
  workspace: number;
  query: ListQuery;
}

const db = new Database((workerData as { path: string }).path, { readonly: true });
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -32768');
db.pragma('mmap_size = 268435456');
const lister = new RunLister(db);

parentPort!.on('message', ({ workspace, query }: ReadRequest) => {
  try {
    const page = lister.list(workspace, query);
    // The page's bytes (a buffer of their own, from SQLite) are handed over rather than copied.
    parentPort!.postMessage({ page }, [(page.body as Buffer).buffer as ArrayBuffer]);
  } catch (error) {
    const { message, code } = error as { message: string; code?: string };
    parentPort!.postMessage({ error: { message, code } });
  }
});
