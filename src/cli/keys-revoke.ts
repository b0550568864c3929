import { Command } from 'commander';
import { dbOption, withStore } from './options.ts';

export const keysRevokeCommand = () =>
  new Command('revoke')
    .description('revoke a key: requests with it get 401 from then on')
    .argument('<key>', 'the key to revoke')
    .addOption(dbOption())
    .action((key: string, flags: { db?: string }) =>
      withStore(flags, async (store) => {
        if (!(await store.revokeKey(key))) throw new Error('no such live key');
        process.stdout.write('revoked\n');
      }),
    );
