import type pg from 'pg';
import { ImportTally, type ImportItem } from '../../domain/import-line.ts';
import { renderRun, type Run } from '../../domain/run.ts';
import type { ImportResult } from '../../domain/schemas.ts';
import type { Micros } from '../../domain/timestamp.ts';
import { toDbTextOrNull } from './nul-safe-text.ts';
import { BatchPipeline } from '../batch-pipeline.ts';
import { inTransaction } from './open-database.ts';
import type { MonthlyPartitions } from './partitions.ts';
import { SQL } from './statements.ts';

const IMPORT_BATCH = 5000;
/** "no partition of relation found for row": another process dropped a partition this one remembered. */
const NO_PARTITION = '23514';

/**
 * Stores an import a batch at a time, each batch in one transaction of a
 * few set-based statements (arrays bound to unnest): lock the owners of the
 * batch's session_ids, claim the new ones, delete the runs that lines
 * replace, insert every line's run. All but the last batch commit without
 * waiting for the disk; the last one's durable commit flushes the WAL of all
 * of them, so the answer still comes only once the whole import is durable.
 */
export async function importRuns(
  pool: pg.Pool,
  partitions: MonthlyPartitions,
  ws: number,
  items: AsyncIterable<ImportItem> | Iterable<ImportItem>,
): Promise<ImportResult> {
  const tally = new ImportTally();
  const pipeline = new BatchPipeline();
  let batch: ImportItem[] = [];
  for await (const item of items) {
    // A full batch is stored once the next line shows it is not the last.
    if (batch.length === IMPORT_BATCH) {
      const full = batch;
      await pipeline.hand(() => storeBatch(pool, partitions, ws, full, tally, false));
      batch = [];
    }
    batch.push(item);
  }
  await pipeline.drained();
  await storeBatch(pool, partitions, ws, batch, tally, true);
  return tally.result();
}

async function storeBatch(
  pool: pg.Pool,
  partitions: MonthlyPartitions,
  ws: number,
  items: ImportItem[],
  tally: ImportTally,
  durable: boolean,
): Promise<void> {
  // A session_id given twice in one batch ends as its last line's run.
  const latest = new Map<string, Run>();
  for (const item of items) if ('run' in item) latest.set(item.run.sessionId, item.run);
  const write = async () => {
    await partitions.ensure([...latest.values()].map((run) => run.createdAt));
    return inTransaction(pool, (client) => writeRuns(client, ws, latest, durable));
  };
  let outcome: Outcome;
  try {
    outcome = await write();
  } catch (error) {
    if ((error as { code?: string }).code !== NO_PARTITION) throw error;
    partitions.forget();
    outcome = await write();
  }
  const seen = outcome.existing;
  for (const item of items) {
    if ('error' in item) tally.reject(item.line, item.error);
    else if (outcome.foreign.has(item.run.sessionId)) {
      tally.reject(item.line, `session_id ${item.run.sessionId} belongs to a run outside this workspace`);
    } else if (seen.has(item.run.sessionId)) tally.updated += 1;
    else {
      tally.inserted += 1;
      seen.add(item.run.sessionId);
    }
  }
}

interface Outcome {
  /** session_ids that another workspace owns: their lines are rejected. */
  foreign: Set<string>;
  /** session_ids this workspace had before the batch: their lines update. */
  existing: Set<string>;
}

async function writeRuns(client: pg.PoolClient, ws: number, latest: Map<string, Run>, durable: boolean): Promise<Outcome> {
  // A durable commit needs a transaction id: with one, it flushes the WAL of the earlier batches even when this one writes nothing.
  await client.query(durable ? 'SELECT txid_current()' : "SET LOCAL synchronous_commit = 'off'");
  const ids = [...latest.keys()].sort();
  const owners = await client.query<{ session_id: string; workspace: number; created_at: Micros }>({ ...SQL.lockOwners, values: [ids] });
  const foreign = new Set<string>();
  const previous = new Map<string, Micros>();
  for (const owner of owners.rows) {
    if (owner.workspace === ws) previous.set(owner.session_id, owner.created_at);
    else foreign.add(owner.session_id);
  }
  const mine = ids.filter((id) => !foreign.has(id));
  const claimed = await client.query<{ session_id: string }>({
    ...SQL.claimOwners,
    values: [ws, mine, mine.map((id) => latest.get(id)!.createdAt)],
  });
  // An id no owner row had, but that another workspace's import claimed meanwhile.
  const won = new Set(claimed.rows.map((r) => r.session_id));
  for (const id of mine) if (!won.has(id)) foreign.add(id);
  const runs = mine.filter((id) => won.has(id)).map((id) => latest.get(id)!);
  const replaced = runs.filter((r) => previous.has(r.sessionId));
  const deleted = await client.query<{ session_id: string; inputs: string | null }>({
    ...SQL.deleteRuns,
    values: [ws, replaced.map((r) => previous.get(r.sessionId)), replaced.map((r) => r.sessionId)],
  });
  const inputs = new Map(deleted.rows.map((r) => [r.session_id, r.inputs]));
  await client.query({
    ...SQL.insertRuns,
    values: [
      ws,
      runs.map((r) => r.sessionId),
      runs.map((r) => r.createdAt),
      runs.map((r) => r.workflowId),
      runs.map((r) => r.status),
      runs.map((r) => r.executionStart),
      runs.map((r) => r.executionEnd),
      runs.map((r) => r.dryRun),
      runs.map((r) => toDbTextOrNull(r.credentialId)),
      runs.map((r) => renderRun(r)),
      runs.map((r) => inputs.get(r.sessionId) ?? null),
    ],
  });
  return { foreign, existing: new Set(previous.keys()) };
}
