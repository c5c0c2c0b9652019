/** One zustand store in slices; components select the smallest piece they need. */
import { create } from 'zustand';
import { captureSlice, type CaptureSlice } from './capture-slice';
import { connectionSlice, type ConnectionSlice } from './connection-slice';
import { devicesSlice, type DevicesSlice } from './devices-slice';
import { gridSlice, type GridSlice } from './grid-slice';
import { sourcesSlice, type SourcesSlice } from './sources-slice';
import { uiSlice, type UiSlice } from './ui-slice';

export type Store = ConnectionSlice & SourcesSlice & CaptureSlice & DevicesSlice & UiSlice & GridSlice;

export const createGlasspaneStore = () =>
  create<Store>()((...a) => ({
    ...connectionSlice(...a),
    ...sourcesSlice(...a),
    ...captureSlice(...a),
    ...devicesSlice(...a),
    ...uiSlice(...a),
    ...gridSlice(...a),
  }));

export type GlasspaneStore = ReturnType<typeof createGlasspaneStore>;
