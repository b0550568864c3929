import type { Micros } from '../src/domain/timestamp.ts';
import type { WorkspaceSpec } from './dataset.ts';
import { postgresInsertRate } from './insert-ceiling-postgres.ts';
import { sqliteInsertRate } from './insert-ceiling-sqlite.ts';
import type { Scratch } from './scratch.ts';
import { WorkClock, type Work } from './work-clock.ts';

/** Each store's own write of runs, with nothing else to do: what bounds the bulk-load target. */
export interface InsertCeiling {
  /** the store's own statement into runledger's schema, rows made and rendered beforehand, untimed. */
  everyIndex: Work;
  /**
   * the same with every index but the one that keeps session_id unique across
   * the installation (SQLite's runs_by_session; PostgreSQL's run_owners table,
   * not written at all): the one structure whose keys come in random order.
   */
  noSessionLookup: Work;
  /** the same with every secondary index dropped (the primary keys stay). */
  tableOnly: Work;
  /** the same into the bare tables, then their indexes built in one pass each (CREATE INDEX sorts): the best order for a load into an empty database. */
  indexesAfter: Work;
}

/** Which of runledger's write structures a ceiling load keeps: the four rows of InsertCeiling, in order. */
export type Indexes = 'kept' | 'no session lookup' | 'dropped' | 'built after';

/** Each way of loading, on a fresh database of the scratch's store. */
export async function measureInsertCeiling(scratch: Scratch, spec: WorkspaceSpec, now: Micros): Promise<InsertCeiling> {
  const rate = scratch.kind === 'sqlite' ? sqliteInsertRate : postgresInsertRate;
  const measure = async (indexes: Indexes) =>
    rate(await scratch.database(`ceiling_${indexes.replace(/\W/g, '_')}`), spec, now, indexes, () => WorkClock.start(scratch.checkpoint));
  return {
    everyIndex: await measure('kept'),
    noSessionLookup: await measure('no session lookup'),
    tableOnly: await measure('dropped'),
    indexesAfter: await measure('built after'),
  };
}
