import type { RunPage } from '../run-store.ts';

const OPEN = 0x5b; // [
const COMMA = 0x2c;
const CLOSE = 0x5d; // ]

/**
 * A page of runs as one JSON array's bytes, its runs' stored fragments
 * copied in as they come off the socket, so that no fragment is ever a JS
 * string. The buffer is taken at the first piece, of `sizeHint` bytes or
 * the piece's size (an empty page takes none), and doubles when a page
 * outgrows it.
 */
export class PageBytes {
  private body = Buffer.alloc(0);
  private at = 1;
  private count = 0;

  constructor(private readonly sizeHint = 0) {}

  /** The fragments of `runs` runs, joined by commas: data from start to end. */
  add(data: Buffer, start: number, end: number, runs = 1): void {
    // Room for a comma before and the closing bracket after, so that a page of one piece is never copied.
    this.room(end - start + 2);
    if (this.count > 0) this.body[this.at++] = COMMA;
    this.count += runs;
    this.at += data.copy(this.body, this.at, start, end);
  }

  finish(): RunPage {
    if (this.count === 0) return { body: Buffer.from('[]'), count: 0 };
    this.room(1);
    this.body[this.at++] = CLOSE;
    return { body: this.body.subarray(0, this.at), count: this.count };
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.body.length) return;
    const larger = Buffer.allocUnsafe(Math.max(this.at + bytes, this.body.length * 2, this.sizeHint));
    if (this.body.length === 0) larger[0] = OPEN;
    else this.body.copy(larger, 0, 0, this.at);
    this.body = larger;
  }
}
