import type { Slice } from './slice';
import type { Sources } from '../../shared/ipc/contract';

export type SourcesState =
  | { kind: 'unknown' }
  | { kind: 'loading' }
  | { kind: 'loaded'; sources: Sources }
  | { kind: 'failed'; message: string };

export interface SourcesSlice {
  sources: SourcesState;
  setSources(sources: SourcesState): void;
}

export const sourcesSlice: Slice<SourcesSlice> = (set) => ({
  sources: { kind: 'unknown' },
  setSources: (sources) => set({ sources }),
});
