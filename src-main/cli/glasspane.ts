import { Command, CommanderError, Option } from 'commander';
import { analyzeCommand } from './analyze';
import { addServeOptions } from '../serve/serve-options';
import { addForwardOptions } from '../forward/forward-options';
import { heapFlag, natsFlags } from '../sensor/nats-flags';
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

const analyze = program
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
  );
addForwardOptions(analyze)
  .option(
    '--max-devices <n>',
    'devices kept one by one, with a MAC and by address alone, each (default 100000); past it new ones are aggregated',
  )
  .option('--max-edges <n>', 'edges kept in memory (default 250000); past it the idlest are evicted')
  .option(
    '--threads <n>',
    'analyse capture files on N threads, the same output on any number (default 1: on 2 cores one thread is faster; docs/partial-inventories.md)',
  )
  .option('--partial-out <file>', "also write the partial inventory to FILE, for 'glasspane merge'")
  .option('--site <name>', 'with --partial-out: the site this capture is from (default local)')
  .option('--sensor <name>', "with --partial-out: the sensor's name (default this machine's name)")
  .option('--l2domain <name>', "with --partial-out: the layer-2 domain of its MACs (default the site's name)")
  .action(async (files: string[], o) => {
    process.exitCode = await analyzeCommand(files, o);
  });

program
  .command('merge')
  .description(
    "merge partial inventories (from 'analyze --partial-out' or sensors) and print the inventory, each device with its site and sensors",
  )
  .argument('<partial...>', 'partial inventory files (JSON)')
  .addOption(
    new Option('-f, --format <format>', 'output format').choices(['json', 'csv', 'table']).default('table'),
  )
  .option('-o, --out <file>', 'write to FILE instead of standard output')
  .option('-e, --evidence', 'include every observation behind each device, with the sensors that heard it')
  .addOption(
    new Option(
      '--ids <mode>',
      'device ids: local (mac:…), qualified (mac:…@site/l2domain), auto: qualified only where two would clash',
    )
      .choices(['auto', 'local', 'qualified'])
      .default('auto'),
  )
  .action(async (files: string[], o) => {
    const { mergeCommand } = await import('./merge');
    process.exitCode = await mergeCommand(files, o);
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
  const child = (await import('./heap')).consoleHeap(o);
  if (child !== null) return void (process.exitCode = await child);
  const { serveCommand } = await import('../serve/serve-command');
  process.exitCode = await serveCommand(o);
});

const repeat = (v: string, all: string[] = []) => [...all, v];

addForwardOptions(
  natsFlags(
    program
      .command('sensor')
      .description(
        "headless sensor: analyse live traffic or captures and publish to the site's NATS JetStream stream (docs/sensors.md)",
      )
      .option(
        '--config <file>',
        'a YAML file of these options (site: plant-1, password-file: ...); the command line wins',
      )
      .option('--site <name>', 'the site this sensor watches (letters, digits, - and _)')
      .option('--sensor <name>', "this sensor's name within the site (default: the host name)")
      .option(
        '--l2domain <name>',
        'the layer-2 domain its MACs belong to, when a site has several (default: the site)',
      )
      .option(
        '-i, --iface <name>',
        'capture live on this interface (repeatable) through the capture helper',
        repeat,
      )
      .option('--filter <bpf>', 'with --iface: a capture filter (pcap-filter syntax)')
      .option('--read <capture...>', 'read these capture files instead; publish all, wait for acks, exit')
      .option('--interval <time>', 'send changes this often (default 1s)')
      .option(
        '--max-age <time>',
        "when the sensor creates the site's stream: keep messages this long (default 7d)",
      )
      .option(
        '--duplicate-window <time>',
        "when it creates the stream: the broker's duplicate window (default 2m)",
      )
      .option(
        '--buffer-size <size>',
        'disk buffer for messages the broker has not acknowledged (default 100MB)',
      )
      .option(
        '--data-dir <dir>',
        "Glasspane's data folder, which holds the buffer and the forwarding queues (default: the per-user one)",
      )
      .option('--learn <duration>', 'alert learning period in capture time (default 1h)')
      .option(
        '--wait <time>',
        "at the end, how long to wait for the broker's acks before leaving the rest queued (default 60s with --read, 10s live)",
      )
      .option('--duration <time>', 'with --iface: stop after this long'),
  ),
  { dataDir: false },
).action(async (o) => {
  const { sensorCommand } = await import('../sensor/sensor-command');
  process.exitCode = await sensorCommand(o);
});

const inventory = natsFlags(
  program
    .command('inventory')
    .description(
      'print the merged inventory of the sensors publishing to NATS (each device with its site and sensors)',
    ),
)
  .option('--site <name>', 'only this site (repeatable; default: every site this account may read)', repeat)
  .addOption(
    new Option('-f, --format <format>', 'output format').choices(['json', 'csv', 'table']).default('table'),
  )
  .option('-o, --out <file>', 'write to FILE instead of standard output')
  .option('-e, --evidence', 'include every observation behind each device, with the sensors that heard it');
addForwardOptions(heapFlag(inventory), { snapshots: false }).action(async (o) => {
  if (o.nats === undefined)
    throw new UsageError('inventory needs --nats URL (the broker the sensors publish to)');
  const child = (await import('./heap')).consoleHeap(o);
  if (child !== null) return void (process.exitCode = await child);
  const { inventoryCommand } = await import('../sensor/inventory-command');
  process.exitCode = await inventoryCommand(o);
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
