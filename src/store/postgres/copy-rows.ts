import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

type Field = string | number | boolean | null;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One field in COPY's text format: NULL as \N; backslash, tab and line breaks escaped. */
function copyField(value: Field): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return typeof value === 'boolean' ? (value ? 't' : 'f') : String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : value;
}

/** Fields of a row in COPY's text format, tab-separated; lines end each row with "\n". */
export const copyFields = (values: readonly Field[]): string => values.map(copyField).join('\t');

/**
 * Loads rows (copyFields lines) into a table with COPY … FROM STDIN, on the
 * caller's connection and so in its transaction. A batch of runs as arrays
 * bound to unnest() cost PostgreSQL an array parse per column, every quote of
 * the rendered JSON escaped and unescaped, and the JS side as much again;
 * COPY's text format needs only backslashes, tabs and line breaks escaped.
 */
export async function copyRows(client: pg.PoolClient, table: string, columns: readonly string[], lines: string): Promise<void> {
  await pipeline([Buffer.from(lines)], client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
}
