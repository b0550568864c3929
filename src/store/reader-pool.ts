import type { Worker } from 'node:worker_threads';
import type { ListQuery } from '../domain/list-query.ts';
import type { RunPage } from './run-store.ts';
import type { ReaderData, ReadRequest } from './serve-reads.ts';
import { fromThreadError, spawnThread, type ThreadError } from './spawn-thread.ts';

interface Task {
  workspace: number;
  query: ListQuery;
  queuedAt: number;
  resolve: (page: RunPage) => void;
  reject: (error: Error) => void;
}

interface Busy {
  task: Task;
  /** NO_SLOT: the page travels in a buffer of its own. */
  slot: number;
}

const NO_SLOT = -1;

/**
 * Large pages read and not yet sent that share preallocated memory. A page
 * past SLOT_WAIT_MS or SLOT_BYTES takes a buffer of its own, so memory under
 * clients that stop reading is bounded by how long their connections live:
 * the server's --idle-timeout closes them.
 */
export const PAGE_SLOTS = 4;
/** A 10,000-row page of runs is about 3.5 MB; a larger one travels in a buffer of its own. */
const SLOT_BYTES = 8 * 1024 * 1024;
/**
 * Slots turn over in milliseconds; a page that has waited this long for one is
 * read into a buffer of its own, so that clients that stop reading their large
 * pages cannot stall everyone else's.
 */
const SLOT_WAIT_MS = 1000;

/**
 * Reader threads for large GET /runs pages, each with its own connection
 * (a store's reader-thread.ts). On SQLite, better-sqlite3 is synchronous, so
 * a long read on the main thread would freeze every other request while it
 * runs. On PostgreSQL, a 10,000-row page made the main thread decode and copy
 * megabytes and collect them again, tens of milliseconds at a time. Each
 * thread takes the next queued page when it is free and a slot is: a page
 * lives in its slot until the caller releases it, once sent, so that many
 * clients asking for large pages at once share PAGE_SLOTS pages of memory,
 * not one each (but see PAGE_SLOTS).
 */
export class ReaderPool<D extends ReaderData = ReaderData> {
  private readonly workers: Array<{ worker: Worker; busy: Busy | null }> = [];
  private readonly queue: Task[] = [];
  private readonly slots = Array.from({ length: PAGE_SLOTS }, () => new SharedArrayBuffer(SLOT_BYTES));
  private readonly freeSlots = this.slots.map((_, i) => i);
  private waiting: NodeJS.Timeout | null = null;
  private closed = false;

  /** `entry` is a reader-thread module; `data` what it needs besides the slots. */
  constructor(
    private readonly entry: URL,
    private readonly data: Omit<D, 'slots'>,
    size: number,
  ) {
    for (let i = 0; i < size; i += 1) this.workers.push({ worker: this.spawn(i), busy: null });
  }

  private spawn(index: number): Worker {
    const data = { ...this.data, slots: this.slots } as D;
    const worker = spawnThread(this.entry, data);
    worker.on('message', (message: { page?: RunPage; length?: number; error?: ThreadError }) => {
      // A dead thread's last answer may come after its 'error', a closing pool's after close(): its page was failed there.
      if (this.workers[index].worker !== worker || this.workers[index].busy === null) return;
      const { task, slot } = this.finish(index);
      if (message.length !== undefined) {
        task.resolve({ ...message.page!, body: Buffer.from(this.slots[slot], 0, message.length), release: this.releaser(slot) });
        this.dispatch();
        return;
      }
      this.release(slot);
      if (message.error !== undefined) {
        task.reject(fromThreadError(message.error));
      } else {
        // A view of the transferred bytes: Buffer.from(Uint8Array) would copy them again.
        const bytes = message.page!.body as unknown as Uint8Array;
        task.resolve({ ...message.page!, body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
      }
    });
    worker.on('error', (error) => {
      const reader = this.workers[index];
      // The replacement first: freeing the slot hands the next page to this
      // reader, and a page posted to the dead thread would never be answered.
      if (!this.closed) reader.worker = this.spawn(index);
      if (reader.busy !== null) {
        const { task, slot } = this.finish(index);
        this.release(slot);
        task.reject(error);
      }
    });
    worker.unref();
    return worker;
  }

  private finish(index: number): Busy {
    const reader = this.workers[index];
    const busy = reader.busy!;
    reader.busy = null;
    reader.worker.unref();
    return busy;
  }

  /** Frees the slot once, however often it is called. */
  private releaser(slot: number): () => void {
    let released = false;
    return () => {
      if (!released) this.release(slot);
      released = true;
    };
  }

  private release(slot: number): void {
    if (slot !== NO_SLOT) this.freeSlots.push(slot);
    this.dispatch();
  }

  list(workspace: number, query: ListQuery): Promise<RunPage> {
    return new Promise((resolve, reject) => {
      this.queue.push({ workspace, query, queuedAt: performance.now(), resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const reader of this.workers) {
      if (reader.busy !== null) continue;
      if (this.queue.length === 0) return;
      const waited = performance.now() - this.queue[0].queuedAt;
      if (this.freeSlots.length === 0 && waited < SLOT_WAIT_MS) {
        this.waiting ??= setTimeout(() => {
          this.waiting = null;
          this.dispatch();
        }, SLOT_WAIT_MS - waited);
        return;
      }
      const task = this.queue.shift()!;
      const page = this.freeSlots.pop() ?? NO_SLOT;
      reader.busy = { task, slot: page };
      // An idle reader must not keep the process alive; a busy one must.
      reader.worker.ref();
      const request: ReadRequest = { workspace: task.workspace, query: task.query, slot: page };
      reader.worker.postMessage(request);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.waiting !== null) clearTimeout(this.waiting);
    const closed = new Error('the store is closed');
    for (const task of this.queue.splice(0)) task.reject(closed);
    // terminate() emits no 'error': a page being read would otherwise never settle.
    for (const [index, reader] of this.workers.entries()) if (reader.busy !== null) this.finish(index).task.reject(closed);
    await Promise.all(this.workers.map((reader) => reader.worker.terminate()));
  }
}
