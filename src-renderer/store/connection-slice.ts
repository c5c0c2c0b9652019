import type { StateCreator } from 'zustand';
import type { ConnectionState } from '../transport/transport';
import type { Store } from './store';

export interface ConnectionSlice {
  transportKind: 'electron' | 'websocket' | null;
  connection: ConnectionState;
  setConnection(kind: 'electron' | 'websocket', connection: ConnectionState): void;
}

export const connectionSlice: StateCreator<Store, [], [], ConnectionSlice> = (set) => ({
  transportKind: null,
  connection: { kind: 'connecting' },
  setConnection: (transportKind, connection) => set({ transportKind, connection }),
});
