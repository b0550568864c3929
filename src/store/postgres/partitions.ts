import type pg from 'pg';
import type { Micros } from '../../domain/timestamp.ts';
import { inTransaction } from './in-transaction.ts';
import { MAX_AGE } from '../../domain/list-query.ts';
import { PARTITION_LOCK } from './migrations.ts';

/** How many months past the current one exist before any run needs them. */
const MONTHS_AHEAD = 3;

const NAME = /^runs_p(\d{4})(\d{2})$/;

/** A calendar month (UTC) as a count of months since year 0. */
export type Month = number;

/**
 * Share of a partition's rows a load must add for its statistics to be
 * taken again at once: autovacuum's own default threshold
 * (autovacuum_analyze_scale_factor), which it would reach a minute later.
 */
const GROWN = 0.1;

export const monthOf = (micros: Micros): Month => {
  const date = new Date(Math.floor(micros / 1000));
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
};

/** The first microsecond of a month. */
export function monthStart(month: Month): Micros {
  const date = new Date(0);
  date.setUTCFullYear(Math.floor(month / 12), month % 12, 1);
  return date.getTime() * 1000;
}

/** The month a partition holds, from its name; undefined for a table not named as a partition. */
function monthOfName(name: string): Month | undefined {
  const m = NAME.exec(name);
  return m === null ? undefined : Number(m[1]) * 12 + Number(m[2]) - 1;
}

export const partitionName = (month: Month): string =>
  `runs_p${String(Math.floor(month / 12)).padStart(4, '0')}${String((month % 12) + 1).padStart(2, '0')}`;

/**
 * The monthly partitions of runs. There is deliberately no DEFAULT partition:
 * rows in it would have to be scanned by every query and moved out before a
 * month could be added, and it could never be dropped by age. Instead a
 * partition is made before the first row of its month is written: the months
 * ahead of now when the store opens and whenever a run is created, and any
 * month an import reaches (old or future). Made partitions are remembered,
 * so a write checks a Set, not the catalogue.
 */
export class MonthlyPartitions {
  private readonly known = new Set<Month>();

  constructor(private readonly pool: pg.Pool) {}

  /** Makes sure each of these months has its partition. */
  async ensureMonths(months: Iterable<Month>): Promise<void> {
    const missing = new Set<Month>();
    for (const month of months) if (!this.known.has(month)) missing.add(month);
    if (missing.size === 0) return;
    // Made in their own short transaction: adding a partition locks the parent table until commit.
    await inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      for (const month of missing) {
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(month)} PARTITION OF runs FOR VALUES FROM (${monthStart(month)}) TO (${monthStart(month + 1)})`,
        );
      }
    });
    for (const month of missing) this.known.add(month);
  }

  /**
   * The partition that holds every run from `from` to `to`, when both fall in
   * one month that this process made or found (so it exists) and that
   * `runledger prune`, which keeps the last MAX_AGE, cannot drop meanwhile;
   * otherwise runs itself. list-runs.ts says why a page reads it directly.
   */
  holding(from: Micros, to: Micros, now: Micros): string {
    const month = monthOf(from);
    const prunable = monthOf(now - MAX_AGE);
    return month === monthOf(to) && month > prunable && this.known.has(month) ? partitionName(month) : 'runs';
  }

  /** The current month and the ones after it. */
  ensureAhead(now: Micros): Promise<void> {
    const month = monthOf(now);
    return this.ensureMonths(Array.from({ length: MONTHS_AHEAD + 1 }, (_, i) => month + i));
  }

  /**
   * Takes the statistics of every partition a bulk load grew by a tenth or
   * more (or that never had any), as autovacuum would in a minute or so.
   * Until then PostgreSQL plans pages of a freshly loaded month blind:
   * planned for its values with the window's bounds guessed apart (as a
   * merge of arms writes them), a year-long 500-run page of 1,000,000 runs
   * just imported was a sort of the whole window, 356 ms instead of 0.5 ms.
   */
  async analyzeGrown(written: ReadonlyMap<Month, number>): Promise<void> {
    const added = new Map(Array.from(written, ([month, runs]) => [partitionName(month), runs]));
    const { rows } = await this.pool.query<{ name: string; tuples: number }>(
      'SELECT relname AS name, reltuples AS tuples FROM pg_class WHERE relname = ANY($1)',
      [[...added.keys()]],
    );
    for (const { name, tuples } of rows) {
      if (tuples < 0 || added.get(name)! >= GROWN * tuples) await this.pool.query(`ANALYZE ${name}`);
    }
  }

  /** After a write failed for want of a partition (another process dropped it): look again next time. */
  forget(): void {
    this.known.clear();
  }

  /**
   * Drops every partition whose months end at or before cutoff, and the
   * run_owners rows of the runs it held. Returns the dropped partitions' names.
   */
  async dropBefore(cutoff: Micros): Promise<string[]> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      const { rows } = await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'runs'::regclass ORDER BY 1`,
      );
      const dropped: string[] = [];
      let end: Micros | undefined;
      for (const { name } of rows) {
        const month = monthOfName(name);
        if (month === undefined || monthStart(month + 1) > cutoff) continue;
        await client.query(`DROP TABLE ${name}`);
        dropped.push(name);
        end = monthStart(month + 1);
      }
      if (end !== undefined) {
        await client.query('DELETE FROM run_owners o USING workspaces w WHERE o.workspace = w.num AND o.created_at < $1', [end]);
      }
      this.known.clear();
      return dropped;
    });
  }
}
