import { Worker } from 'node:worker_threads';

const TSX = import.meta.resolve('tsx/esm/api');

/**
 * Starts a worker thread on a TypeScript module. A worker does not inherit
 * the main thread's tsx hooks, so it registers them before loading its entry.
 */
export function spawnThread(entry: URL, workerData: unknown): Worker {
  const bootstrap = `import(${JSON.stringify(TSX)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** An error as it crosses between threads: enough to rebuild an ApiError or a driver error with its code. */
export interface ThreadError {
  message: string;
  code?: string;
  param?: string;
  api?: boolean;
}
