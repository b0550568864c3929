import type Database from 'better-sqlite3';

type Pending = { op: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };

/**
 * Group commit: writes that arrive while the event loop is busy (including
 * while the previous commit is being synced to disk) are run together in one
 * transaction, each in its own savepoint so that one refused write does not
 * undo the others, and all are answered after the single durable commit.
 * Switched off, each write is its own transaction: the benchmark compares both.
 */
export class WriteBatcher {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Database.Database,
    private readonly grouped: boolean,
  ) {}

  run<T>(op: () => T): Promise<T> {
    if (!this.grouped) {
      try {
        return Promise.resolve(this.db.transaction(op).immediate());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    try {
      this.db.transaction(() => {
        for (const { op } of batch) {
          try {
            outcomes.push({ ok: true, value: this.db.transaction(op)() });
          } catch (error) {
            outcomes.push({ ok: false, value: error });
          }
        }
      }).immediate();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => (outcomes[i].ok ? pending.resolve(outcomes[i].value) : pending.reject(outcomes[i].value)));
  }
}
