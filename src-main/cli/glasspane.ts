import { Command, CommanderError, Option } from 'commander';
import { analyzeCommand } from './analyze';
import { UsageError } from './output';

const program = new Command()
  .name('glasspane')
  .description('Passive device visibility: discover and classify every device on a network from its traffic.')
  .version(process.env.GLASSPANE_VERSION ?? '0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(s) });

program
  .command('analyze')
  .description('analyze capture files (pcap, pcapng, optionally gzip-compressed) and print the inventory')
  .argument('<capture...>', 'capture files')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['json', 'csv', 'table']).default('table'))
  .option('-o, --out <file>', 'write to FILE instead of standard output')
  .option('-e, --evidence', 'include every observation behind each device')
  .option('--no-progress', 'no progress lines on standard error')
  .action(async (files: string[], o) => {
    process.exitCode = await analyzeCommand(files, o);
  });

async function main() {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`glasspane: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`glasspane: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  }
}

void main();
