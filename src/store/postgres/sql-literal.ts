import pg from 'pg';

/** A value a runledger statement binds: an integer, a text, or a list of texts. */
export type SqlValue = string | number | readonly string[];

/** A statement value as SQL text: integers as digits, strings quoted and escaped by pg, arrays as ARRAY[…]. */
export function sqlLiteral(value: SqlValue): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not an integer to inline: ${value}`);
    return String(value);
  }
  return typeof value === 'string' ? pg.escapeLiteral(value) : `ARRAY[${value.map(sqlLiteral).join(', ')}]`;
}

/**
 * A statement with its $n placeholders replaced by the values as literals,
 * for the commands that take no bound parameters (COPY, EXECUTE). The text
 * is scanned once, so a `$1` inside a value is never taken for a placeholder.
 */
export const inlineValues = (text: string, values: readonly SqlValue[]): string =>
  text.replace(/\$(\d+)/g, (_, n: string) => sqlLiteral(values[Number(n) - 1]));
