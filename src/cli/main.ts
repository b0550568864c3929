import { Command, CommanderError } from 'commander';
import { importCommand } from './import.ts';
import { keysCreateCommand } from './keys-create.ts';
import { keysRevokeCommand } from './keys-revoke.ts';
import { migrateCommand } from './migrate.ts';
import { pruneCommand } from './prune.ts';
import { seedCommand } from './seed.ts';
import { serveCommand } from './serve.ts';

const program = new Command('runledger').description('Workflow runs, served through a CloudCruise-compatible run API').exitOverride();
program.addCommand(serveCommand());
program.addCommand(new Command('keys').description('make and revoke API keys').addCommand(keysCreateCommand()).addCommand(keysRevokeCommand()));
program.addCommand(seedCommand());
program.addCommand(importCommand());
program.addCommand(migrateCommand());
program.addCommand(pruneCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.stderr.write(`runledger: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
