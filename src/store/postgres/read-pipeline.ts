import pg from 'pg';
import type { SqlValue } from './sql-literal.ts';

/** A named statement and its values: it is prepared once per connection. */
export interface NamedStatement {
  name: string;
  text: string;
  values: readonly SqlValue[];
}

/** A row as PostgreSQL sends it: each column's text, or null. */
export type TextRow = (string | null)[];

interface Pending {
  statement: NamedStatement;
  resolve: (rows: TextRow[]) => void;
  reject: (error: Error) => void;
}

/** The part of pg's connection a batch writes to; pg types it only in part. */
interface Wire extends pg.Connection {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
}

/** pg's own mapping of a JS value to a parameter's text (a list to an array literal). */
const { prepareValue } = (pg as unknown as { utils: { prepareValue: (value: unknown) => unknown } }).utils;

/** Statements sent in one write at most: bounds how long the last of them waits behind the others. */
const MAX_BATCH = 32;

/**
 * Statements sent together on one connection: Parse (once per connection),
 * Bind and Execute for each, then one Sync, in a single write. PostgreSQL
 * runs them in order and answers each as it finishes, so each caller gets
 * its rows at its CommandComplete, not at the end of the batch. An error
 * ends the batch: PostgreSQL skips what follows up to the Sync, so the
 * statements after the failed one are handed back to be sent again.
 */
class Batch implements pg.Submittable {
  /** Settles once the connection is done with the batch: with the error that ended it, if one did. */
  readonly done: Promise<Error | undefined>;
  private settle!: (error: Error | undefined) => void;
  private rows: TextRow[] = [];
  private finished = 0;

  constructor(
    private readonly items: Pending[],
    private readonly giveBack: (skipped: Pending[]) => void,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  submit(connection: pg.Connection): void {
    const wire = connection as Wire;
    wire.stream.cork();
    for (const { statement } of this.items) {
      const { name, text, values } = statement;
      if (wire.parsedStatements[name] === undefined && wire.submittedNamedStatements[name] === undefined) {
        wire.parse({ name, text, types: [] }, false);
        // Marked at once, so that a later statement of the batch does not parse it again; a failed batch's connection is discarded.
        wire.parsedStatements[name] = text;
      }
      wire.bind({ statement: name, values: values as unknown[], valueMapper: prepareValue } as pg.BindConfig, false);
      wire.execute({}, false);
    }
    wire.sync();
    wire.stream.uncork();
  }

  handleDataRow({ fields }: { fields: TextRow }): void {
    this.rows.push(fields);
  }

  handleCommandComplete(): void {
    this.items[this.finished++].resolve(this.rows);
    this.rows = [];
  }

  handleError(error: Error): void {
    this.items[this.finished]?.reject(error);
    this.giveBack(this.items.slice(this.finished + 1));
    this.settle(error);
  }

  handleReadyForQuery(): void {
    this.settle(undefined);
  }
}

/**
 * Reads of small pages, pipelined. Each request costs a round trip: a
 * write and a read on the socket here and in the backend, and the backend
 * woken and put to sleep again, which for an empty page is more than the
 * statement itself. At most `lanes` connections of the pool read; a read
 * that finds one free is sent at once, and reads that come while all are
 * busy are sent together as one batch when the next one is free. Under
 * load the round trips are shared; alone, a read waits for nothing.
 */
export class ReadPipeline {
  private readonly queue: Pending[] = [];
  private active = 0;

  constructor(
    readonly pool: pg.Pool,
    private readonly lanes: number,
  ) {}

  rows(statement: NamedStatement): Promise<TextRow[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ statement, resolve, reject });
      if (this.active < this.lanes) void this.lane();
    });
  }

  /** Sends batches on one connection while reads are waiting. */
  private async lane(): Promise<void> {
    this.active++;
    let client: pg.PoolClient | undefined;
    while (this.queue.length > 0) {
      const items = this.queue.splice(0, MAX_BATCH);
      try {
        client ??= await this.pool.connect();
      } catch (error) {
        for (const item of items) item.reject(error as Error);
        continue;
      }
      const batch = client.query(new Batch(items, (skipped) => this.queue.unshift(...skipped)));
      const error = await batch.done;
      if (error !== undefined) {
        // Which statements the connection holds prepared is no longer known: it is not used again.
        client.release(error);
        client = undefined;
      }
    }
    client?.release();
    this.active--;
  }
}
