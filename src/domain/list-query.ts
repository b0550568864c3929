import { invalidParameter, tooManyValues } from './errors.ts';
import { decodeCursor, type CursorPosition } from './cursor.ts';
import type { QueryValues } from './query-params.ts';
import { CLOCK_SKEW_SECONDS, ListRunsQuery, MAX_AGE_DAYS, MAX_LIST_VALUES } from './schemas.ts';
import type { Status } from './statuses.ts';
import { formatTimestamp, parseTimestamp, MICROS_PER_DAY, MICROS_PER_SECOND, type Micros } from './timestamp.ts';

/** A validated GET /runs request: what the store needs, nothing more. */
export interface ListQuery {
  start: Micros;
  end: Micros;
  workflowIds: string[];
  statuses: Status[];
  credentialIds: string[];
  limit: number;
  cursor?: CursorPosition;
}

const DEFAULT_WINDOW = MICROS_PER_DAY;
export const MAX_AGE = MAX_AGE_DAYS * MICROS_PER_DAY;
const CLOCK_SKEW = CLOCK_SKEW_SECONDS * MICROS_PER_SECOND;

/** Merges a field's single and list forms; values are deduplicated, UUIDs lowercased. */
function merged(values: QueryValues, single: string, plural: string, lower: boolean): string[] {
  const all = [values[single] as string | undefined, ...((values[plural] as string[] | undefined) ?? [])]
    .filter((v): v is string => v !== undefined)
    .map((v) => (lower ? v.toLowerCase() : v));
  const unique = [...new Set(all)];
  if (unique.length > MAX_LIST_VALUES) {
    throw tooManyValues(plural, `at most ${MAX_LIST_VALUES} values with ${single}`, unique.length);
  }
  return unique;
}

/** Applies defaults and the bounds that depend on the clock to query values already read against ListRunsQuery. */
export function toListQuery(values: QueryValues, now: Micros): ListQuery {
  const start = values.start_time === undefined ? now - DEFAULT_WINDOW : parseTimestamp(values.start_time as string)!;
  const end = values.end_time === undefined ? now : parseTimestamp(values.end_time as string)!;
  if (start < now - MAX_AGE) {
    throw invalidParameter('start_time', `no older than ${MAX_AGE_DAYS} days (${formatTimestamp(now - MAX_AGE)})`, values.start_time);
  }
  if (end > now + CLOCK_SKEW) {
    throw invalidParameter('end_time', `no later than ${CLOCK_SKEW_SECONDS} s from now (${formatTimestamp(now + CLOCK_SKEW)})`, values.end_time);
  }
  if (end < start) {
    throw invalidParameter('end_time', `at or after start_time (${formatTimestamp(start)})`, values.end_time ?? formatTimestamp(end));
  }
  let cursor: CursorPosition | undefined;
  if (values.cursor !== undefined) {
    cursor = decodeCursor(values.cursor as string);
    if (cursor === undefined) throw invalidParameter('cursor', ListRunsQuery.properties.cursor.description!, values.cursor);
  }
  return {
    start,
    end,
    workflowIds: merged(values, 'workflow_id', 'workflow_ids', true),
    statuses: merged(values, 'status', 'statuses', false) as Status[],
    credentialIds: merged(values, 'credential_id', 'credential_ids', false),
    limit: (values.limit as number | undefined) ?? ListRunsQuery.properties.limit.default,
    cursor,
  };
}
