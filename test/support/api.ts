import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/build-app.ts';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { RunStore } from '../../src/store/run-store.ts';
import { Client } from './client.ts';
import { forEachStore, type StoreKind, type TestDatabase } from './stores.ts';

export interface ApiOptions {
  /** Requests a second per key, as --rate-limit takes it; default off. */
  rateLimit?: string;
}

/** A workspace made for one test, with a client holding its key. */
export interface TestWorkspace {
  id: string;
  name: string;
  key: string;
  client: Client;
}

/** A real store on a fresh database behind the real HTTP server on 127.0.0.1, port 0. */
export class TestApi {
  private constructor(
    readonly kind: StoreKind,
    readonly db: TestDatabase,
    readonly store: RunStore,
    private readonly app: FastifyInstance,
    readonly url: string,
  ) {}

  static async start(kind: StoreKind, options: ApiOptions = {}): Promise<TestApi> {
    const db = await kind.create();
    try {
      // An empty environment: a developer's RUNLEDGER_* variables must not change what is tested.
      const config = loadConfig({ db: db.url, port: '0', rateLimit: options.rateLimit ?? 'off', logLevel: 'silent' }, {});
      const store = await openStore(config);
      const app = await buildApp(config, store);
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      return new TestApi(kind, db, store, app, url);
    } catch (error) {
      await db.drop();
      throw error;
    }
  }

  /** A client with no key. */
  anonymous(): Client {
    return new Client(this.url);
  }

  /** A new workspace with one key, so that each test starts from an empty workspace. */
  async workspace(): Promise<TestWorkspace> {
    const name = `ws-${randomUUID()}`;
    const made = await this.store.createKey(name);
    return { id: made.workspace_id, name, key: made.key, client: new Client(this.url, made.key) };
  }

  /** Closes the server (which closes the store) and drops the database. */
  async stop(): Promise<void> {
    try {
      await this.app.close();
    } finally {
      await this.db.drop();
    }
  }
}

/** Registers the suite `body` once per test store, each on its own fresh database and server. */
export const eachStore = (title: string, body: (api: () => TestApi) => void, options: ApiOptions = {}): void =>
  forEachStore(title, (kind) => TestApi.start(kind, options), (api) => api.stop(), body);
