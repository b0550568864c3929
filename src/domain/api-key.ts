import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `rl_<id>_<secret>`. The id finds the stored row without
 * the secret taking part in an index lookup; the secret is 256 random bits, so
 * one SHA-256 is a sufficient hash (a slow hash guards guessable passwords,
 * which these are not). Only the hash is stored.
 */
const KEY = /^rl_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewKey {
  id: string;
  key: string;
  hash: Buffer;
}

// crypto.hash, not createHash: one call instead of a Hash object per key, which
// made hashing the largest cost of an empty page's JS on PostgreSQL (key-cache.ts).
const hashKey = (key: string): Buffer => hash('sha256', key, 'buffer');

/** hashKey as text, for keeping a key in a map without keeping the key. */
export const keyDigest = (key: string): string => hash('sha256', key, 'base64');

export function makeKey(): NewKey {
  const id = randomBytes(8).toString('hex');
  const key = `rl_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, key, hash: hashKey(key) };
}

/** The key's id, or undefined when the text cannot be a key at all. */
export const keyId = (key: string): string | undefined => KEY.exec(key)?.[1];

export const keyMatches = (key: string, storedHash: Buffer): boolean =>
  storedHash.length === 32 && timingSafeEqual(hashKey(key), storedHash);
