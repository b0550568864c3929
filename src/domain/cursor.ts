import { parseTimestamp, type Micros } from './timestamp.ts';

/** Where a page ends: runs strictly after this position (in newest-first order) come next. */
export interface CursorPosition {
  createdAt: Micros;
  /** Absent for a plain-timestamp cursor: every run at createdAt is then excluded. */
  sessionId?: string;
}

const TOKEN = /^c1\.(-?\d{1,17})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The opaque X-Next-Cursor token: it carries the session_id tie-breaker that a timestamp cannot. */
export function encodeCursor(position: Required<CursorPosition>): string {
  return Buffer.from(`c1.${position.createdAt}.${position.sessionId}`).toString('base64url');
}

/** Reads a cursor parameter: an RFC 3339 timestamp or a token; undefined when it is neither. */
export function decodeCursor(text: string): CursorPosition | undefined {
  const createdAt = parseTimestamp(text);
  if (createdAt !== undefined) return { createdAt };
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(text)) return undefined;
  const m = TOKEN.exec(Buffer.from(text, 'base64url').toString('latin1'));
  if (m === null) return undefined;
  const micros = Number(m[1]);
  return Number.isSafeInteger(micros) ? { createdAt: micros, sessionId: m[2] } : undefined;
}
