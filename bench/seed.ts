import { numberedItems } from '../src/domain/import-line.ts';
import { nowMicros, type Micros } from '../src/domain/timestamp.ts';
import { openStore } from '../src/store/open-store.ts';
import { Profile, workspaceRuns, workspaceSpecs } from './dataset.ts';
import type { BenchOptions } from './options.ts';
import type { Scratch } from './scratch.ts';
import { postgresClient, sqliteClient, type SqlClient } from './sql-client.ts';
import { createThinTable, loadThinTable } from './thin-table.ts';

export interface Tenant {
  name: string;
  id: string;
  key: string;
}

/** Two databases holding the same runs: runledger's, seeded through its own store, and the thin server's. */
export interface Seeded {
  now: Micros;
  runledgerDb: string;
  thin: { sqlite: string } | { postgres: string };
  big: Tenant;
  small?: Tenant;
  profile: Profile;
  seedSeconds: number;
  thinSeconds: number;
}

export const openThinClient = (thin: Seeded['thin'], connections = 1): SqlClient =>
  'sqlite' in thin ? sqliteClient(thin.sqlite) : postgresClient(thin.postgres, connections);

export async function seedBoth(options: BenchOptions, scratch: Scratch, log: (line: string) => void): Promise<Seeded> {
  const now = nowMicros();
  const specs = workspaceSpecs(options.runs, options.shape);
  const profile = new Profile();
  const runledgerDb = await scratch.database('runledger');
  const store = await openStore({ db: runledgerDb, groupCommit: true, poolSize: 4 });
  const ids = new Map<string, string>();
  let started = performance.now();
  try {
    for (const spec of specs) {
      const runs = await store.workspace(spec.name, true);
      ids.set(spec.name, runs!.workspaceId);
      const generated = workspaceRuns(spec, runs!.workspaceId, now);
      await runs!.importRuns(numberedItems(spec.name === 'big' ? profile.tap(generated) : generated));
    }
    const seedSeconds = (performance.now() - started) / 1000;
    log(`seeded ${options.runs} runs in ${specs.length} workspace(s) through runledger's store in ${seedSeconds.toFixed(1)} s`);
    const tenant = async (name: string): Promise<Tenant> => ({ name, id: ids.get(name)!, key: (await store.createKey(name)).key });
    const big = await tenant('big');
    const small = specs.length > 1 ? await tenant(specs[1].name) : undefined;

    const thin: Seeded['thin'] = scratch.kind === 'sqlite' ? { sqlite: scratch.file('thin.db') } : { postgres: await scratch.database('thin') };
    const client = 'sqlite' in thin ? sqliteClient(thin.sqlite, ['journal_mode = WAL', 'synchronous = NORMAL']) : openThinClient(thin);
    started = performance.now();
    try {
      await createThinTable(client, scratch.kind);
      const all = function* () {
        for (const spec of specs) yield* workspaceRuns(spec, ids.get(spec.name)!, now);
      };
      await loadThinTable(client, scratch.kind, all());
    } finally {
      await client.close();
    }
    const thinSeconds = (performance.now() - started) / 1000;
    log(`loaded the same runs into the thin table in ${thinSeconds.toFixed(1)} s`);
    if ('postgres' in thin) await settle([runledgerDb, thin.postgres], scratch);
    return { now, runledgerDb, thin, big, small, profile, seedSeconds, thinSeconds };
  } finally {
    await store.close();
  }
}

/**
 * Leaves both PostgreSQL databases as a deployment's autovacuum would after
 * a load (it vacuums insert-only tables since PostgreSQL 13; this machine's
 * server runs with it off), and their pages written out. Otherwise the first
 * reads of each server would set every row's hint bits, and the checkpointer
 * write the load's pages out, while they are measured.
 */
async function settle(databases: readonly string[], scratch: Scratch): Promise<void> {
  for (const url of databases) {
    const client = postgresClient(url, 1);
    try {
      await client.exec('VACUUM');
    } finally {
      await client.close();
    }
  }
  await scratch.checkpoint?.();
}
