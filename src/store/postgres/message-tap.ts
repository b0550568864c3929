import type { Socket } from 'node:net';
import type pg from 'pg';

/** A protocol message: a code byte, then its length (counting itself, not the code). */
const HEADER = 5;

/**
 * What becomes of one whole message: `take`n here, `pass`ed to pg's parser
 * alone (a notice, say, which pg reports as it always does), or `release`d:
 * pg's parser reads it and everything after, and the tap is gone.
 */
export type Verdict = 'take' | 'pass' | 'release';

/** Judges one message: its code, and its payload in data from start to end. */
export type MessageHandler = (code: number, data: Buffer, start: number, end: number) => Verdict;

type DataListener = (chunk: Buffer) => void;

/**
 * Reads a query's answer straight off the connection's socket, as
 * pg-copy-streams does: pg's parser would decode each row into a JS string
 * and an object or two, only for the page to write the string back into
 * bytes. From the call on, each whole message goes to the handler, until it
 * releases the socket to pg (at ReadyForQuery, at the latest, so that pg
 * ends the query itself). Taps nothing when the socket is not read by
 * pg's one listener as expected; pg then parses as usual.
 */
export function tapMessages(connection: pg.Connection, handle: MessageHandler): void {
  const socket = (connection as unknown as { stream: Socket }).stream;
  const listeners = socket.listeners('data') as DataListener[];
  if (listeners.length !== 1) return;
  const pgListener = listeners[0];
  /** A message split across socket reads: the pieces so far, their bytes, and the message's length once its header is in. */
  let pieces: Buffer[] = [];
  let have = 0;
  let need = 0;

  const release = (rest: Buffer): void => {
    socket.removeListener('data', onData);
    socket.on('data', pgListener);
    if (rest.length > 0) pgListener(rest);
  };

  /** One whole message at data[at, end), and what came after it; false once released. */
  const message = (data: Buffer, at: number, end: number, following: Buffer): boolean => {
    const verdict = handle(data[at], data, at + HEADER, end);
    if (verdict === 'release') return release(Buffer.concat([data.subarray(at, end), following])), false;
    if (verdict === 'pass') pgListener(data.subarray(at, end));
    return true;
  };

  const onData = (chunk: Buffer): void => {
    let at = 0;
    if (have > 0) {
      // Complete the split message from the front of this chunk, copying it once, whatever its size.
      if (need === 0) {
        const head = Buffer.concat([...pieces, chunk]);
        pieces = [];
        have = 0;
        return onData(head);
      }
      at = Math.min(need - have, chunk.length);
      pieces.push(chunk.subarray(0, at));
      have += at;
      if (have < need) return;
      const whole = Buffer.concat(pieces, need);
      pieces = [];
      have = 0;
      if (!message(whole, 0, need, chunk.subarray(at))) return;
    }
    while (chunk.length - at >= HEADER) {
      const end = at + 1 + chunk.readInt32BE(at + 1);
      if (end > chunk.length) break;
      if (!message(chunk, at, end, chunk.subarray(end))) return;
      at = end;
    }
    if (at < chunk.length) {
      pieces = [chunk.subarray(at)];
      have = chunk.length - at;
      need = have >= HEADER ? 1 + chunk.readInt32BE(at + 1) : 0;
    }
  };

  socket.removeListener('data', pgListener);
  socket.on('data', onData);
}
