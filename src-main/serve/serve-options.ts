/**
 * The options of `glasspane serve`, shared by the main CLI and the stand-alone entry (main.ts) so
 * the two cannot drift. Only commander here: the server itself is loaded when the command runs.
 */
import { Option, type Command } from 'commander';
import { addForwardOptions } from '../forward/forward-options';
import { heapFlag, natsFlags } from '../sensor/nats-flags';

const collect = (v: string, all: string[] = []) => [...all, v];

export function addServeOptions(c: Command): Command {
  return (
    addForwardOptions(
      heapFlag(natsFlags(c))
        .option(
          '--site <name>',
          "with --nats: follow this site's stream (repeatable; default: every site this account may read)",
          collect,
        )
        .option('-p, --port <port>', 'port to listen on (0: any free port)', '0')
        .option(
          '--host <addr>',
          'address to listen on; off loopback it needs --tls-cert, --tls-key and --allow-host',
          '127.0.0.1',
        )
        .option('--tls-cert <file>', 'PEM certificate (chain): serve https and wss')
        .option('--tls-key <file>', 'PEM private key of --tls-cert')
        .option(
          '--allow-host <name>',
          'a host name (or address) clients use to reach the console; repeatable',
          collect,
        )
        .option(
          '--sensor-silence <duration>',
          'with --nats: a sensor silent this long is disconnected, with one alert (default 5m)',
        )
        .option(
          '--max-clock-skew <duration>',
          "with --nats: flag a sensor whose clock is off the console's by more than this (default 30s)",
        )
        .option('--open <file...>', 'capture files to open at start')
        .option('--capture-dir <dir>', 'let clients open capture files from this folder only')
        .option('--db <file>', 'record the inventory in this device store')
        .option('--learn <duration>', 'alert learning period in capture time, for a new store (default 1h)')
        .option(
          '--alert-policy <file>',
          'YAML map of event kinds to { severity, text }, merged over the default alert policy',
        )
        .option(
          '--max-devices <n>',
          'devices kept one by one per run (default 100000); past it new ones are aggregated',
        )
        .option('--max-edges <n>', 'edges kept in memory (default 250000)'),
    )
      .addOption(new Option('--renderer <dir>', 'renderer build to serve').hideHelp())
      // How often a --nats console asks the broker again for new sites and streams (tests shorten it).
      .addOption(new Option('--discover-ms <ms>', 'ms between looks for new sites').hideHelp())
  );
}
