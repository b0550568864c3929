import type { RunPage } from './run-store.ts';

/**
 * Added to created_at so that every instant a run can have (µs from about
 * 95,000 years before 1970 to 165,000 after) prints as 19 digits: the text
 * `created_at + offset || session_id` then sorts as the pair does, and a
 * page's least such key, one aggregate inside the database, names its last run.
 */
export const KEY_OFFSET = 4_000_000_000_000_000_000n;
const KEY_DIGITS = 19;

/** The last run of a page from its least key (null for an empty page). */
export function lastOfKey(key: string | null): RunPage['last'] {
  if (key === null) return undefined;
  return { createdAt: Number(BigInt(key.slice(0, KEY_DIGITS)) - KEY_OFFSET), sessionId: key.slice(KEY_DIGITS) };
}
