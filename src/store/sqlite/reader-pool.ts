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


/**
 * Reader threads for large GET /runs pages on SQLite (better-sqlite3 is
 * synchronous, so a long read on the main thread would freeze every other
 * request while it runs). Each thread takes the next queued page when free.
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
      if (message.page) {
        // A view of the transferred bytes: Buffer.from(Uint8Array) would copy them again.
        const bytes = message.page.body as unknown as Uint8Array;
        task.resolve({ ...message.page, body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
      }
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
    for (const slot of this.workers) {
      if (slot.task !== null) continue;
      const task = this.queue.shift();
      if (task === undefined) return;
      slot.task = task;
      // An idle reader must not keep the process alive; a busy one must.
      slot.worker.ref();
      const request: ReadRequest = { workspace: task.workspace, query: task.query };
      slot.worker.postMessage(request);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('the store is closed'));
    await Promise.all(this.workers.map((slot) => slot.worker.terminate()));
  }
}
