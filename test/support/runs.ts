import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client } from './client.ts';
import { ago, HOUR } from './times.ts';

/** A run as the API writes it (contract section 1). */
export interface RunObject {
  session_id: string;
  status: string;
  created_at: string;
  workflow_id: string;
  workspace_id: string;
  execution_start: string | null;
  execution_end: string | null;
  dry_run: boolean;
}

/** One line of POST /runs/import. */
export type ImportRun = Omit<RunObject, 'workspace_id'> & { workspace_id?: string; credential_id?: string | null };

/** One line of imported history: a successful run of an hour ago unless overridden. */
export function importRun(overrides: Partial<ImportRun> = {}): ImportRun {
  return {
    session_id: randomUUID(),
    status: 'execution.success',
    created_at: ago(HOUR),
    workflow_id: randomUUID(),
    execution_start: null,
    execution_end: null,
    dry_run: false,
    ...overrides,
  };
}

export const ndjson = (lines: readonly unknown[]): string => lines.map((l) => `${typeof l === 'string' ? l : JSON.stringify(l)}\n`).join('');

/** POST /runs/import with these lines, as is. */
export const postImport = (client: Client, body: string | ReadableStream<Uint8Array>) =>
  client.request('POST', '/runs/import', { raw: body, headers: { 'content-type': 'application/x-ndjson' } });

/** Imports runs that must all be accepted. */
export async function importAll(client: Client, runs: readonly ImportRun[]): Promise<void> {
  const reply = await postImport(client, ndjson(runs));
  assert.equal(reply.status, 200, reply.text);
  assert.deepEqual(reply.body.rejected, [], reply.text);
  assert.equal(reply.body.inserted + reply.body.updated, runs.length, reply.text);
}

/** The list order of the contract: created_at descending, then session_id descending. */
export function newestFirst<T extends { created_at: string; session_id: string }>(runs: readonly T[]): T[] {
  const key = (r: T) => `${r.created_at}|${r.session_id}`;
  return [...runs].sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
}

/** POST /run with a new workflow: the run object of the 201. */
export async function createRun(client: Client, body: Record<string, unknown> = {}): Promise<RunObject> {
  const reply = await client.post('/run', { workflow_id: randomUUID(), ...body });
  assert.equal(reply.status, 201, reply.text);
  return reply.body;
}

/** Asserts that a list holds every id once and nothing else. */
export function assertEachOnce(seen: readonly string[], expected: readonly string[]): void {
  assert.equal(new Set(seen).size, seen.length, 'a run came twice');
  assert.deepEqual([...seen].sort(), [...expected].sort());
}
