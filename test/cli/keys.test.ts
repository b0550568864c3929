import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertError, okBody } from '../support/assertions.ts';
import { runCli, ServerProcess } from '../support/cli.ts';
import { DEFAULT_STORE_ONLY, eachDatabase } from '../support/stores.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function createKey(db: string, workspace: string): Promise<{ workspace_id: string; workspace: string; key: string }> {
  const made = await runCli(['keys', 'create', '--workspace', workspace, '--db', db, '--json']);
  assert.equal(made.code, 0, made.stderr);
  const lines = made.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `--json prints one line: ${made.stdout}`);
  return JSON.parse(lines[0]);
}

eachDatabase('runledger keys', (db) => {
  test('keys create --json prints one line {workspace_id, workspace, key}; a second key joins the same workspace', async () => {
    const first = await createKey(db().url, 'acme');
    assert.deepEqual(Object.keys(first).sort(), ['key', 'workspace', 'workspace_id']);
    assert.equal(first.workspace, 'acme');
    assert.match(first.workspace_id, UUID);
    assert.ok(first.key.length >= 32, first.key);
    const [second, other] = await Promise.all([createKey(db().url, 'acme'), createKey(db().url, 'globex')]);
    assert.equal(second.workspace_id, first.workspace_id);
    assert.notEqual(second.key, first.key);
    assert.notEqual(other.workspace_id, first.workspace_id);
  });

  test('keys create without --json shows the key; keys revoke makes it 401 at once, other keys keep working', async () => {
    const [made, other] = await Promise.all([
      runCli(['keys', 'create', '--workspace', 'initech', '--db', db().url]),
      createKey(db().url, 'initech'),
    ]);
    assert.equal(made.code, 0, made.stderr);
    const key = /\b(rl_[A-Za-z0-9_-]+)/.exec(made.stdout)?.[1];
    assert.ok(key, made.stdout);
    const server = await ServerProcess.start(db().url);
    try {
      assert.equal(server.firstKey, undefined, 'a database with keys gets no new one');
      assert.deepEqual(okBody(await server.client(key).runs()), []);
      const revoked = await runCli(['keys', 'revoke', key, '--db', db().url]);
      assert.equal(revoked.code, 0, revoked.stderr);
      assertError(await server.client(key).runs(), 401, 'unauthorized');
      okBody(await server.client(other.key).runs());
      const again = await runCli(['keys', 'revoke', key, '--db', db().url]);
      assert.notEqual(again.code, 0, 'revoking a revoked key is an error');
      assert.ok(again.stderr.length > 0);
    } finally {
      await server.stop('SIGTERM');
    }
  });
}, DEFAULT_STORE_ONLY);
