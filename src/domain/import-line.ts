import { ApiError, foreignWorkspace, lineNotJson, lineTooLong, notAnObject } from './errors.ts';
import { checkObject } from './check.ts';
import type { Run } from './run.ts';
import { ImportLine, type ImportLineInput, type ImportResult } from './schemas.ts';
import { ndjsonLines } from './ndjson.ts';
import type { Status } from './statuses.ts';
import { parseTimestamp } from './timestamp.ts';

/** One NDJSON line of an import: a run to store, or why it was refused. */
export type ImportItem = { line: number; run: Run } | { line: number; error: string };

const timeOrNull = (value: string | null | undefined) => (value == null ? null : parseTimestamp(value)!);

/** Reads one import line (contract section 8) for the given workspace. */
function readImportLine(text: string, line: number, workspaceId: string): ImportItem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { line, error: lineNotJson() };
  }
  try {
    const input = checkObject<ImportLineInput>(ImportLine, parsed, () => notAnObject('the line'));
    if (input.workspace_id !== undefined && input.workspace_id.toLowerCase() !== workspaceId) {
      return { line, error: foreignWorkspace(input.workspace_id) };
    }
    return {
      line,
      run: {
        sessionId: input.session_id.toLowerCase(),
        workspaceId,
        workflowId: input.workflow_id.toLowerCase(),
        status: input.status as Status,
        createdAt: parseTimestamp(input.created_at)!,
        executionStart: timeOrNull(input.execution_start),
        executionEnd: timeOrNull(input.execution_end),
        dryRun: input.dry_run ?? false,
        credentialId: input.credential_id ?? null,
      },
    };
  } catch (error) {
    if (error instanceof ApiError) return { line, error: error.message };
    throw error;
  }
}

/** Runs already made (seeding, tests) as import items, numbered like the lines of a file. */
export function* numberedItems(runs: Iterable<Run>): Generator<ImportItem> {
  let line = 0;
  for (const run of runs) yield { line: (line += 1), run };
}

const MAX_IMPORT_LINE = 1024 * 1024;
const MAX_REPORTED_REJECTIONS = 10_000;

/** The import items of an NDJSON byte stream; blank lines are skipped but keep their number. */
export async function* importItems(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, workspaceId: string): AsyncGenerator<ImportItem> {
  for await (const item of ndjsonLines(chunks, MAX_IMPORT_LINE)) {
    if ('tooLong' in item) yield { line: item.line, error: lineTooLong(MAX_IMPORT_LINE) };
    else if (item.text.trim() !== '') yield readImportLine(item.text, item.line, workspaceId);
  }
}

/** Counts an import's outcome; the first 10,000 rejections are listed, all are counted. */
export class ImportTally {
  inserted = 0;
  updated = 0;
  private readonly rejected: ImportResult['rejected'] = [];
  private rejectedTotal = 0;

  reject(line: number, message: string): void {
    this.rejectedTotal += 1;
    if (this.rejected.length < MAX_REPORTED_REJECTIONS) this.rejected.push({ line, message });
  }

  result(): ImportResult {
    return { inserted: this.inserted, updated: this.updated, rejected: this.rejected, rejected_total: this.rejectedTotal };
  }
}
