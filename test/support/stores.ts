import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';

/** A fresh, empty database, named by the URL that `--db` and openStore take. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface StoreKind {
  name: string;
  create(): Promise<TestDatabase>;
}

const POSTGRES_SERVER = 'postgres://postgres@127.0.0.1:5432';

async function onPostgresServer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${POSTGRES_SERVER}/postgres` });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export const sqlite: StoreKind = {
  name: 'sqlite',
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'runledger-test-'));
    return { url: join(dir, 'runledger.db'), drop: () => rm(dir, { recursive: true, force: true }) };
  },
};

export const postgres: StoreKind = {
  name: 'postgres',
  async create() {
    const name = `runledger_test_${randomBytes(6).toString('hex')}`;
    await onPostgresServer(`CREATE DATABASE ${name}`);
    return {
      url: `${POSTGRES_SERVER}/${name}`,
      // FORCE: a connection a crashed test left open must not keep the database alive.
      drop: () => onPostgresServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  },
};

const ALL: readonly StoreKind[] = [sqlite, postgres];

/**
 * The stores every API and store test runs against: all of them, unless
 * RUNLEDGER_TEST_STORES names a subset (comma-separated) for a quicker local run.
 * A test of one store's own parts (test/sqlite-*, test/postgres-*) uses that
 * store directly and always runs.
 */
export function testStores(): readonly StoreKind[] {
  const wanted = process.env.RUNLEDGER_TEST_STORES;
  if (wanted === undefined || wanted === '') return ALL;
  const names = wanted.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !ALL.some((k) => k.name === n));
  if (unknown.length > 0) throw new Error(`RUNLEDGER_TEST_STORES names unknown stores: ${unknown.join(', ')}`);
  return ALL.filter((k) => names.includes(k.name));
}

/**
 * Registers the suite `body` once per test store: `start` makes what the
 * suite needs before its first test, `stop` ends it after the last; `get()`
 * gives it inside tests.
 */
export function forEachStore<T>(
  title: string,
  start: (kind: StoreKind) => Promise<T>,
  stop: (made: T) => Promise<void>,
  body: (get: () => T, kind: StoreKind) => void,
  only?: readonly string[],
): void {
  for (const kind of testStores().filter((k) => only === undefined || only.includes(k.name))) {
    describe(`${title} [${kind.name}]`, () => {
      let made: T | undefined;
      before(async () => {
        made = await start(kind);
      });
      after(async () => {
        if (made !== undefined) await stop(made);
      });
      body(() => {
        if (made === undefined) throw new Error(`the ${kind.name} store did not start`);
        return made;
      }, kind);
    });
  }
}

/**
 * A fresh database per test store, for tests that run the command line
 * against it; `only` narrows the stores for commands whose store-specific part
 * the API tests already cover on every store, since each process costs seconds.
 */
export const eachDatabase = (title: string, body: (db: () => TestDatabase, kind: StoreKind) => void, only?: readonly string[]): void =>
  forEachStore(title, (kind) => kind.create(), (db) => db.drop(), body, only);

/** The embedded default store, for command-line tests that need not run on every store. */
export const DEFAULT_STORE_ONLY = ['sqlite'] as const;
