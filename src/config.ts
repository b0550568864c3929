/**
 * Configuration, parsed once at start into a frozen object: flags win over
 * environment variables, which win over defaults. Nothing else in runledger
 * reads process.env.
 */
export interface Config {
  readonly db: string;
  readonly host: string;
  readonly port: number;
  /** Requests a second per key (bursts of 10×); null when rate limiting is off. */
  readonly rateLimit: number | null;
  readonly groupCommit: boolean;
  readonly poolSize: number;
  /** SQLite reader threads for GET /runs; 0 reads on the main thread. */
  readonly readers: number;
  /** Seconds a connection may make no progress, reading or writing, before it is closed; 0 never. */
  readonly idleTimeout: number;
  readonly logLevel: string;
}

export interface ConfigFlags {
  db?: string;
  host?: string;
  port?: string;
  rateLimit?: string;
  groupCommit?: string;
  poolSize?: string;
  readers?: string;
  idleTimeout?: string;
  logLevel?: string;
}

/** The highest --rate-limit (requests a second per key) a server takes. */
export const MAX_RATE_LIMIT = 1_000_000;

const ENVIRONMENT = {
  db: 'RUNLEDGER_DB',
  host: 'RUNLEDGER_HOST',
  port: 'RUNLEDGER_PORT',
  rateLimit: 'RUNLEDGER_RATE_LIMIT',
  groupCommit: 'RUNLEDGER_GROUP_COMMIT',
  poolSize: 'RUNLEDGER_POOL_SIZE',
  readers: 'RUNLEDGER_READERS',
  idleTimeout: 'RUNLEDGER_IDLE_TIMEOUT',
  logLevel: 'RUNLEDGER_LOG_LEVEL',
} as const satisfies Record<keyof ConfigFlags, string>;

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

/** pino's levels: any other would fail only once the server is built, after the store was opened. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function oneOf(name: string, text: string, allowed: readonly string[]): string {
  if (!allowed.includes(text)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`);
  return text;
}

function onOff(name: string, text: string): boolean {
  if (text === 'on' || text === 'true') return true;
  if (text === 'off' || text === 'false') return false;
  throw new Error(`${name} must be on or off, got ${JSON.stringify(text)}`);
}

export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const pick = (key: keyof ConfigFlags, fallback: string): string => flags[key] ?? env[ENVIRONMENT[key]] ?? fallback;
  const rate = pick('rateLimit', '100');
  return Object.freeze({
    db: pick('db', './data/runledger.db'),
    host: pick('host', '127.0.0.1'),
    port: integer('port', pick('port', '8080'), 0, 65535),
    rateLimit: rate === 'off' ? null : integer('rate-limit', rate, 1, MAX_RATE_LIMIT),
    groupCommit: onOff('group-commit', pick('groupCommit', 'on')),
    poolSize: integer('pool-size', pick('poolSize', '10'), 1, 1000),
    readers: integer('readers', pick('readers', '1'), 0, 64),
    idleTimeout: integer('idle-timeout', pick('idleTimeout', '60'), 0, 86_400),
    logLevel: oneOf('log-level', pick('logLevel', 'info'), LOG_LEVELS),
  });
}
