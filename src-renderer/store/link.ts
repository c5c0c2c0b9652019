/**
 * Wires a transport to the store: connection state, events, and the refetches a (re)connection or a
 * sequence gap needs. The user actions the components call live here too, so components never touch
 * the transport.
 */
import { parseCallResult } from '../../shared/ipc/contract';
import type { Transport } from '../transport/transport';
import {
  demoOfferSchema,
  extraCalls,
  parseExtra,
  type ExtraCallName,
  type ExtraRequest,
  type ExtraResponse,
  type ExtraResult,
} from './extra-calls';
import type { GlasspaneStore } from './store';

export interface Link {
  refreshSources(): Promise<void>;
  /** Opens the host's file picker and analyses what was chosen; false when the host has no picker. */
  pickAndOpenCapture(): Promise<boolean>;
  openCapture(paths: string[]): Promise<void>;
  startCapture(interfaces: string[], filter: string): Promise<void>;
  stopCapture(): Promise<void>;
  /** A call the contract may not hold yet; 'unknown-call' marks the feature unsupported in the store. */
  extra<K extends ExtraCallName>(name: K, request: ExtraRequest<K>): Promise<ExtraResult<ExtraResponse<K>>>;
  dispose(): void;
}

export function createLink(transport: Transport, store: GlasspaneStore): Link {
  const s = () => store.getState();

  const refreshSources = async (): Promise<void> => {
    s().setSources({ kind: 'loading' });
    if (transport.callRaw) {
      // Raw, so that the proposed `demo` field survives (the contract's schema strips unknown keys).
      const raw = await transport.callRaw('listSources', {});
      const r = parseCallResult('listSources', raw);
      s().setSources(
        r.ok ? { kind: 'loaded', sources: r.value } : { kind: 'failed', message: r.error.message },
      );
      const value = typeof raw === 'object' && raw !== null && 'value' in raw ? raw.value : null;
      const demo = demoOfferSchema.safeParse(value);
      s().setDemoPath(demo.success ? (demo.data.demo?.path ?? null) : null);
      return;
    }
    const r = await transport.call('listSources', {});
    s().setSources(
      r.ok ? { kind: 'loaded', sources: r.value } : { kind: 'failed', message: r.error.message },
    );
  };

  const refreshSnapshot = async (): Promise<void> => {
    const r = await transport.call('getSnapshot', {});
    if (r.ok) s().applySnapshot(r.value);
  };

  const openCapture = async (paths: string[]): Promise<void> => {
    s().setActionError(null);
    const r = await transport.call('openCapture', { paths });
    if (r.ok) s().setCapture(r.value);
    else s().setActionError(r.error.message);
  };

  const onConnected = (): void => {
    void refreshSources();
    void refreshSnapshot();
  };

  const unsubs = [
    transport.onState((c) => {
      s().setConnection(transport.kind, c);
      if (c.kind === 'connected') onConnected();
    }),
    transport.on('captureStatus', (status) => s().setCapture(status)),
    transport.on('deviceDelta', (delta) => {
      if (!s().applyDelta(delta)) void refreshSnapshot();
    }),
  ];

  const initial = transport.state();
  s().setConnection(transport.kind, initial);
  if (initial.kind === 'connected') onConnected();

  return {
    refreshSources,
    openCapture,
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
    async extra(name, request) {
      if (!transport.callRaw || s().features[name] === false) {
        return { ok: false, unsupported: true, message: `${name} is not available here` };
      }
      const checked = (extraCalls[name].request as { safeParse(x: unknown): { success: boolean } }).safeParse(
        request,
      );
      if (!checked.success) return { ok: false, unsupported: false, message: `bad ${name} request` };
      const r = parseExtra(name, await transport.callRaw(name, request));
      if (r.ok) s().setFeature(name, true);
      else if (r.unsupported) s().setFeature(name, false);
      return r;
    },
    dispose() {
      for (const u of unsubs) u();
      transport.close();
    },
  };
}
