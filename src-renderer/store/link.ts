/**
 * Wires a transport to the store: connection state, events, and the refetches a (re)connection or a
 * sequence gap needs. The user actions the components call live here too, so components never touch
 * the transport.
 */
import type { Alert, CallRequest, CallResponse } from '../../shared/ipc/contract';
import type { ForwardingState } from '../../shared/ipc/forwarding-schema';
import type { Transport } from '../transport/transport';
import { isUnknownCall, type OptionalCallName, type OptionalResult } from './optional-calls';
import type { GlasspaneStore } from './store';

/** Alert events are applied at most this often, so that a burst costs one store update. */
const ALERT_FLUSH_MS = 100;

export interface Link {
  refreshSources(): Promise<void>;
  /** Opens the host's file picker and analyses what was chosen; false when the host has no picker. */
  pickAndOpenCapture(): Promise<boolean>;
  openCapture(paths: string[]): Promise<void>;
  startCapture(interfaces: string[], filter: string): Promise<void>;
  stopCapture(): Promise<void>;
  /** A contract call older engines lack; 'unknown-call' marks the feature unsupported in the store. */
  optional<K extends OptionalCallName>(
    name: K,
    request: CallRequest<K>,
  ): Promise<OptionalResult<CallResponse<K>>>;
  /** Fetches the engine's alerts again (at connect and at each new run it happens by itself). */
  refreshAlerts(): Promise<void>;
  /** One reading of the OS's interface counters into the store; false when sampling cannot work here. */
  sampleInterfaceCounters(): Promise<boolean>;
  /** Each change of the forwarding queues (the Forwarding panel listens while shown). */
  onForwardState(listener: (state: ForwardingState) => void): () => void;
  dispose(): void;
}

export function createLink(transport: Transport, store: GlasspaneStore): Link {
  const s = () => store.getState();

  const refreshSources = async (): Promise<void> => {
    s().setSources({ kind: 'loading' });
    const r = await transport.call('listSources', {});
    s().setSources(
      r.ok ? { kind: 'loaded', sources: r.value } : { kind: 'failed', message: r.error.message },
    );
    s().setDemoPath(r.ok ? (r.value.demo?.path ?? null) : null);
  };

  // A page that connects to an engine already holding a run (`serve --open FILE`, a reload, a second
  // window) lands on the inventory once, as opening a file from the start screen does.
  let landed = false;
  const refreshSnapshot = async (): Promise<void> => {
    const r = await transport.call('getSnapshot', {});
    if (!r.ok) return;
    s().applySnapshot(r.value);
    if (!landed && r.value.status.state !== 'idle' && s().view === 'start') s().setView('inventory');
    landed = true;
  };

  const openCapture = async (paths: string[]): Promise<void> => {
    s().setActionError(null);
    const r = await transport.call('openCapture', { paths });
    if (r.ok) s().setCapture(r.value);
    else s().setActionError(r.error.message);
  };

  async function optional<K extends OptionalCallName>(
    name: K,
    request: CallRequest<K>,
  ): Promise<OptionalResult<CallResponse<K>>> {
    if (s().features[name] === false) {
      return { ok: false, unsupported: true, message: `${name} is not available from this engine` };
    }
    const r = await transport.call(name, request);
    if (r.ok) {
      s().setFeature(name, true);
      return r;
    }
    if (isUnknownCall(r.error)) {
      s().setFeature(name, false);
      return { ok: false, unsupported: true, message: `${name} is not available from this engine` };
    }
    return { ok: false, unsupported: false, message: r.error.message };
  }

  // Alerts that arrive while listAlerts is in flight are kept aside too: the answer may predate them.
  let alertFetches = 0;
  let racing: Alert[] = [];
  let queued: Alert[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const flushAlerts = (): void => {
    flushTimer = null;
    const batch = queued;
    queued = [];
    if (batch.length > 0) s().addAlerts(batch);
  };
  const onAlert = (a: Alert): void => {
    if (queued.length < 10_000) queued.push(a);
    if (alertFetches > 0 && racing.length < 10_000) racing.push(a);
    flushTimer ??= setTimeout(flushAlerts, ALERT_FLUSH_MS);
  };

  const refreshAlerts = async (): Promise<void> => {
    if (alertFetches === 0) racing = [];
    alertFetches++;
    try {
      const r = await optional('listAlerts', {});
      if (r.ok) s().setAlerts(r.value.alerts, r.value.total, racing);
      else if (r.unsupported) s().setAlertsState({ kind: 'unsupported' });
      else s().setAlertsState({ kind: 'failed', message: r.message });
    } finally {
      alertFetches--;
    }
  };

  const sampleInterfaceCounters = async (): Promise<boolean> => {
    const r = await optional('interfaceCounters', {});
    if (r.ok) {
      s().addIfaceCounters(r.value);
      return r.value.supported;
    }
    s().setIfaceCountersState(
      r.unsupported ? { kind: 'unsupported' } : { kind: 'failed', message: r.message },
    );
    return false;
  };

  const onConnected = (): void => {
    void refreshSources();
    void refreshSnapshot();
    void refreshAlerts();
  };

  const unsubs = [
    transport.onState((c) => {
      s().setConnection(transport.kind, c);
      if (c.kind === 'connected') onConnected();
    }),
    transport.on('captureStatus', (status) => s().setCapture(status)),
    transport.on('deviceDelta', (delta) => {
      if (!s().applyDelta(delta)) void refreshSnapshot();
      // A new run: the engine's alerts may have been reset with it.
      if (delta.reset) void refreshAlerts();
    }),
    transport.on('alert', onAlert),
    transport.on('uiCommand', (c) => {
      if (c.command === 'export') s().requestExport();
    }),
  ];

  const initial = transport.state();
  s().setConnection(transport.kind, initial);
  if (initial.kind === 'connected') onConnected();

  return {
    refreshSources,
    openCapture,
    optional,
    refreshAlerts,
    sampleInterfaceCounters,
    onForwardState: (listener) => transport.on('forwardState', listener),
    async pickAndOpenCapture() {
      s().setActionError(null);
      const r = await transport.call('chooseCaptureFiles', {});
      if (!r.ok) {
        s().setActionError(r.error.message);
        return true;
      }
      if (!r.value.supported) return false;
      if (r.value.paths.length > 0) await openCapture(r.value.paths);
      return true;
    },
    async startCapture(interfaces, filter) {
      s().setActionError(null);
      const f = filter.trim();
      const r = await transport.call('startCapture', f ? { interfaces, filter: f } : { interfaces });
      if (r.ok) s().setCapture(r.value);
      else s().setActionError(r.error.message);
    },
    async stopCapture() {
      const r = await transport.call('stopCapture', {});
      if (r.ok) s().setCapture(r.value);
      else s().setActionError(r.error.message);
    },
    dispose() {
      if (flushTimer) clearTimeout(flushTimer);
      for (const u of unsubs) u();
      transport.close();
    },
  };
}
