/**
 * The NATS connection flags of the sensor and of the consoles (inventory, serve): secrets come from
 * files only. Only commander here, so the CLI loads no NATS client until a command runs.
 */
import type { Command } from 'commander';

export function natsFlags(c: Command): Command {
  return c
    .option('--nats <url>', 'the NATS server: nats://host:4222, or tls://host:4222')
    .option('--user <name>', 'NATS user (with --password-file)')
    .option('--password-file <file>', "a file holding the user's password (never on the command line)")
    .option('--creds <file>', 'a NATS credentials file (user JWT and nkey seed)')
    .option('--nkey-seed <file>', 'a file holding a user nkey seed (SU...)')
    .option('--tls-ca <file>', "the CA that signed the server's certificate (PEM)");
}

/** The heap of a console (`serve --nats`, `inventory --nats`): src-main/cli/heap.ts. */
export function heapFlag(c: Command): Command {
  return c.option(
    '--heap <size>',
    "with --nats: the console's heap, e.g. 8GB (default: half this machine's memory; Node alone gives 4 GB)",
  );
}
