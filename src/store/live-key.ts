import { keyId, keyMatches } from '../domain/api-key.ts';
import type { WorkspaceRef } from './run-row.ts';

/** A stored key as both stores read it by its id. */
export type KeyRow = WorkspaceRef & { hash: Buffer };

export interface LiveKey {
  id: string;
  workspace: WorkspaceRef;
}

/**
 * The live key's id and workspace, or null. The row is found by the key's id
 * and the secret is compared in constant time here, never by SQL.
 */
export async function liveKey(key: string, byId: (id: string) => KeyRow | undefined | Promise<KeyRow | undefined>): Promise<LiveKey | null> {
  const id = keyId(key);
  if (id === undefined) return null;
  const row = await byId(id);
  return row === undefined || !keyMatches(key, row.hash) ? null : { id, workspace: { num: row.num, id: row.id } };
}
