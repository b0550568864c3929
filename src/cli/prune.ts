import { Command } from 'commander';
import { MAX_AGE } from '../domain/list-query.ts';
import { formatTimestamp, MICROS_PER_DAY, nowMicros } from '../domain/timestamp.ts';
import { dbOption, withStore } from './options.ts';

const MIN_DAYS = MAX_AGE / MICROS_PER_DAY;

const days = (text: string): number => {
  const m = /^(\d+)d$/.exec(text);
  if (m === null) throw new Error(`--older-than must be a number of days like 365d, got ${JSON.stringify(text)}`);
  const value = Number(m[1]);
  // GET /runs reaches back 365 days: a run it can still return is never dropped.
  if (value < MIN_DAYS) throw new Error(`--older-than must be at least ${MIN_DAYS}d, since GET /runs still reaches runs that young; got ${text}`);
  return value;
};

/**
 * PostgreSQL only: it drops whole partitions (quarters, or months in a
 * database made before schema 4), which costs nothing however many runs
 * they hold. The SQLite store keeps every run, so on it the command says
 * so and fails rather than pretend to have pruned.
 */
export const pruneCommand = () =>
  new Command('prune')
    .description('PostgreSQL: drop the partitions of runs (quarters) entirely older than the cutoff (at least 365d)')
    .requiredOption('--older-than <days>', 'age cutoff, e.g. 365d', days)
    .addOption(dbOption())
    .action((flags: { olderThan: number; db?: string }) =>
      withStore(flags, async (store) => {
        if (store.prune === undefined) {
          throw new Error('prune drops PostgreSQL partitions; the SQLite store keeps every run and nothing was deleted');
        }
        const cutoff = nowMicros() - flags.olderThan * MICROS_PER_DAY;
        const dropped = await store.prune(cutoff);
        process.stdout.write(
          dropped.length === 0
            ? `no partition ends before ${formatTimestamp(cutoff)}; nothing dropped\n`
            : `dropped ${dropped.length} partition(s) ending before ${formatTimestamp(cutoff)}: ${dropped.join(', ')}\n`,
        );
      }),
    );
