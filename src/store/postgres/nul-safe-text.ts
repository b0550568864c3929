/**
 * PostgreSQL text cannot hold U+0000, which a credential_id may contain
 * (SQLite stores it as given). Credential ids are therefore stored escaped:
 * `\` as `\\` and U+0000 as `\0`. The mapping is one-to-one, so equality
 * filters on the escaped form find exactly the runs they should; the
 * common id, without either character, is stored unchanged.
 */
export const toDbText = (text: string): string =>
  text.includes('\0') || text.includes('\\') ? text.replace(/\\/g, '\\\\').replace(/\0/g, '\\0') : text;

export const fromDbText = (text: string): string =>
  text.includes('\\') ? text.replace(/\\(\\|0)/g, (_, c: string) => (c === '0' ? '\0' : '\\')) : text;

export const toDbTextOrNull = (text: string | null): string | null => (text === null ? null : toDbText(text));
