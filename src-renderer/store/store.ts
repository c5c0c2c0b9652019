/** One zustand store in slices; components select the smallest piece they need. */
import { create } from 'zustand';
import { alertsSlice, type AlertsSlice } from './alerts-slice';
import { captureSlice, type CaptureSlice } from './capture-slice';
import { connectionSlice, type ConnectionSlice } from './connection-slice';
import { devicesSlice, type DevicesSlice } from './devices-slice';
import { gridSlice, type GridSlice } from './grid-slice';
import { ifaceRatesSlice, type IfaceRatesSlice } from './iface-rates-slice';
import { sourcesSlice, type SourcesSlice } from './sources-slice';
import { uiSlice, type UiSlice } from './ui-slice';

export type Store = ConnectionSlice &
  SourcesSlice &
  CaptureSlice &
  DevicesSlice &
  UiSlice &
  GridSlice &
  AlertsSlice &
  IfaceRatesSlice;

export const createGlasspaneStore = () =>
  create<Store>()((set, get) => ({
    ...connectionSlice(set, get),
    ...sourcesSlice(set, get),
    ...captureSlice(set, get),
    ...devicesSlice(set, get),
    ...uiSlice(set, get),
    ...gridSlice(set, get),
    ...alertsSlice(set, get),
    ...ifaceRatesSlice(set, get),
  }));

export type GlasspaneStore = ReturnType<typeof createGlasspaneStore>;
