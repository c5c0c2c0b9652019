/** The transport inside the desktop app: the preload's window.glasspane, nothing else. */
import type { GlasspaneBridge } from '../../shared/ipc/bridge';
import type { EventName } from '../../shared/ipc/channels';
import { parseCallResult, parseEvent, type EventPayload } from '../../shared/ipc/contract';
import type { ConnectionState, Transport } from './transport';

declare global {
  interface Window {
    glasspane?: GlasspaneBridge;
  }
}

export function electronTransport(bridge: GlasspaneBridge): Transport {
  const connected: ConnectionState = { kind: 'connected' };
  return {
    kind: 'electron',
    async call(name, request) {
      try {
        return parseCallResult(name, await bridge.call(name, request));
      } catch (e) {
        // An older preload refuses names it does not list: for us, a call this host lacks.
        const message = e instanceof Error ? e.message : String(e);
        return {
          ok: false,
          error: { code: /unknown call/.test(message) ? 'unknown-call' : 'failed', message },
        };
      }
    },
    on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void) {
      return bridge.on(name, (raw) => {
        const p = parseEvent(name, raw);
        if (p.ok) listener(p.value);
        else console.warn(`glasspane: dropped malformed ${name} event: ${p.message}`);
      });
    },
    // IPC to our own main process is up for as long as this page exists.
    state: () => connected,
    onState: () => () => {},
    close: () => {},
  };
}
