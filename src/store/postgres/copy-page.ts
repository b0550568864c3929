import type { Socket } from 'node:net';
import pg from 'pg';
import type { RunPage } from '../run-store.ts';

/** PGCOPY\n\377\r\n\0, then 32 bits of flags and the length of a header extension. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** A protocol message: a code byte, then its length (counting itself, not the code). */
const HEADER = 5;
const COPY_OUT_RESPONSE = 0x48; // H
const COPY_DATA = 0x64; // d
const COPY_DONE = 0x63; // c

type DataListener = (chunk: Buffer) => void;

/**
 * Receives `COPY (SELECT json …) TO STDOUT (FORMAT binary)`. Each CopyData
 * message is one row: a 16-bit field count (1), then the fragment's length
 * and bytes, which are copied straight into the page. A SELECT's rows would
 * each be decoded into a JS string and written back into bytes; for a
 * 10,000-run page that was most of the reader thread's work. pg's parser
 * would still make two objects per row (the GC then took a sixth of the
 * time), so while the COPY streams, its messages are read here, straight
 * off the socket, as pg-copy-streams does; everything after CopyDone, or any
 * other message (an error, a notice), is handed back to pg's parser, which
 * then ends the query through the handle* methods below.
 */
class CopyPage implements pg.Submittable {
  readonly done: Promise<RunPage>;
  private settle!: { resolve: (page: RunPage) => void; reject: (error: Error) => void };
  private body: Buffer;
  private at = 1;
  private count = 0;
  private headerRead = false;
  private error?: Error;
  private socket?: Socket;
  private pgListener?: DataListener;
  /** The start of a message split across socket reads. */
  private partial?: Buffer;

  constructor(
    private readonly text: string,
    sizeHint: number,
  ) {
    this.body = Buffer.allocUnsafe(Math.max(sizeHint, 2));
    this.body[0] = 0x5b; // [
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
  }

  submit(connection: pg.Connection): void {
    const socket = (connection as unknown as { stream: Socket }).stream;
    const listeners = socket.listeners('data') as DataListener[];
    if (listeners.length === 1) {
      this.socket = socket;
      this.pgListener = listeners[0];
      socket.removeListener('data', this.pgListener);
      socket.on('data', this.onData);
    }
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
    this.room(1);
    this.body[this.at++] = 0x5d; // ]
    this.settle.resolve({ body: this.body.subarray(0, this.at), count: this.count });
  }

  private readonly onData = (chunk: Buffer): void => {
    let at = 0;
    if (this.partial !== undefined) {
      // Complete the split message from the front of this chunk, then read it alone.
      const have = this.partial.length;
      const need = have < HEADER ? HEADER - have : 1 + this.partial.readInt32BE(1) - have;
      at = Math.min(need, chunk.length);
      this.partial = Buffer.concat([this.partial, chunk.subarray(0, at)]);
      if (at < need) return;
      const message = this.partial;
      this.partial = undefined;
      if (have < HEADER) return this.onData(Buffer.concat([message, chunk.subarray(at)]));
      if (!this.message(message, chunk.subarray(at))) return;
    }
    while (chunk.length - at >= HEADER) {
      const end = at + 1 + chunk.readInt32BE(at + 1);
      if (end > chunk.length) break;
      if (chunk[at] === COPY_DATA) this.rows(chunk, at + HEADER, end);
      else if (!this.message(chunk.subarray(at, end), chunk.subarray(end))) return;
      at = end;
    }
    if (at < chunk.length) this.partial = Buffer.from(chunk.subarray(at));
  };

  /** Reads one whole message; false once the socket is handed back to pg, with what came after it. */
  private message(message: Buffer, after: Buffer): boolean {
    const code = message[0];
    if (code === COPY_DATA) this.rows(message, HEADER, message.length);
    else if (code === COPY_DONE) return this.handBack(after), false;
    else if (code !== COPY_OUT_RESPONSE) return this.handBack(Buffer.concat([message, after])), false;
    return true;
  }

  private handBack(rest: Buffer): void {
    this.socket!.removeListener('data', this.onData);
    this.socket!.on('data', this.pgListener!);
    if (rest.length > 0) this.pgListener!(rest);
  }

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
      this.room(length + 1);
      if (this.count++ > 0) this.body[this.at++] = 0x2c; // ,
      this.at += data.copy(this.body, this.at, at, at + length);
      at += length;
    }
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.body.length) return;
    const larger = Buffer.allocUnsafe(Math.max(this.at + bytes, this.body.length * 2));
    this.body.copy(larger, 0, 0, this.at);
    this.body = larger;
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
