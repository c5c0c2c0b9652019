/**
 * How the renderer reaches the engine, whoever hosts it: Electron IPC through window.glasspane, or a
 * WebSocket to the console host. Both validate every reply and event with the shared contract before
 * anything else in the renderer sees it.
 */
import type { CallName, EventName } from '../../shared/ipc/channels';
import type { CallRequest, CallResponse, CallResult, EventPayload } from '../../shared/ipc/contract';

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'connected' }
  /** retryAt: epoch ms of the next attempt, or null when retrying cannot help (no token, refused). */
  | { kind: 'disconnected'; reason: string; retryAt: number | null };

export interface Transport {
  readonly kind: 'electron' | 'websocket';
  call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResult<CallResponse<K>>>;
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
  state(): ConnectionState;
  onState(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

/** A small typed listener set, shared by both transports. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  emit(value: T): void {
    for (const l of this.set) {
      try {
        l(value);
      } catch (e) {
        console.error('glasspane: listener failed', e);
      }
    }
  }
}
