/**
 * Fan-out of engine events to every connected UI (the Electron window, the console's WebSocket
 * clients). A listener that throws is logged and kept; one broken client must not stop the others.
 */
import type { EventName } from '../../shared/ipc/channels';
import type { EventPayload } from '../../shared/ipc/contract';
import { errorMessage, type Logger } from './dispatch';
import type { EventListener } from './engine-api';

export interface EventHub {
  emit<K extends EventName>(name: K, payload: EventPayload<K>): void;
  subscribe(listener: EventListener): () => void;
}

export function createEventHub(log: Logger = console.warn): EventHub {
  const listeners = new Set<EventListener>();
  return {
    emit(name, payload) {
      for (const l of listeners) {
        try {
          l(name, payload);
        } catch (e) {
          log(`ipc: event listener failed on ${name}: ${errorMessage(e)}`);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
