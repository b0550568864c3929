/**
 * The writer thread: every write of the server goes through its connection,
 * so a commit waiting for the disk never holds the main event loop (and so
 * never delays reads). Each message is one batch: one transaction, one fsync.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './open-database.ts';
import { RunWriter, type WriteOp } from './run-writer.ts';

const writer = new RunWriter(openDatabase((workerData as { path: string }).path));

parentPort!.on('message', (ops: WriteOp[]) => {
  try {
    parentPort!.postMessage({ outcomes: writer.runBatch(ops) });
  } catch (error) {
    const { message, code } = error as { message: string; code?: string };
    parentPort!.postMessage({ failed: { message, code } });
  }
});
