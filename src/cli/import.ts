import { createReadStream } from 'node:fs';
import { Command } from 'commander';
import { importItems } from '../domain/import-line.ts';
import { dbOption, withStore } from './options.ts';

export const importCommand = () =>
  new Command('import')
    .description('bulk-load runs from an NDJSON file (- for standard input), as POST /runs/import does')
    .argument('<file>', 'NDJSON file, one run a line')
    .requiredOption('--workspace <name>', 'workspace name (made if missing)')
    .addOption(dbOption())
    .action((file: string, flags: { workspace: string; db?: string }) =>
      withStore(flags, async (store) => {
        const runs = (await store.workspace(flags.workspace, true))!;
        const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
        const started = performance.now();
        const result = await runs.importRuns(importItems(input, runs.workspaceId));
        const seconds = (performance.now() - started) / 1000;
        process.stdout.write(`${JSON.stringify(result)}\n`);
        process.stderr.write(`imported ${result.inserted + result.updated} runs in ${seconds.toFixed(2)} s\n`);
      }),
    );
