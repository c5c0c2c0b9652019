import { LiveEvents } from '../../shared/forward/live-events';
import type { ForwardEvent, Origin } from '../../shared/forward/events';
import type { AlertJson } from '../../shared/model/alert';
import type { DeviceJson } from '../../shared/model/inventory';
import type { Destination } from './destination';
import { Forwarder } from './forwarder';
import { describeReport, FORWARD_TIMEOUT_MS } from './run';

export interface HostForwardingOptions {
  dests: Destination[];
  origin: Origin;
  dataDir: string;
  notSeenMs: number[];
  snapshotEveryMs?: number;
  /** Whether the run is live now: its silences and snapshots then go by the wall clock. */
  live: () => boolean;
  /** How often events are queued and the clocked ones looked for (ms); default 1000. */
  tickMs?: number;
  log: (message: string) => void;
}

/**
 * What the merged console (`serve --nats`) tells its forwarding besides the batches it rebuilds:
 * it has no recorder, and its devices' ids may change under them.
 */
export interface MergedForwarding {
  /** One batch the Recorder recorded: its devices discovered or changed, its alerts. */
  recorded(r: { delta: { upserts: readonly DeviceJson[] } | null; alerts: readonly AlertJson[] }): void;
  /** The devices its store's checkpoint holds: forwarded by the console's earlier run. */
  forwardedBefore(devices: readonly DeviceJson[]): void;
  /** A merged device's id changed (a second site made ids qualified): the same device. */
  renamed(from: string, to: string): void;
  /** Alerts read from the streams, each with its merged device where the merge holds it. */
  alertsOf(list: readonly { alert: AlertJson; device: DeviceJson | null }[]): void;
  /** Queue what is pending now (before a checkpoint records the devices as forwarded). */
  flush(): void;
}

/** Several forwardings told the same (serve's --forward and the app's Forwarding settings). */
export function everyOf(
  list: readonly (MergedForwarding | null | undefined)[],
): MergedForwarding | undefined {
  const all = list.filter((f): f is MergedForwarding => f !== null && f !== undefined);
  if (all.length <= 1) return all[0];
  return {
    recorded: (r) => all.forEach((f) => f.recorded(r)),
    forwardedBefore: (d) => all.forEach((f) => f.forwardedBefore(d)),
    renamed: (from, to) => all.forEach((f) => f.renamed(from, to)),
    alertsOf: (l) => all.forEach((f) => f.alertsOf(l)),
    flush: () => all.forEach((f) => f.flush()),
  };
}

/** A host's forwarding, fed by its recording loop (the Recorder's batches, RunSink's shape). */
export interface HostForwarding extends MergedForwarding {
  /** A new run (another capture): its devices are discovered again, the clocks start over. */
  newRun(): void;
  /** Queue the rest, give the destinations at most 5 s more, say what is left. */
  stop(): Promise<void>;
}

/**
 * `--forward` on a host that keeps running (serve, the sensor): what its one recording loop
 * records (the Recorder's batches: devices and the alerts raised) becomes events queued on disk per
 * destination, sent beside the analysis by the queue workers. The recorder only pays for turning a
 * batch into events; events are queued once a second (one transaction per destination, not one per
 * batch), so a slow or dead destination, or a busy disk, never holds the batches up. The clock of
 * the silences and snapshots is the wall clock in a live run and the capture's time in a file run.
 */
export function startHostForwarding(o: HostForwardingOptions): HostForwarding {
  const forwarder = new Forwarder(o.dests, o.origin, o.dataDir);
  forwarder.start();
  const live = new LiveEvents({
    origin: o.origin,
    notSeenMs: o.notSeenMs,
    snapshotEveryMs: o.snapshotEveryMs,
    clock: (latestCapture) => (o.live() ? Date.now() : latestCapture),
  });
  let pending: ForwardEvent[] = [];
  let stopped = false;
  const flush = () => {
    try {
      pending.push(...live.tick());
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      forwarder.send(batch);
    } catch (e) {
      o.log(`forwarding: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const timer = setInterval(flush, o.tickMs ?? 1000);
  timer.unref?.();
  return {
    newRun() {
      // What the run before raised and has not been queued yet keeps its place.
      pending.push(...live.tick());
      live.reset();
    },
    recorded(r) {
      if (stopped) return;
      pending.push(...live.batch({ upserts: r.delta?.upserts ?? [], alerts: r.alerts }));
    },
    forwardedBefore(devices) {
      live.forwardedBefore(devices);
    },
    renamed(from, to) {
      live.rename(from, to);
    },
    alertsOf(list) {
      if (!stopped) pending.push(...live.alerts(list));
    },
    flush,
    async stop() {
      clearInterval(timer);
      flush();
      stopped = true;
      for (const r of await forwarder.finish(FORWARD_TIMEOUT_MS))
        o.log(
          describeReport(r, FORWARD_TIMEOUT_MS)
            .replace(/^glasspane: /, '')
            .trimEnd(),
        );
    },
  };
}
