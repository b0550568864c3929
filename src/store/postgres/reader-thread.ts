/**
 * A reader thread: one connection of its own ("runledger large pages" in
 * pg_stat_activity) answers large list queries, so that the megabytes of a
 * 10,000-row page are decoded, copied and collected outside the main heap.
 */
import { workerData } from 'node:worker_threads';
import { serveReads, type ReaderData } from '../serve-reads.ts';
import { listRuns } from './list-runs.ts';
import { connectionPool } from './open-database.ts';
import { ReadPipeline } from './read-pipeline.ts';

export interface PostgresReaderData extends ReaderData {
  url: string;
}

const reads = new ReadPipeline(connectionPool((workerData as PostgresReaderData).url, 1, 'runledger large pages'), 1);
serveReads((workspace, query) => listRuns(reads, workspace, query));
