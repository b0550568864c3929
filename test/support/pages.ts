import assert from 'node:assert/strict';
import { okBody } from './assertions.ts';
import type { Client, Reply } from './client.ts';
import type { RunObject } from './runs.ts';

const MAX_PAGES = 1000;

/** Asks for the page after a reply; undefined when the walk is over. */
export type NextPage = (reply: Reply, rows: RunObject[]) => Promise<Reply> | undefined;

/** Walks GET /runs pages from a first reply until `next` says the walk is over. */
export async function walk(first: Reply, next: NextPage): Promise<RunObject[][]> {
  const pages: RunObject[][] = [];
  let reply: Reply | undefined = first;
  while (reply !== undefined) {
    const rows = okBody(reply) as RunObject[];
    pages.push(rows);
    assert.ok(pages.length <= MAX_PAGES, 'the walk does not end');
    const pending = next(reply, rows);
    reply = pending === undefined ? undefined : await pending;
  }
  return pages;
}

/** The X-Next-Cursor protocol: pass the token on until the header is gone. */
export const byToken =
  (client: Client, query: Record<string, string>): NextPage =>
  (reply) => {
    const token = reply.headers.get('x-next-cursor');
    return token === null ? undefined : client.runs({ ...query, cursor: token });
  };

/** The documented protocol of CloudCruise's clients: pass the last row's created_at until a page is short. */
export const byCreatedAt =
  (client: Client, query: Record<string, string>, limit: number): NextPage =>
  (_reply, rows) =>
    rows.length < limit ? undefined : client.runs({ ...query, limit: String(limit), cursor: rows[rows.length - 1].created_at });

export const sessionIds = (pages: RunObject[][]): string[] => pages.flat().map((r) => r.session_id);

/** Every run the query finds, walked by the documented created_at protocol. */
export async function allByCreatedAt(client: Client, query: Record<string, string>, limit: number): Promise<string[]> {
  return sessionIds(await walk(await client.runs({ ...query, limit: String(limit) }), byCreatedAt(client, query, limit)));
}

/** Every run the query finds, walked by X-Next-Cursor. */
export async function allByToken(client: Client, query: Record<string, string>): Promise<string[]> {
  return sessionIds(await walk(await client.runs(query), byToken(client, query)));
}
