/**
 * The thread side of a reader pool (reader-pool.ts): each store's
 * reader-thread.ts opens its own connection and hands its list function here.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { ListQuery } from '../domain/list-query.ts';
import type { RunPage } from './run-store.ts';
import { toThreadError } from './spawn-thread.ts';

export interface ReaderData {
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
 * Answers the main thread's read requests with `list`, one at a time. On
 * Linux a nice value is a thread's own: the main thread, which answers every
 * small request, comes first whenever both want the core, and a large page is
 * read in the time it leaves. Elsewhere it would lower the whole process, so
 * there the reader keeps its priority.
 */
export function serveReads(list: (workspace: number, query: ListQuery) => RunPage | Promise<RunPage>): void {
  if (process.platform === 'linux') setPriority(10);
  const { slots } = workerData as ReaderData;
  parentPort!.on('message', async ({ workspace, query, slot }: ReadRequest) => {
    try {
      const { body: bytes, ...page } = await list(workspace, query);
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
}
