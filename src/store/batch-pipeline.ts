/**
 * Stores an import's batches strictly one after another while the caller
 * reads and parses the next, so that parsing (here) and storing (a writer
 * thread, or the database server) use both cores; at most one batch is being
 * stored and one filled.
 */
export class BatchPipeline {
  private storing: Promise<void> = Promise.resolve();

  /** Waits for the batch being stored, then starts storing this one. */
  async hand(store: () => Promise<void>): Promise<void> {
    await this.storing;
    this.storing = store();
    // Awaited by the next hand() or by drained(); until then a failure must not count as unhandled.
    this.storing.catch(() => {});
  }

  /** Resolves when the last batch is stored; rejects if it failed. */
  drained(): Promise<void> {
    return this.storing;
  }
}
