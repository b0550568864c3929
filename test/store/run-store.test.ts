import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { RunStore } from '../../src/store/run-store.ts';
import { forEachStore, type TestDatabase } from '../support/stores.ts';

/** The RunStore interface itself, on a fresh database of each store: what the API and the CLI stand on. */
forEachStore(
  'RunStore',
  async (kind) => {
    const db = await kind.create();
    return { db, store: await openStore(loadConfig({ db: db.url, logLevel: 'silent' }, {})) };
  },
  async ({ db, store }: { db: TestDatabase; store: RunStore }) => {
    try {
      await store.close();
    } finally {
      await db.drop();
    }
  },
  (opened) => {
    const store = () => opened().store;

    test('an empty database has no keys and no workspaces; ping answers', async () => {
      assert.equal(await store().hasKeys(), false);
      assert.equal(await store().workspace('nobody', false), null);
      await store().ping();
    });

    test('createKey makes the workspace once; each key authenticates to it; a revoked key does not', async () => {
      const first = await store().createKey('acme');
      const second = await store().createKey('acme');
      assert.equal(second.workspace_id, first.workspace_id);
      assert.equal(await store().hasKeys(), true);
      const byName = await store().workspace('acme', false);
      assert.equal(byName?.workspaceId, first.workspace_id);
      const one = await store().authenticate(first.key);
      const two = await store().authenticate(second.key);
      assert.equal(one?.runs.workspaceId, first.workspace_id);
      assert.equal(two?.runs.workspaceId, first.workspace_id);
      assert.notEqual(one?.keyId, two?.keyId, 'rate limits count per key');
      assert.equal(await store().revokeKey(first.key), true);
      assert.equal(await store().revokeKey(first.key), false, 'a key is revoked once');
      assert.equal(await store().authenticate(first.key), null);
      assert.notEqual(await store().authenticate(second.key), null);
    });

    test('keys that are not live keys authenticate to nothing and revoke nothing', async () => {
      const { key } = await store().createKey('globex');
      const forged = [key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'), '', 'rl_', `${key}x`, key.toUpperCase(), randomUUID()];
      for (const text of forged) {
        assert.equal(await store().authenticate(text), null, text);
        assert.equal(await store().revokeKey(text), false, text);
      }
    });

    test('workspace(name, true) makes a workspace without a key, the same one each time', async () => {
      const made = await store().workspace('keyless', true);
      assert.ok(made);
      assert.equal((await store().workspace('keyless', true))?.workspaceId, made.workspaceId);
      assert.equal((await store().workspace('keyless', false))?.workspaceId, made.workspaceId);
    });
  },
);
