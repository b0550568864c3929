import type pg from 'pg';
import { foreignRun } from '../../domain/errors.ts';
import { ImportTally, type ImportItem } from '../../domain/import-line.ts';
import { renderRun, type Run } from '../../domain/run.ts';
import type { ImportResult } from '../../domain/schemas.ts';
import type { Micros } from '../../domain/timestamp.ts';
import { toDbTextOrNull } from './nul-safe-text.ts';
import { BatchPipeline } from '../batch-pipeline.ts';
import { copyFields, copyRows } from './copy-rows.ts';
import { inTransaction } from './in-transaction.ts';
import { monthOf, type Month, type RunPartitions } from './partitions.ts';
import { SQL } from './statements.ts';

export const IMPORT_BATCH = 5000;
/** "no partition of relation found for row": another process dropped a partition this one remembered. */
const NO_PARTITION = '23514';

/**
 * Stores an import a batch at a time, each batch in one transaction of a
 * few set-based statements (arrays bound to unnest): claim the batch's new
 * session_ids; lock, read and claim again those already taken, if any;
 * delete the runs that lines replace, if any; then COPY every line's run
 * in. All but the last batch commit without waiting for the disk; the last
 * one's durable commit flushes the WAL of all of them, so the answer still
 * comes only once the whole import is durable, and once the partitions it
 * grew have statistics again.
 */
export async function importRuns(
  pool: pg.Pool,
  partitions: RunPartitions,
  ws: number,
  items: AsyncIterable<ImportItem> | Iterable<ImportItem>,
): Promise<ImportResult> {
  const tally = new ImportTally();
  const pipeline = new BatchPipeline();
  const written = new Map<Month, number>();
  let batch = new ReadyBatch(ws, written);
  for await (const item of items) {
    // A full batch is stored once the next line shows it is not the last.
    if (batch.items.length === IMPORT_BATCH) {
      const full = batch;
      await pipeline.hand(() => storeBatch(pool, partitions, ws, full, tally, false));
      batch = new ReadyBatch(ws, written);
    }
    batch.add(item);
    // Without a turn of the event loop now and then, the batch being stored
    // would get each reply from PostgreSQL only when parsing paused for the
    // file. Each batch waits on several replies: a turn every 256 lines (about
    // 4 ms of parsing) left PostgreSQL idle a third of the import; every 32
    // made it 7-10 % faster (500,000 runs, alternating builds).
    if (batch.items.length % 32 === 0) await new Promise(setImmediate);
  }
  await pipeline.drained();
  await storeBatch(pool, partitions, ws, batch, tally, true);
  await partitions.analyzeGrown(written);
  return tally.result();
}

/** The columns of runs an import COPYs, in the order of its lines. */
export const COPY_COLUMNS = ['workspace', 'session_id', 'created_at', 'workflow_id', 'status', 'execution_start', 'execution_end', 'dry_run', 'credential_id', 'json', 'inputs'];

/** A run's row for COPY into COPY_COLUMNS, but the last column (inputs): known only once the batch's replaced runs are deleted. */
export const runFields = (ws: number, r: Run): string =>
  copyFields([ws, r.sessionId, r.createdAt, r.workflowId, r.status, r.executionStart, r.executionEnd, r.dryRun, toDbTextOrNull(r.credentialId), renderRun(r)]);

/** The whole COPY line of a run: its runFields and its inputs. */
export const runLine = (fields: string, inputs: string | null): string => `${fields}\t${copyFields([inputs])}\n`;

/**
 * A batch's lines, its runs by session_id, each with its row for COPY but
 * the inputs column, and the months they fall in; rendered as the lines
 * come, so that the JS work of a batch is done while the one before it is
 * stored, not in the store's queue. `written` counts the whole import's
 * runs by month (for analyzeGrown).
 */
class ReadyBatch {
  readonly items: ImportItem[] = [];
  readonly latest = new Map<string, { run: Run; fields: string }>();
  readonly months = new Set<Month>();

  constructor(
    private readonly ws: number,
    private readonly written: Map<Month, number>,
  ) {}

  add(item: ImportItem): void {
    this.items.push(item);
    if (!('run' in item)) return;
    const month = monthOf(item.run.createdAt);
    this.months.add(month);
    this.written.set(month, (this.written.get(month) ?? 0) + 1);
    // A session_id given twice in one batch ends as its last line's run.
    this.latest.set(item.run.sessionId, { run: item.run, fields: runFields(this.ws, item.run) });
  }
}

async function storeBatch(
  pool: pg.Pool,
  partitions: RunPartitions,
  ws: number,
  { items, latest, months }: ReadyBatch,
  tally: ImportTally,
  durable: boolean,
): Promise<void> {
  const write = async () => {
    await partitions.ensureMonths(months);
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
      tally.reject(item.line, foreignRun(item.run.sessionId));
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

async function writeRuns(client: pg.PoolClient, ws: number, latest: ReadyBatch['latest'], durable: boolean): Promise<Outcome> {
  // A durable commit needs a transaction id: with one, it flushes the WAL of the earlier batches even when this one writes nothing.
  await client.query(durable ? 'SELECT txid_current()' : "SET LOCAL synchronous_commit = 'off'");
  // Sorted, so that imports claiming the same ids wait for each other in one order, never in a cycle.
  const ids = [...latest.keys()].sort();
  const won = new Set<string>();
  const claim = async (statement: pg.QueryConfig, of: string[]) => {
    const { rows } = await client.query<{ session_id: string }>({ ...statement, values: [ws, of, of.map((id) => latest.get(id)!.run.createdAt)] });
    for (const row of rows) won.add(row.session_id);
  };
  // Most imported runs are new: claimed by one statement, with no owner to look up (a probe per run: about a sixth of a batch's time).
  await claim(SQL.claimNewOwners, ids);
  const taken = ids.filter((id) => !won.has(id));
  const foreign = new Set<string>();
  const previous = new Map<string, Micros>();
  if (taken.length > 0) {
    const owners = await client.query<{ session_id: string; workspace: number; created_at: Micros }>({ ...SQL.lockOwners, values: [taken] });
    for (const owner of owners.rows) {
      if (owner.workspace === ws) previous.set(owner.session_id, owner.created_at);
      else foreign.add(owner.session_id);
    }
    const mine = taken.filter((id) => !foreign.has(id));
    await claim(SQL.claimOwners, mine);
    // An id whose owner was gone by the lock (its month pruned), and that another workspace's import claimed meanwhile.
    for (const id of mine) if (!won.has(id)) foreign.add(id);
  }
  const runs = ids.filter((id) => won.has(id)).map((id) => latest.get(id)!);
  const replaced = runs.map(({ run }) => run).filter((r) => previous.has(r.sessionId));
  const inputs = new Map<string, string | null>();
  if (replaced.length > 0) {
    const deleted = await client.query<{ session_id: string; inputs: string | null }>({
      ...SQL.deleteRuns,
      values: [ws, replaced.map((r) => previous.get(r.sessionId)), replaced.map((r) => r.sessionId)],
    });
    for (const r of deleted.rows) inputs.set(r.session_id, r.inputs);
  }
  let lines = '';
  for (const { run, fields } of runs) lines += runLine(fields, inputs.get(run.sessionId) ?? null);
  await copyRows(client, 'runs', COPY_COLUMNS, lines);
  return { foreign, existing: new Set(previous.keys()) };
}
