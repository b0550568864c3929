import pg from 'pg';
import type { RunPage } from '../run-store.ts';
import { tapMessages, type Verdict } from './message-tap.ts';
import { PageBytes } from './page-bytes.ts';

/** PGCOPY\n\377\r\n\0, then 32 bits of flags and the length of a header extension. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const COPY_OUT_RESPONSE = 0x48; // H
const COPY_DATA = 0x64; // d

/**
 * Receives `COPY (SELECT json …) TO STDOUT (FORMAT binary)`. Each CopyData
 * message is one row: a 16-bit field count (1), then the fragment's length
 * and bytes, which go straight into the page. A SELECT's rows would each be
 * decoded into a JS string and written back into bytes; for a 10,000-run
 * page that was most of the reader thread's work. pg's parser would still
 * make two objects per row (the GC then took a sixth of the time), so while
 * the COPY streams, its messages are read off the socket (message-tap.ts);
 * from CopyDone on, or at any other message (an error, a notice), pg's
 * parser reads again and ends the query through the handle* methods below.
 */
class CopyPage implements pg.Submittable {
  readonly done: Promise<RunPage>;
  private settle!: { resolve: (page: RunPage) => void; reject: (error: Error) => void };
  private readonly page: PageBytes;
  private headerRead = false;
  private error?: Error;

  constructor(
    private readonly text: string,
    sizeHint: number,
  ) {
    this.page = new PageBytes(sizeHint);
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
  }

  submit(connection: pg.Connection): void {
    tapMessages(connection, this.message);
    connection.query(this.text);
  }

  /** Only once the socket is pg's again (a notice came mid-COPY, say). */
  handleCopyData({ chunk }: { chunk: Buffer }): void {
    this.rows(chunk, 0, chunk.length);
  }

  handleCommandComplete(): void {}

  handleError(error: Error): void {
    this.error ??= error;
    this.settle.reject(error);
  }

  handleReadyForQuery(): void {
    if (this.error !== undefined) return this.settle.reject(this.error);
    this.settle.resolve(this.page.finish());
  }

  private readonly message = (code: number, data: Buffer, start: number, end: number): Verdict => {
    if (code === COPY_DATA) this.rows(data, start, end);
    return code === COPY_DATA || code === COPY_OUT_RESPONSE ? 'take' : 'release';
  };

  /** The rows in data from start to end: one CopyData message's. */
  private rows(data: Buffer, start: number, end: number): void {
    try {
      this.readRows(data, start, end);
    } catch (error) {
      this.error ??= error as Error;
    }
  }

  private readRows(data: Buffer, start: number, end: number): void {
    let at = start;
    if (!this.headerRead) {
      if (data.compare(SIGNATURE, 0, SIGNATURE.length, at, at + SIGNATURE.length) !== 0) throw new Error('COPY did not answer in binary format');
      at += SIGNATURE.length + 8 + data.readUInt32BE(at + SIGNATURE.length + 4);
      this.headerRead = true;
    }
    while (at < end) {
      const fields = data.readInt16BE(at);
      if (fields === -1) return; // the trailer
      const length = data.readInt32BE(at + 2);
      if (fields !== 1 || length < 0) throw new Error(`COPY sent a row of ${fields} fields, the first ${length} bytes long`);
      at += 6;
      this.page.add(data, at, at + length);
      at += length;
    }
  }
}

/**
 * A page of runs from a query of one column, the runs' JSON fragments, as
 * one array's bytes. sizeHint: the bytes expected, so that the page is
 * rarely copied into a larger buffer as it grows.
 */
export async function copyPage(pool: pg.Pool, select: string, sizeHint: number): Promise<RunPage> {
  const client = await pool.connect();
  try {
    const page = await client.query(new CopyPage(`COPY (${select}) TO STDOUT (FORMAT binary)`, sizeHint)).done;
    client.release();
    return page;
  } catch (error) {
    // As pool.query does: a connection whose query failed is not handed out again.
    client.release(error as Error);
    throw error;
  }
}
