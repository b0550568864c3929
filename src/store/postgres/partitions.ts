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
 * Months a partition spans: 3 in a database made at schema 4 or later, 1 in
 * one made before (migrations.ts records which). A year-long page reads
 * every partition of its window, and each costs PostgreSQL an index scan
 * set up and descended: for a rare credential's page of 330 runs over a
 * year, 1,265 µs of PostgreSQL's CPU through 13 monthly partitions, 1,043
 * through 5 quarterly ones and 998 through one table (pgbench, 600,000
 * runs). The price is that prune frees space a quarter at a time.
 */
export type Span = 1 | 3;

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

/** The first month a partition holds, from its name; undefined for a table not named as a partition. */
function monthOfName(name: string): Month | undefined {
  const m = NAME.exec(name);
  return m === null ? undefined : Number(m[1]) * 12 + Number(m[2]) - 1;
}

const partitionName = (month: Month): string =>
  `runs_p${String(Math.floor(month / 12)).padStart(4, '0')}${String((month % 12) + 1).padStart(2, '0')}`;

/** The first month of the partition that holds a month. */
const firstMonth = (month: Month, span: Span): Month => month - (month % span);

/** The name of the partition that holds a month. */
export const partitionOf = (month: Month, span: Span): string => partitionName(firstMonth(month, span));

/**
 * The partitions of runs, each a span of months named for its first month.
 * There is deliberately no DEFAULT partition: rows in it would have to be
 * scanned by every query and moved out before a partition could be added,
 * and it could never be dropped by age. Instead a partition is made before
 * the first row of its months is written: the months ahead of now when the
 * store opens and whenever a run is created, and any month an import reaches
 * (old or future). Made partitions are remembered, so a write checks a Set,
 * not the catalogue.
 */
export class RunPartitions {
  private readonly known = new Set<Month>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly span: Span,
  ) {}

  /** The partitions of the database this pool reaches, as its schema recorded them. */
  static async open(pool: pg.Pool): Promise<RunPartitions> {
    const { rows } = await pool.query<{ months: Span }>('SELECT months FROM partition_span');
    return new RunPartitions(pool, rows[0].months);
  }

  private first(month: Month): Month {
    return firstMonth(month, this.span);
  }

  /** Makes sure each of these months has its partition. */
  async ensureMonths(months: Iterable<Month>): Promise<void> {
    const missing = new Set<Month>();
    for (const month of months) if (!this.known.has(this.first(month))) missing.add(this.first(month));
    if (missing.size === 0) return;
    // Made in their own short transaction: adding a partition locks the parent table until commit.
    await inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      for (const first of missing) {
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(first)} PARTITION OF runs FOR VALUES FROM (${monthStart(first)}) TO (${monthStart(first + this.span)})`,
        );
      }
    });
    for (const first of missing) this.known.add(first);
  }

  /**
   * The partition that holds every run from `from` to `to`, when both fall in
   * one partition that this process made or found (so it exists) and that
   * `runledger prune`, which keeps the last MAX_AGE, cannot drop meanwhile;
   * otherwise runs itself. list-runs.ts says why a page reads it directly.
   */
  holding(from: Micros, to: Micros, now: Micros): string {
    const first = this.first(monthOf(from));
    const prunable = this.first(monthOf(now - MAX_AGE));
    return first === this.first(monthOf(to)) && first > prunable && this.known.has(first) ? partitionName(first) : 'runs';
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
    const added = new Map<string, number>();
    for (const [month, runs] of written) {
      const name = partitionOf(month, this.span);
      added.set(name, (added.get(name) ?? 0) + runs);
    }
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
        const first = monthOfName(name);
        if (first === undefined || monthStart(first + this.span) > cutoff) continue;
        await client.query(`DROP TABLE ${name}`);
        dropped.push(name);
        end = monthStart(first + this.span);
      }
      if (end !== undefined) {
        await client.query('DELETE FROM run_owners o USING workspaces w WHERE o.workspace = w.num AND o.created_at < $1', [end]);
      }
      this.known.clear();
      return dropped;
    });
  }
}
