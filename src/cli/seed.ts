import { Command } from 'commander';
import { numberedItems } from '../domain/import-line.ts';
import { seedRuns } from '../domain/seed-runs.ts';
import { nowMicros } from '../domain/timestamp.ts';
import { dbOption, withStore } from './options.ts';

const whole = (name: string) => (text: string) => {
  if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
};

export const seedCommand = () =>
  new Command('seed')
    .description('write N realistic runs spread over the last D days, the same runs for the same seed')
    .requiredOption('--workspace <name>', 'workspace name (made if missing)')
    .requiredOption('--runs <n>', 'how many runs', whole('runs'))
    .option('--days <d>', 'spread over the last D days', whole('days'), 30)
    .option('--seed <s>', 'random seed', whole('seed'), 1)
    .addOption(dbOption())
    .action((flags: { workspace: string; runs: number; days: number; seed: number; db?: string }) =>
      withStore(flags, async (store) => {
        const runs = (await store.workspace(flags.workspace, true))!;
        const started = performance.now();
        const generated = seedRuns({ workspaceId: runs.workspaceId, runs: flags.runs, days: flags.days, seed: flags.seed, now: nowMicros() });
        const result = await runs.importRuns(numberedItems(generated));
        const seconds = (performance.now() - started) / 1000;
        process.stdout.write(`seeded ${result.inserted + result.updated} runs into ${flags.workspace} in ${seconds.toFixed(2)} s\n`);
      }),
    );
