/**
 * The SQLite writer thread: one that cannot open its database, or dies,
 * fails the writes it was given instead of crashing the process or leaving
 * them waiting; the next write starts a new thread.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WriteBatcher } from '../src/store/sqlite/write-batcher.ts';
import { nowMicros } from '../src/domain/timestamp.ts';

test('a writer thread that cannot open its database fails each write with the code of the database error, and closes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rl-writer-'));
  try {
    const path = join(dir, 'not-a-database.db');
    await writeFile(path, 'this is not a SQLite database\n'.repeat(200));
    const writes = new WriteBatcher(true, { path });
    const op = { kind: 'event', workspace: { num: 1, id: '00000000-0000-4000-8000-000000000000' }, sessionId: 'x', event: 'execution.start', at: nowMicros() } as const;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await assert.rejects(writes.submit(op), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'SQLITE_NOTADB');
        assert.match(error.message, /SQLITE_NOTADB/);
        return true;
      });
    }
    await writes.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
