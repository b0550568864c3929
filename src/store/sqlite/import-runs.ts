import { ImportTally, type ImportItem } from '../../domain/import-line.ts';
import type { ImportResult } from '../../domain/schemas.ts';
import { BatchPipeline } from '../batch-pipeline.ts';
import { addRun, emptyColumns, type RunColumns } from './run-columns.ts';
import type { ImportCounts } from './run-writer.ts';
import type { WorkspaceRef } from './statements.ts';
import type { WriteBatcher } from './write-batcher.ts';

type Rejection = [line: number, message: string];

/** Two lists of rejections, each in line order, as one. */
function inLineOrder(a: Rejection[], b: Rejection[]): Rejection[] {
  return a.length === 0 ? b : b.length === 0 ? a : [...a, ...b].sort((x, y) => x[0] - y[0]);
}

/** Lines an import sends to the writer at a time: large enough to amortise a commit, small enough to stream. */
export const IMPORT_BATCH = 50_000;

/**
 * Streams the import to the writer in batches. While the writer stores one
 * batch, the next is read, parsed and rendered here, on the other core;
 * memory holds two batches, whatever the size of the import.
 */
export async function importRuns(writes: WriteBatcher, workspace: WorkspaceRef, items: AsyncIterable<ImportItem> | Iterable<ImportItem>): Promise<ImportResult> {
  const tally = new ImportTally();
  const pipeline = new BatchPipeline();
  const store = async (runs: RunColumns, refused: Rejection[]) => {
    const counts = (await writes.submit({ kind: 'import', workspace, runs })) as ImportCounts;
    tally.inserted += counts.inserted;
    tally.updated += counts.updated;
    for (const [line, message] of inLineOrder(refused, counts.rejected)) tally.reject(line, message);
  };
  let runs = emptyColumns();
  let refused: Rejection[] = [];
  const hand = async () => {
    const [full, fullRefused] = [runs, refused];
    await pipeline.hand(() => store(full, fullRefused));
    runs = emptyColumns();
    refused = [];
  };
  for await (const item of items) {
    if ('error' in item) refused.push([item.line, item.error]);
    else addRun(runs, item.run, item.line);
    if (runs.line.length + refused.length === IMPORT_BATCH) await hand();
  }
  await hand();
  await pipeline.drained();
  return tally.result();
}
