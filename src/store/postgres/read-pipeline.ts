import pg from 'pg';
import type { RunPage } from '../run-store.ts';
import { tapMessages, type Verdict } from './message-tap.ts';
import { PageBytes } from './page-bytes.ts';
import type { SqlValue } from './sql-literal.ts';

/** A named statement and its values: it is prepared once per connection. */
export interface NamedStatement {
  name: string;
  text: string;
  values: readonly SqlValue[];
}

interface Pending {
  statement: NamedStatement;
  resolve: (page: RunPage) => void;
  reject: (error: Error) => void;
}

const PARSE_COMPLETE = 0x31; // 1
const BIND_COMPLETE = 0x32; // 2
const DATA_ROW = 0x44; // D
const COMMAND_COMPLETE = 0x43; // C
const NOTICE = 0x4e; // N
const PARAMETER_STATUS = 0x53; // S
const NOTIFICATION = 0x41; // A

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
 * its page at its CommandComplete, not at the end of the batch. An error
 * ends the batch: PostgreSQL skips what follows up to the Sync, so the
 * statements after the failed one are handed back to be sent again.
 *
 * Each row a statement selects is a number of runs and their JSON fragments
 * joined by commas, copied into the page as bytes off the socket
 * (message-tap.ts). pg reads ReadyForQuery and errors itself, and ends the
 * batch through the handle* methods, which also read rows should pg's
 * parser have them.
 */
class Batch implements pg.Submittable {
  /** Settles once the connection is done with the batch: with the error that ended it, if one did. */
  readonly done: Promise<Error | undefined>;
  private settle!: (error: Error | undefined) => void;
  private finished = 0;
  private page = new PageBytes();

  constructor(
    private readonly items: Pending[],
    private readonly giveBack: (skipped: Pending[]) => void,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  submit(connection: pg.Connection): void {
    tapMessages(connection, this.message);
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

  handleDataRow({ fields: [runs, joined] }: { fields: (string | null)[] }): void {
    if (joined === null) return;
    const bytes = Buffer.from(joined);
    this.page.add(bytes, 0, bytes.length, Number(runs));
  }

  handleCommandComplete(): void {
    this.items[this.finished++].resolve(this.page.finish());
    this.page = new PageBytes();
  }

  private readonly message = (code: number, data: Buffer, start: number): Verdict => {
    switch (code) {
      case DATA_ROW: {
        // A field count (2), then each field's length (-1: null) and text: the runs, then their fragments.
        const runsEnd = start + 6 + data.readInt32BE(start + 2);
        const length = data.readInt32BE(runsEnd);
        if (length >= 0) this.page.add(data, runsEnd + 4, runsEnd + 4 + length, Number(data.toString('latin1', start + 6, runsEnd)));
        return 'take';
      }
      case COMMAND_COMPLETE:
        this.handleCommandComplete();
        return 'take';
      case PARSE_COMPLETE:
      case BIND_COMPLETE:
        return 'take';
      case NOTICE:
      case PARAMETER_STATUS:
      case NOTIFICATION:
        return 'pass';
      default:
        // ReadyForQuery, an error, or anything unforeseen: pg reads it.
        return 'release';
    }
  };

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

  /** The page a statement selects: rows of (a number of runs, their fragments joined by commas). */
  page(statement: NamedStatement): Promise<RunPage> {
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
