import { LiveEvents } from '../../shared/forward/live-events';
import type { ForwardEvent, Origin } from '../../shared/forward/events';
import type { CaptureStatus, DeviceDelta } from '../../shared/ipc/contract';
import type { AlertJson } from '../../shared/model/alert';
import type { DeviceJson } from '../../shared/model/inventory';
import type { EventHub } from '../ipc/event-hub';
import type { Destination } from './destination';
import { Forwarder } from './forwarder';
import { describeReport, FORWARD_TIMEOUT_MS } from './run';

export interface HostForwardingOptions {
  dests: Destination[];
  origin: Origin;
  dataDir: string;
  notSeenMs: number[];
  snapshotEveryMs?: number;
  /** How often events are queued and the clocked ones looked for (ms); default 1000. */
  tickMs?: number;
  log: (message: string) => void;
}

/**
 * `--forward` on a host that serves the engine (serve): what the host's UIs receive (device deltas
 * and alerts on its event hub) becomes events queued on disk per destination, sent beside the
 * engine by the queue workers. The engine only ever pays for turning a batch into events; events
 * are queued once a second (one transaction per destination, not one per batch), so a slow or dead
 * destination, or a busy disk, never holds the batches up. The clock of the silences and snapshots
 * is the wall clock in a live run and the capture's time in a file run.
 */
export function startHostForwarding(
  hub: EventHub,
  status: () => CaptureStatus,
  o: HostForwardingOptions,
): { stop(): Promise<void> } {
  const forwarder = new Forwarder(o.dests, o.origin, o.dataDir);
  forwarder.start();
  const live = new LiveEvents({
    origin: o.origin,
    notSeenMs: o.notSeenMs,
    snapshotEveryMs: o.snapshotEveryMs,
    clock: (latestCapture) => (status().source?.kind === 'live' ? Date.now() : latestCapture),
  });
  let pending: ForwardEvent[] = [];
  const unsubscribe = hub.subscribe((name, payload) => {
    if (name === 'deviceDelta') {
      const d = payload as DeviceDelta;
      if (d.reset) live.reset();
      pending.push(...live.batch({ upserts: d.upserts as DeviceJson[], alerts: [] }));
    } else if (name === 'alert') pending.push(...live.batch({ upserts: [], alerts: [payload as AlertJson] }));
  });
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
    async stop() {
      clearInterval(timer);
      unsubscribe();
      flush();
      for (const r of await forwarder.finish(FORWARD_TIMEOUT_MS))
        o.log(
          describeReport(r, FORWARD_TIMEOUT_MS)
            .replace(/^glasspane: /, '')
            .trimEnd(),
        );
    },
  };
}
