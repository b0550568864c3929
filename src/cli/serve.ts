import { Command } from 'commander';
import { buildApp } from '../api/build-app.ts';
import { dbOption, openFromFlags } from './options.ts';

const SHUTDOWN_DEADLINE_MS = 4500;

export const serveCommand = () =>
  new Command('serve')
    .description('run the API; on a database with no key, make workspace "default" with one key and print it once')
    .addOption(dbOption())
    .option('--host <host>', 'address to listen on (env RUNLEDGER_HOST)')
    .option('--port <port>', 'port to listen on, 0 for any free one (env RUNLEDGER_PORT)')
    .option('--rate-limit <n>', 'requests a second per key, bursts of 10×, or off (env RUNLEDGER_RATE_LIMIT)')
    .option('--group-commit <on|off>', 'batch concurrent writes into one durable commit (env RUNLEDGER_GROUP_COMMIT)')
    .option('--pool-size <n>', 'PostgreSQL connections (env RUNLEDGER_POOL_SIZE)')
    .option('--readers <n>', 'SQLite reader threads for GET /runs, 0 = main thread (env RUNLEDGER_READERS)')
    .option('--idle-timeout <s>', 'seconds a connection may make no progress before it is closed, 0 never (env RUNLEDGER_IDLE_TIMEOUT)')
    .option('--log-level <level>', 'pino log level (env RUNLEDGER_LOG_LEVEL)')
    .action(async (flags) => {
      const { config, store } = await openFromFlags(flags);
      if (!(await store.hasKeys())) {
        const made = await store.createKey('default');
        process.stdout.write(`made workspace "default" and its first API key (shown once): ${made.key}\n`);
      }
      const app = await buildApp(config, store);
      const address = await app.listen({ host: config.host, port: config.port });
      process.stdout.write(`runledger listening on ${address}\n`);
      const stop = () => {
        // In-flight requests finish, new ones get 503, the store closes with the app.
        setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
        // node closes only the connections idle at close time; a keep-alive connection whose request
        // finishes later would hold the server open for keepAliveTimeout (72 s), so sweep again until done.
        setInterval(() => app.server.closeIdleConnections(), 50).unref();
        app.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
