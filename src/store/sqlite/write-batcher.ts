import type { Worker } from 'node:worker_threads';
import type { Outcome, RunWriter, WriteOp } from './run-writer.ts';
import { fromThreadError, spawnThread, toThreadError, type ThreadError } from '../spawn-thread.ts';

type Pending = { op: WriteOp; resolve: (value: unknown) => void; reject: (error: unknown) => void };

/**
 * Group commit. Writes queue while the previous batch is being committed;
 * when it is done, everything queued goes as the next batch, one transaction
 * and one fsync for all of them. With a writer thread (a database file) the
 * commits run off the main event loop; without one (an in-memory database)
 * a batch is what arrived within one turn of the event loop. With grouping
 * off, every write is a batch of its own: the benchmark compares both.
 */
export class WriteBatcher {
  private queue: Pending[] = [];
  private inFlight: Pending[] | null = null;
  private thread?: Worker;
  private readonly path?: string;
  private readonly inline?: RunWriter;

  constructor(
    private readonly grouped: boolean,
    target: { path: string } | { writer: RunWriter },
  ) {
    if ('path' in target) {
      this.path = target.path;
      this.thread = this.spawn();
    } else {
      this.inline = target.writer;
    }
  }

  private spawn(): Worker {
    const thread = spawnThread(new URL('./writer-thread.ts', import.meta.url), { path: this.path });
    thread.on('message', (reply: { outcomes?: Outcome[]; failed?: ThreadError }) => this.settle(reply));
    // A thread that could not open the database (or died) fails the writes it
    // holds, rather than the process or a caller left waiting; the next write
    // starts a new one. Of a driver error thrown there, only its code may arrive.
    let lost: { message?: string; code?: string } | undefined;
    thread.on('error', (error) => (lost = error));
    thread.on('exit', (exitCode) => {
      if (this.thread !== thread) return;
      this.thread = undefined;
      const message = lost?.message || `the SQLite writer thread stopped (${lost?.code ?? `exit code ${exitCode}`})`;
      if (this.inFlight !== null) this.settle({ failed: { message, code: lost?.code } });
    });
    thread.unref();
    return thread;
  }

  submit(op: WriteOp): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (this.inFlight === null && this.queue.length === 1) {
        if (this.path !== undefined) this.send();
        else setImmediate(() => this.send());
      }
    });
  }

  private send(): void {
    if (this.inFlight !== null || this.queue.length === 0) return;
    const batch = this.grouped ? this.queue : this.queue.slice(0, 1);
    this.queue = this.grouped ? [] : this.queue.slice(1);
    this.inFlight = batch;
    const ops = batch.map((p) => p.op);
    if (this.path !== undefined) {
      this.thread ??= this.spawn();
      this.thread.ref();
      this.thread.postMessage(ops);
      return;
    }
    try {
      this.settle({ outcomes: this.inline!.runBatch(ops) });
    } catch (error) {
      this.settle({ failed: toThreadError(error) });
    }
  }

  private settle(reply: { outcomes?: Outcome[]; failed?: ThreadError }): void {
    const batch = this.inFlight!;
    this.inFlight = null;
    this.thread?.unref();
    batch.forEach((pending, i) => {
      if (reply.failed) return pending.reject(fromThreadError(reply.failed));
      const outcome = reply.outcomes![i];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(fromThreadError(outcome.error));
    });
    if (this.path !== undefined) this.send();
    else if (this.queue.length > 0) setImmediate(() => this.send());
  }

  /** Waits for queued writes to commit, then stops the writer thread. */
  async close(): Promise<void> {
    while (this.inFlight !== null || this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const thread = this.thread;
    this.thread = undefined;
    await thread?.terminate();
  }
}
