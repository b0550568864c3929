import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Where one bench run keeps its data: a temporary directory (SQLite files,
 * NDJSON) and, with a PostgreSQL server, databases of its own on it, all
 * removed by dispose().
 */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'runledger-bench-'));
  private readonly made: string[] = [];

  constructor(private readonly server?: string) {}

  get kind(): 'sqlite' | 'postgres' {
    return this.server === undefined ? 'sqlite' : 'postgres';
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  /** A new empty database: a SQLite file path, or the URL of a fresh PostgreSQL database. */
  async database(name: string): Promise<string> {
    if (this.server === undefined) return this.file(`${name}.db`);
    const dbName = `runledger_bench_${process.pid}_${name.replace(/\W/g, '_')}`;
    await this.admin(`CREATE DATABASE ${dbName}`);
    this.made.push(dbName);
    const url = new URL(this.server);
    url.pathname = `/${dbName}`;
    return url.toString();
  }

  /** PostgreSQL only: writes out every dirty page of the server (CHECKPOINT). */
  get checkpoint(): (() => Promise<void>) | undefined {
    return this.server === undefined ? undefined : () => this.admin('CHECKPOINT');
  }

  async dispose(): Promise<void> {
    for (const name of this.made.splice(0)) await this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.server });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
