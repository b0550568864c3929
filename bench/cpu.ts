import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const TICKS_PER_SECOND = 100;
/** A process's CPU ticks in /proc/PID/stat, as fields after its command name: its own (utime, stime), its exited children's (cutime, cstime), or both. */
const TICK_FIELDS = { own: [11, 13], reaped: [13, 15], both: [11, 15] } as const;
/** A server is idle once it uses under a tenth of a core over IDLE_POLL_MS... */
const IDLE_POLL_MS = 200;
const IDLE_SHARE = 0.1;
/** ...or after this long, whatever it is doing. */
const IDLE_WAIT_MS = 60_000;

/**
 * CPU seconds (user and system, every thread) a process has used, from
 * /proc: its own, those of its children it has waited for, or both;
 * undefined once it is gone, or if it is not the command expected (a
 * backend's pid from a PostgreSQL server on another machine).
 */
function cpuSeconds(pid: number | 'self', command?: string, whose: keyof typeof TICK_FIELDS = 'own'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    if (command !== undefined && stat.slice(stat.indexOf('(') + 1, close) !== command) return undefined;
    // The command name may hold spaces: fields are counted from after it.
    const fields = stat.slice(close + 2).split(' ').slice(...TICK_FIELDS[whose]);
    return fields.reduce((sum, ticks) => sum + Number(ticks), 0) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds of this process's children that have exited. */
export function reapedCpuSeconds(): number {
  return cpuSeconds('self', undefined, 'reaped')!;
}

/**
 * CPU seconds of every PostgreSQL process on this machine, those that have
 * exited included (the postmaster's reaped children: a parallel worker, a
 * backend that closed): 0 without a local server. The bench's databases
 * must be the only ones at work.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) if (/^\d+$/.test(pid)) total += cpuSeconds(Number(pid), 'postgres', 'both') ?? 0;
  return total;
}

/** CPU seconds used by one server process and the PostgreSQL backends that serve its database. */
export interface CpuUse {
  server: number;
  /** undefined on SQLite, or when PostgreSQL runs where /proc cannot see it. */
  postgres?: number;
}

/**
 * Counts where a load's CPU goes: the server process, and on PostgreSQL the
 * backends connected to the server's database (read from /proc, so only
 * with PostgreSQL on this machine). A backend that exits during the load
 * takes its share with it; the servers' pools keep theirs open.
 */
export class CpuMeter {
  private constructor(private readonly client?: pg.Client) {}

  /** One connection to look up backends by database, when there is a PostgreSQL database to watch. */
  static async open(postgresUrl?: string): Promise<CpuMeter> {
    if (postgresUrl === undefined) return new CpuMeter();
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    return new CpuMeter(client);
  }

  /**
   * Runs work, and returns its result with the CPU the server (and its
   * database's backends) used meanwhile; then waits until they are idle.
   */
  async measure<T>(serverPid: number, database: string | undefined, work: () => Promise<T>): Promise<T & { cpu: CpuUse }> {
    const server = cpuSeconds(serverPid) ?? 0;
    const before = await this.backends(database);
    const result = await work();
    const used = cpuSeconds(serverPid)! - server;
    const after = await this.backends(database);
    let postgres: number | undefined;
    if (after !== undefined) {
      postgres = 0;
      for (const [pid, seconds] of after) postgres += seconds - (before?.get(pid) ?? 0);
    }
    await this.idle(serverPid, database);
    return { ...result, cpu: { server: used, postgres } };
  }

  /**
   * Waits until a server and its backends stop working. A load ends with
   * requests still in flight, and a server that fell behind works through them
   * after the client has gone: the thin server's Q3 on SQLite (16 requests of
   * over half a second each) went on for seconds into the next measurement,
   * of whichever server that was.
   */
  async idle(serverPid: number, database: string | undefined): Promise<void> {
    const used = async () => (cpuSeconds(serverPid) ?? 0) + [...((await this.backends(database))?.values() ?? [])].reduce((a, b) => a + b, 0);
    const deadline = performance.now() + IDLE_WAIT_MS;
    let last = await used();
    while (performance.now() < deadline) {
      await sleep(IDLE_POLL_MS);
      const now = await used();
      if (now - last < (IDLE_POLL_MS / 1000) * IDLE_SHARE) return;
      last = now;
    }
  }

  async close(): Promise<void> {
    await this.client?.end();
  }

  private async backends(database: string | undefined): Promise<Map<number, number> | undefined> {
    if (this.client === undefined || database === undefined) return undefined;
    const { rows } = await this.client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    const seconds = new Map<number, number>();
    for (const { pid } of rows) {
      const s = cpuSeconds(pid, 'postgres');
      if (s === undefined) return undefined;
      seconds.set(pid, s);
    }
    return seconds;
  }
}
