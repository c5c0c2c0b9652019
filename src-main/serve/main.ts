/**
 * A stand-alone entry for `glasspane serve` (tests start it as a child process with tsx; the main CLI
 * wires the same serveCommand). Usage: node --import tsx src-main/serve/main.ts [options]
 * It runs in this process whatever --heap says: `glasspane serve` starts itself again for that
 * (src-main/cli/heap.ts), so tests of the console's heap go through the CLI.
 */
import { Command } from 'commander';
import { serveCommand, ServeUsageError } from './serve-command';
import { addServeOptions } from './serve-options';

const program = addServeOptions(
  new Command()
    .name('glasspane-serve')
    .description('serve the web console: the renderer and the engine over a WebSocket'),
).action(async (o) => {
  process.exitCode = await serveCommand(o);
});

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`glasspane: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = e instanceof ServeUsageError ? 2 : 1;
});
