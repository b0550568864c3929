import type { ListQuery } from '../domain/list-query.ts';

/**
 * How a GET /runs query is read, decided once for every store. A filter with
 * one value is an equality on its index; with several values one of the
 * multi-valued filters is "fanned out": each value becomes its own keyset
 * scan in index order, and the scans are merged newest first, so the database
 * reads about `limit` rows instead of sorting the whole window. Up to
 * MAX_FAN_OUT values; past that (only possible for workflows and credentials)
 * the filter is an IN list checked along the primary key range, still in
 * list order: so many values select a large share of the runs anyway. Where
 * any filter has one value, nothing is fanned out: that equality's index
 * drives one scan, and the other filters are checked on its entries. The
 * PostgreSQL store fans out further from this plan (postgres/list-runs.ts).
 */
export type FilterColumn = 'workflow_id' | 'status' | 'credential_id';

export interface Filter {
  column: FilterColumn;
  values: readonly string[];
}

export interface ListPlan {
  /** Filters applied as `column = value` (one value) or `column IN list`. */
  filters: Filter[];
  /** The filter whose values each get a scan of their own, if any. */
  fanOut?: Filter;
  /**
   * The column whose (workspace, column, created_at, session_id) index drives
   * the scan; none for the clustered primary key. A planner without
   * statistics would rather filter the primary key range, which for a rare
   * credential reads a year of runs to find a few.
   */
  index?: FilterColumn;
  /** Identifies the SQL text: same shape, same prepared statement. */
  shape: string;
}

export const MAX_FAN_OUT = 64;

/** Preference for the fanned-out filter when counts tie: the most selective index first. */
const SELECTIVITY: readonly FilterColumn[] = ['credential_id', 'workflow_id', 'status'];

export function listPlan(query: ListQuery): ListPlan {
  const all: Filter[] = [
    { column: 'credential_id', values: query.credentialIds },
    { column: 'workflow_id', values: query.workflowIds },
    { column: 'status', values: query.statuses },
  ].filter((f) => f.values.length > 0) as Filter[];
  const hasEquality = all.some((f) => f.values.length === 1);
  const candidates = all
    .filter((f) => f.values.length > 1 && f.values.length <= MAX_FAN_OUT)
    .sort((a, b) => a.values.length - b.values.length || SELECTIVITY.indexOf(a.column) - SELECTIVITY.indexOf(b.column));
  const fanOut = hasEquality ? undefined : candidates[0];
  const filters = all.filter((f) => f !== fanOut);
  const equality = all.filter((f) => f.values.length === 1).sort((a, b) => SELECTIVITY.indexOf(a.column) - SELECTIVITY.indexOf(b.column));
  const index = fanOut?.column ?? equality[0]?.column;
  const shape = [
    `by ${index ?? 'key'}`,
    ...filters.map((f) => `${f.column}${f.values.length === 1 ? '=' : ' in'}`),
    fanOut ? `${fanOut.column}*${fanOut.values.length}` : '',
  ].join(',');
  return { filters, fanOut, index, shape };
}

/** Every combination of one value index per fanned-out filter: the arms a store merges. */
export function combinations(filters: readonly Filter[]): number[][] {
  return filters.reduce<number[][]>((acc, f) => acc.flatMap((c) => f.values.map((_, i) => [...c, i])), [[]]);
}
