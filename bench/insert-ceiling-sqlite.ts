import type { Run } from '../src/domain/run.ts';
import type { Micros } from '../src/domain/timestamp.ts';
import { openDatabase } from '../src/store/sqlite/open-database.ts';
import { addRun, emptyColumns, insertRun, type RunColumns } from '../src/store/sqlite/run-columns.ts';
import { prepareStatements } from '../src/store/sqlite/statements.ts';
import { IMPORT_BATCH } from '../src/store/sqlite/import-runs.ts';
import { LOAD_WORKSPACE_ID, workspaceRuns, type WorkspaceSpec } from './dataset.ts';
import type { Indexes } from './insert-ceiling.ts';
import type { Work, WorkClock } from './work-clock.ts';

function* batches(runs: Iterable<Run>): Generator<RunColumns> {
  let columns = emptyColumns();
  for (const run of runs) {
    addRun(columns, run, 0);
    if (columns.line.length === IMPORT_BATCH) {
      yield columns;
      columns = emptyColumns();
    }
  }
  if (columns.line.length > 0) yield columns;
}

/**
 * What SQLite itself allows on this machine, for the bulk-load target: the
 * same runs straight into runledger's tables with nothing else to do (no
 * parsing, no validation, no rendering, no thread hand-over). Times only the
 * INSERTs (transactions the size of the import's), so that what is left is
 * SQLite's own cost.
 */
export async function sqliteInsertRate(path: string, spec: WorkspaceSpec, now: Micros, indexes: Indexes, startClock: () => Promise<WorkClock>): Promise<Work> {
  const db = openDatabase(path);
  try {
    // Every secondary index of runs, whatever the migrations have made of them.
    const made = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs' AND sql IS NOT NULL").all() as Array<{ name: string; sql: string }>;
    const dropped = indexes === 'kept' ? [] : indexes === 'no session lookup' ? made.filter((index) => index.name === 'runs_by_session') : made;
    for (const index of dropped) db.exec(`DROP INDEX ${index.name}`);
    const sql = prepareStatements(db);
    sql.insertWorkspace.run(LOAD_WORKSPACE_ID, 'ceiling');
    const { num } = sql.workspaceByName.get('ceiling') as { num: number };
    const clock = await startClock();
    for (const c of batches(workspaceRuns(spec, LOAD_WORKSPACE_ID, now))) {
      await clock.time(() =>
        db.transaction(() => {
          for (let i = 0; i < c.line.length; i += 1) insertRun(sql.insertRun, num, c, i);
        }).immediate(),
      );
    }
    if (indexes === 'built after') {
      await clock.time(() => {
        for (const index of made) db.exec(index.sql);
      });
    }
    return await clock.result(spec.runs);
  } finally {
    db.close();
  }
}
