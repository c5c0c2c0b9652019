import type { Slice } from './slice';
import type { ConnectionState } from '../transport/transport';

export interface ConnectionSlice {
  transportKind: 'electron' | 'websocket' | null;
  connection: ConnectionState;
  setConnection(kind: 'electron' | 'websocket', connection: ConnectionState): void;
}

export const connectionSlice: Slice<ConnectionSlice> = (set) => ({
  transportKind: null,
  connection: { kind: 'connecting' },
  setConnection: (transportKind, connection) => set({ transportKind, connection }),
});
