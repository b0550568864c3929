/**
 * A reader thread: its own read-only connection answers list queries, so a
 * long read (a 10,000-row page) never holds the main event loop. WAL mode lets
 * it read while the main connection writes.
 */
import Database from 'better-sqlite3';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { ListQuery } from '../../domain/list-query.ts';
import { RunLister } from './list-runs.ts';
import { toThreadError } from './spawn-thread.ts';

export interface ReaderData {
  path: string;
  /** Memory shared with the main thread, one buffer per page in flight. */
  slots: SharedArrayBuffer[];
}

export interface ReadRequest {
  workspace: number;
  query: ListQuery;
  /** The slot to write the page into; none (-1): a buffer of its own. */
  slot: number;
}

/**
 * On Linux a nice value is a thread's own: the main thread, which answers
 * every small request, comes first whenever both want the core, and a large
 * page is read in the time it leaves. Elsewhere it would lower the whole
 * process, so there the reader keeps its priority.
 */
if (process.platform === 'linux') setPriority(10);
const { path, slots } = workerData as ReaderData;
const db = new Database(path, { readonly: true });
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -32768');
db.pragma('mmap_size = 268435456');
const lister = new RunLister(db);

parentPort!.on('message', ({ workspace, query, slot }: ReadRequest) => {
  try {
    const { body, ...page } = lister.list(workspace, query);
    const bytes = body as Buffer;
    const shared = slots[slot] as SharedArrayBuffer | undefined;
    if (shared !== undefined && bytes.length <= shared.byteLength) {
      // Copied into memory the main thread already has: a buffer that arrived
      // with each page would count as new external memory there, and force a
      // full garbage collection of the main heap every few pages.
      bytes.copy(new Uint8Array(shared));
      parentPort!.postMessage({ page, length: bytes.length });
    } else {
      parentPort!.postMessage({ page: { ...page, body: bytes } }, [bytes.buffer as ArrayBuffer]);
    }
  } catch (error) {
    parentPort!.postMessage({ error: toThreadError(error) });
  }
});
