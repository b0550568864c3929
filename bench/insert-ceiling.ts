import type { Micros } from '../src/domain/timestamp.ts';
import type { WorkspaceSpec } from './dataset.ts';
import { measurePostgresInsertCeiling } from './insert-ceiling-postgres.ts';
import { measureSqliteInsertCeiling } from './insert-ceiling-sqlite.ts';
import type { Scratch } from './scratch.ts';

/** runs/s of each store's own write of runs, with nothing else to do: what bounds the bulk-load target. */
export interface InsertCeiling {
  /** the store's own statement into runledger's schema, rows made and rendered beforehand, untimed. */
  everyIndex: number;
  /** the same with every secondary index dropped (the primary keys stay). */
  tableOnly: number;
  /** the same into the bare tables, then their indexes built in one pass each (CREATE INDEX sorts): the best order for a load into an empty database. */
  indexesAfter: number;
}

export type Indexes = 'kept' | 'dropped' | 'built after';

/** The three ceilings, each on a fresh database of the scratch's store. */
export async function measureInsertCeiling(scratch: Scratch, spec: WorkspaceSpec, now: Micros): Promise<InsertCeiling> {
  const dbs: [string, string, string] = [await scratch.database('ceiling_all'), await scratch.database('ceiling_table'), await scratch.database('ceiling_after')];
  return scratch.kind === 'sqlite' ? measureSqliteInsertCeiling(dbs, spec, now) : measurePostgresInsertCeiling(dbs, spec, now);
}
