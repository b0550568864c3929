/**
 * The writer thread: every write of runs goes through its connection, so a
 * commit waiting for the disk never holds the main event loop (and so never
 * delays reads). Each message is one batch: one transaction, one fsync. The
 * rare writes of workspaces and keys (CLI commands, a server's first start)
 * stay on the main connection.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './open-database.ts';
import { RunWriter, type WriteOp } from './run-writer.ts';
import { toThreadError } from '../spawn-thread.ts';

const db = openDatabase((workerData as { path: string }).path);
// An import's batches each insert into random pages of the session_id index;
// with room to keep them between batches, the writer rereads and rewrites
// fewer (seed of 2,000,000 runs, alternating: 46-47 s against 50-59 s, and a
// quarter less system time). The cache only grows that large when a load
// that size touches it.
db.pragma('cache_size = -262144');
const writer = new RunWriter(db);

parentPort!.on('message', (ops: WriteOp[]) => {
  try {
    parentPort!.postMessage({ outcomes: writer.runBatch(ops) });
  } catch (error) {
    parentPort!.postMessage({ failed: toThreadError(error) });
  }
});
