/**
 * A reader thread: its own read-only connection answers list queries, so a
 * long read (a 10,000-row page) never holds the main event loop. WAL mode lets
 * it read while the main connection writes.
 */
import Database from 'better-sqlite3';
import { workerData } from 'node:worker_threads';
import { serveReads, type ReaderData } from '../serve-reads.ts';
import { RunLister } from './list-runs.ts';

export interface SqliteReaderData extends ReaderData {
  path: string;
}

const { path } = workerData as SqliteReaderData;
const db = new Database(path, { readonly: true });
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -32768');
db.pragma('mmap_size = 268435456');
const lister = new RunLister(db);
serveReads((workspace, query) => lister.list(workspace, query));
