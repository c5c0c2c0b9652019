import { Command, CommanderError, Option } from 'commander';
import { analyzeCommand } from './analyze';
import { addServeOptions } from '../serve/serve-options';
import { ALERT_KINDS } from '../../shared/alerts/engine';
import { SEVERITIES } from '../../shared/alerts/severity';
import { UsageError } from './output';

// Commands other than analyze load their modules when run: the WebSocket server, the report writer
// and the store cost startup time that an analysis of a small capture would otherwise pay.

const program = new Command()
  .name('glasspane')
  .description('Passive device visibility: discover and classify every device on a network from its traffic.')
  .version(process.env.GLASSPANE_VERSION ?? '0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(s) });

program
  .command('analyze')
  .description(
    'analyze capture files (pcap, pcapng, optionally gzip-compressed) or capture live (--iface), and print the inventory',
  )
  .argument(
    '[capture...]',
    "capture files; '-' reads one from standard input (tcpdump -w - | glasspane analyze -)",
  )
  .option(
    '-i, --iface <name>',
    'capture live on this interface instead (repeatable) through the capture helper; stop with Ctrl+C',
    (v: string, all: string[] = []) => [...all, v],
  )
  .option('--filter <bpf>', 'with --iface: a capture filter (pcap-filter syntax, e.g. "not port 22")')
  .option('--duration <time>', 'with --iface: stop after this long (90s, 10m, 1h)')
  .option('--packets <n>', 'with --iface: stop after this many packets')
  .addOption(
    new Option('-f, --format <format>', 'output format (ocsf: JSON lines, OCSF 1.3.0 classes 5001 and 2004)')
      .choices(['json', 'csv', 'table', 'ocsf'])
      .default('table'),
  )
  .option('-o, --out <file>', 'write to FILE instead of standard output')
  .option('-e, --evidence', 'include every observation behind each device')
  .option('--progress', 'progress on standard error even when it is not a terminal (live capture)')
  .option('--no-progress', 'no progress lines on standard error')
  .option('--db [file]', 'also record into a database (default: the per-user one) and print all it holds')
  .option('--learn <duration>', 'alert learning period in capture time, for a new database (default 1h)')
  .option(
    '--alert-policy <file>',
    'YAML map of event kinds to { severity, text }, merged over the default alert policy',
  )
  .option('--layers-only', 'layers 2-4 only (MACs, IPs, VLANs, traffic): no application dissectors, fastest')
  .option(
    '--protocols <names>',
    'only these dissectors, comma-separated: the groups it and ot, or names (enip,modbus,tcp-syn,...)',
  )
  .option(
    '--forward <uri>',
    'send one event per device and per alert (repeatable), queued on disk until delivered: ' +
      'syslog+udp|tcp|tls://host:port?format=cef|leef|json, https://host/path?secret-file=F (webhook), ' +
      'splunk+https://host:8088?token-file=F&ack=1, sentinel://<dce-host>?dcr=..&stream=..&tenant=..&client-id=..&secret-file=F; ' +
      'all take kinds=discovered,changed,not-seen,alert,snapshot&min-severity=medium&not-seen=30m (docs/forwarding.md)',
    (v: string, all: string[] = []) => [...all, v],
  )
  .option(
    '--not-seen <duration>',
    'with --forward: an event for each device silent this long (30m, 2h; capture time), once until it is seen again',
  )
  .option(
    '--snapshot-every <duration>',
    'with --forward: the full inventory, one event per device, every this long of capture time (1h)',
  )
  .option(
    '--data-dir <dir>',
    "Glasspane's data folder, which holds the forwarding queues (default: the per-user one)",
  )
  .option(
    '--max-devices <n>',
    'devices kept one by one, with a MAC and by address alone, each (default 100000); past it new ones are aggregated',
  )
  .option('--max-edges <n>', 'edges kept in memory (default 250000); past it the idlest are evicted')
  .action(async (files: string[], o) => {
    process.exitCode = await analyzeCommand(files, o);
  });

program
  .command('alerts')
  .description('list the alerts stored in a database')
  .option('--db <file>', 'the database (default: the per-user one)')
  .option('--since <when>', 'alerts at or after a date/time, or within a duration back from now (24h)')
  .addOption(new Option('--severity <level>', 'lowest severity listed').choices([...SEVERITIES]))
  .option('--kind <kind>', 'one kind only: ' + ALERT_KINDS.join(', '))
  .option('--device <id>', 'one device only (mac:... or ip:...)')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['json', 'table']).default('table'))
  .option('-o, --out <file>', 'write to FILE instead of standard output')
  .action(async (o) => {
    const { alertsCommand } = await import('./alerts');
    process.exitCode = await alertsCommand(o);
  });

addServeOptions(
  program
    .command('serve')
    .description('serve the web console (the UI and the engine over a WebSocket) on loopback'),
).action(async (o) => {
  const { serveCommand } = await import('../serve/serve-command');
  process.exitCode = await serveCommand(o);
});

const forward = program.command('forward').description('SIEM forwarding (docs/forwarding.md)');
forward
  .command('status')
  .description('what each destination has queued, sent, failed and dropped, and its last error')
  .option('--data-dir <dir>', "Glasspane's data folder (default: the per-user one)")
  .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
  .action(async (o) => {
    const { forwardStatusCommand } = await import('./forward-status');
    process.exitCode = forwardStatusCommand(o);
  });

program
  .command('report')
  .description('write an inventory report: PDF, HTML, CSV or JSON (from the extension of --out)')
  .argument('[capture...]', 'capture files to analyse')
  .option('--db <file>', 'report on a device store instead of capture files')
  .requiredOption('-o, --out <file>', 'the report file: .pdf, .html, .csv or .json')
  .option('--title <text>', 'title of the HTML/PDF report')
  .action(async (files: string[], o) => {
    const { reportCommand } = await import('../report/report-command');
    process.exitCode = await reportCommand(files, o);
  });

program
  .command('demo')
  .description("write Glasspane's generated demo capture and print its path")
  .option('-o, --out <file>', 'write it here instead of the cache folder')
  .action(async (o) => {
    const { demoCommand } = await import('../demo/demo-command');
    process.exitCode = await demoCommand(o);
  });

const rules = program.command('rules').description('classification rules (assets/rules)');
rules
  .command('check')
  .description("validate every rule file and run each rule's own test cases")
  .option('--dir <dir>', 'rules directory')
  .action(async (o) => {
    const { rulesCheckCommand } = await import('./rules');
    process.exitCode = await rulesCheckCommand(o.dir);
  });

program
  .command('fingerprints')
  .description('list the fingerprints in captures and the rules that know them')
  .argument('<capture...>', 'capture files')
  .option('-u, --unknown', 'only fingerprints no rule matches')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
  .option('-s, --scheme <scheme...>', 'only these schemes')
  .option('-o, --out <file>', 'write to FILE')
  .action(async (files: string[], o) => {
    const { fingerprintsCommand } = await import('./fingerprints');
    process.exitCode = await fingerprintsCommand(files, o);
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
