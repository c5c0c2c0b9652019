/**
 * The forwarding flags, defined once for every command that forwards (analyze, serve, sensor,
 * inventory), so their names and help cannot drift. Only commander here: the senders are loaded
 * when a command runs. The values are read by forwardOptions (run.ts).
 */
import type { Command } from 'commander';

const collect = (v: string, all: string[] = []) => [...all, v];

export interface ForwardOptionSet {
  /** Whether the command takes `--snapshot-every` (a host that keeps running; not a one-shot read). */
  snapshots?: boolean;
  /** Whether to add `--data-dir` (a command that already has one for other data leaves it out). */
  dataDir?: boolean;
}

export function addForwardOptions(c: Command, o: ForwardOptionSet = {}): Command {
  c.option(
    '--forward <uri>',
    'send devices and alerts as events (repeatable), queued on disk until delivered: ' +
      'syslog+udp|tcp|tls://host:port?format=cef|leef|json, https://host/path?secret-file=F (webhook), ' +
      'splunk+https://host:8088?token-file=F&ack=1, sentinel://<dce-host>?dcr=..&stream=..&tenant=..&client-id=..&secret-file=F; ' +
      'all take kinds=discovered,changed,not-seen,alert,snapshot&min-severity=medium&not-seen=30m (docs/forwarding.md)',
    collect,
  ).option(
    '--not-seen <duration>',
    'with --forward: an event for each device silent this long (30m, 2h; capture time when reading files, ' +
      'the wall clock when capturing live), once until it is seen again',
  );
  if (o.snapshots !== false)
    c.option(
      '--snapshot-every <duration>',
      'with --forward: the full inventory, one event per device, every this long (1h; same clock as --not-seen)',
    );
  if (o.dataDir !== false)
    c.option(
      '--data-dir <dir>',
      "Glasspane's data folder, which holds the forwarding queues (default: the per-user one)",
    );
  return c;
}
