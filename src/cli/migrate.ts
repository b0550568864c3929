import { Command } from 'commander';
import { dbOption, withStore } from './options.ts';

/** Opening a store brings its schema up to date (safe beside a running server); this command does only that. */
export const migrateCommand = () =>
  new Command('migrate')
    .description('make or upgrade the database schema, then exit')
    .addOption(dbOption())
    .action((flags: { db?: string }) =>
      withStore(flags, async (_store, config) => {
        process.stdout.write(`schema of ${config.db.replace(/\/\/[^@/]*@/, '//')} is up to date\n`);
      }),
    );
