import { Command } from 'commander';
import { dbOption, withStore } from './options.ts';

export const keysCreateCommand = () =>
  new Command('create')
    .description('make the workspace if it does not exist, then a new key for it; the key is shown only now')
    .requiredOption('--workspace <name>', 'workspace name')
    .addOption(dbOption())
    .option('--json', 'print one JSON line {"workspace_id","workspace","key"}')
    .action((flags: { workspace: string; db?: string; json?: boolean }) =>
      withStore(flags, async (store) => {
        const made = await store.createKey(flags.workspace);
        process.stdout.write(
          flags.json ? `${JSON.stringify(made)}\n` : `workspace ${made.workspace} (${made.workspace_id})\nkey (shown once): ${made.key}\n`,
        );
      }),
    );
