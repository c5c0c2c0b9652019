/**
 * A stand-alone entry for `glasspane report` (tests run it with tsx; the main CLI wires the same
 * reportCommand). Usage: node --import tsx src-main/report/main.ts [capture...] [--db FILE] --out FILE
 */
import { Command } from 'commander';
import { reportCommand } from './report-command';

new Command()
  .name('glasspane-report')
  .description('write an inventory report (PDF, HTML, CSV or JSON, from the extension of --out)')
  .argument('[capture...]', 'capture files to analyse')
  .option('--db <file>', 'report on a device store instead of capture files')
  .requiredOption('-o, --out <file>', 'the report file: .pdf, .html, .csv or .json')
  .option('--title <text>', 'title of the HTML/PDF report')
  .action(async (inputs: string[], o) => {
    process.exitCode = await reportCommand(inputs, o);
  })
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    process.stderr.write(`glasspane: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
