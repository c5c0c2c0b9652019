import type { StateCreator } from 'zustand';
import type { Sources } from '../../shared/ipc/contract';
import type { Store } from './store';

export type SourcesState =
  | { kind: 'unknown' }
  | { kind: 'loading' }
  | { kind: 'loaded'; sources: Sources }
  | { kind: 'failed'; message: string };

export interface SourcesSlice {
  sources: SourcesState;
  setSources(sources: SourcesState): void;
}

export const sourcesSlice: StateCreator<Store, [], [], SourcesSlice> = (set) => ({
  sources: { kind: 'unknown' },
  setSources: (sources) => set({ sources }),
});
