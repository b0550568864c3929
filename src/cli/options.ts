import { Option } from 'commander';
import { loadConfig, type Config, type ConfigFlags } from '../config.ts';
import { openStore } from '../store/open-store.ts';
import type { RunStore } from '../store/run-store.ts';

/** The --db option every command shares (contract section 9). */
export const dbOption = () => new Option('--db <url>', 'database: a file path, sqlite:PATH or postgres://… (env RUNLEDGER_DB)');

/** Parses the config once from a command's flags and opens its store, making or upgrading the schema. */
export async function openFromFlags(flags: ConfigFlags): Promise<{ config: Config; store: RunStore }> {
  const config = loadConfig(flags);
  return { config, store: await openStore(config) };
}

/** Runs a command body against the store and always closes it. */
export async function withStore(flags: ConfigFlags, body: (store: RunStore, config: Config) => Promise<void>): Promise<void> {
  const { config, store } = await openFromFlags(flags);
  try {
    await body(store, config);
  } finally {
    await store.close();
  }
}
