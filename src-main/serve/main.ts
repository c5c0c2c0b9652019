/**
 * A stand-alone entry for `glasspane serve` (tests start it as a child process with tsx; the main CLI
 * wires the same serveCommand). Usage: node --import tsx src-main/serve/main.ts [options]
 */
import { Command, Option } from 'commander';
import { serveCommand, ServeUsageError } from './serve-command';

const program = new Command()
  .name('glasspane-serve')
  .description('serve the web console: the renderer and the engine over a WebSocket')
  .option('-p, --port <port>', 'port to listen on (0: any free port)', '0')
  .option('--host <addr>', 'address to listen on', '127.0.0.1')
  .option('--open <file...>', 'capture files to open at start')
  .option('--db <file>', 'record the inventory in this device store')
  .option('--learn <duration>', 'alert learning period in capture time, for a new store (default 1h)')
  .option(
    '--max-devices <n>',
    'devices kept one by one per run (default 100000); past it new ones are aggregated',
  )
  .option('--max-edges <n>', 'edges kept in memory (default 250000)')
  .addOption(new Option('--renderer <dir>', 'renderer build to serve').hideHelp())
  .action(async (o) => {
    process.exitCode = await serveCommand(o);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`glasspane: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = e instanceof ServeUsageError ? 2 : 1;
});
