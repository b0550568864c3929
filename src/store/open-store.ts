import type { RunStore } from './run-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';

export interface StoreOptions {
  /** A file path, sqlite:PATH or postgres://… (contract section 9). */
  db: string;
  groupCommit: boolean;
  poolSize: number;
  /** SQLite reader threads; none when absent. */
  readers?: number;
}

export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//.test(db);

/** Opens the store a database URL names, making or upgrading its schema. */
export async function openStore(options: StoreOptions): Promise<RunStore> {
  if (isPostgresUrl(options.db)) {
    const { PostgresStore } = await import('./postgres/postgres-store.ts');
    return PostgresStore.open({ url: options.db, poolSize: options.poolSize });
  }
  const path = options.db.startsWith('sqlite:') ? options.db.slice('sqlite:'.length) : options.db;
  return new SqliteStore({ path, groupCommit: options.groupCommit, readers: options.readers ?? 0 });
}
