import { Worker } from 'node:worker_threads';
import { ApiError, type ErrorCode } from '../domain/errors.ts';

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

/** An error thrown on a thread, as it is posted to another (an Error itself does not keep its code across). */
export const toThreadError = (error: unknown): ThreadError =>
  error instanceof ApiError
    ? { message: error.message, code: error.code, param: error.param, api: true }
    : { message: (error as Error).message, code: (error as { code?: string }).code };

/** The error a thread posted, rebuilt on the receiving side. */
export const fromThreadError = (error: ThreadError): Error =>
  error.api ? new ApiError(error.code as ErrorCode, error.message, error.param) : Object.assign(new Error(error.message), { code: error.code });
