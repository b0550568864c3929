import { keyDigest } from '../../domain/api-key.ts';
import type { WorkspaceRef } from './statements.ts';

/** How long a checked key is trusted without asking the database again. */
const KEY_CACHE_MS = 1000;
const MAX_ENTRIES = 10_000;

/**
 * Remembers, for one second, the keys that were found live, so that a busy
 * client costs one key lookup a second instead of one round trip a request.
 * The price: a key revoked by another process keeps working for up to that
 * second (a revoke through this process takes effect at once). Entries are
 * held by the key's SHA-256, never the key itself; unknown keys are not
 * remembered, so a new key works at once.
 */
export class KeyCache {
  private readonly entries = new Map<string, { workspace: WorkspaceRef; keyId: string; until: number }>();

  get(key: string): { workspace: WorkspaceRef; keyId: string } | undefined {
    const digest = keyDigest(key);
    const entry = this.entries.get(digest);
    if (entry === undefined) return undefined;
    if (entry.until > performance.now()) return entry;
    this.entries.delete(digest);
    return undefined;
  }

  set(key: string, workspace: WorkspaceRef, keyId: string): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(keyDigest(key), { workspace, keyId, until: performance.now() + KEY_CACHE_MS });
  }

  forget(key: string): void {
    this.entries.delete(keyDigest(key));
  }
}
