/**
 * A stand-alone entry for `glasspane serve` (tests start it as a child process with tsx; the main CLI
 * wires the same serveCommand). Usage: node --import tsx src-main/serve/main.ts [options]
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
