import type { Worker } from 'node:worker_threads';
import type { ListQuery } from '../../domain/list-query.ts';
import type { RunPage } from '../run-store.ts';
import type { ReadRequest } from './reader-thread.ts';
import { spawnThread, type ThreadError } from './spawn-thread.ts';

interface Task {
  workspace: number;
  query: ListQuery;
  resolve: (page: RunPage) => void;
  reject: (error: Error) => void;
}

/** Pages over this many rows are "large": they are kept off the first reader. */
const LARGE_PAGE = 1000;


/**
 * Reader threads for GET /runs on SQLite (better-sqlite3 is synchronous, so a
 * read on the main thread would freeze every other request while it runs).
 * The first reader takes only pages of up to 1,000 rows, so small queries
 * never queue behind a 10,000-row page; the others take anything.
 */
export class ReaderPool {
  private readonly workers: Array<{ worker: Worker; task: Task | null }> = [];
  private readonly queue: Task[] = [];
  private closed = false;

  constructor(
    private readonly path: string,
    size: number,
  ) {
    for (let i = 0; i < size; i += 1) this.workers.push({ worker: this.spawn(i), task: null });
  }

  private spawn(index: number): Worker {
    const worker = spawnThread(new URL('./reader-thread.ts', import.meta.url), { path: this.path });
    worker.on('message', (message: { page?: RunPage; error?: ThreadError }) => {
      const slot = this.workers[index];
      const task = slot.task!;
      slot.task = null;
      slot.worker.unref();
      if (message.page) task.resolve({ ...message.page, body: Buffer.from(message.page.body as unknown as Uint8Array) });
      else task.reject(Object.assign(new Error(message.error!.message), { code: message.error!.code }));
      this.dispatch();
    });
    worker.on('error', (error) => {
      const slot = this.workers[index];
      slot.task?.reject(error);
      slot.task = null;
      if (!this.closed) slot.worker = this.spawn(index);
    });
    worker.unref();
    return worker;
  }

  list(workspace: number, query: ListQuery): Promise<RunPage> {
    return new Promise((resolve, reject) => {
      this.queue.push({ workspace, query, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    this.workers.forEach((slot, index) => {
      if (slot.task !== null) return;
      const smallOnly = index === 0 && this.workers.length > 1;
      const at = this.queue.findIndex((task) => !smallOnly || task.query.limit <= LARGE_PAGE);
      if (at === -1) return;
      const [task] = this.queue.splice(at, 1);
      slot.task = task;
      // An idle reader must not keep the process alive; a busy one must.
      slot.worker.ref();
      const request: ReadRequest = { workspace: task.workspace, query: task.query };
      slot.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('the store is closed'));
    await Promise.all(this.workers.map((slot) => slot.worker.terminate()));
  }
}
