/**
 * Wires a transport to the store: connection state, events, and the refetches a (re)connection or a
 * sequence gap needs. The user actions the components call live here too, so components never touch
 * the transport.
 */
import type { Transport } from '../transport/transport';
import type { GlasspaneStore } from './store';

export interface Link {
  refreshSources(): Promise<void>;
  /** Opens the host's file picker and analyses what was chosen; false when the host has no picker. */
  pickAndOpenCapture(): Promise<boolean>;
  openCapture(paths: string[]): Promise<void>;
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
    dispose() {
      for (const u of unsubs) u();
      transport.close();
    },
  };
}
