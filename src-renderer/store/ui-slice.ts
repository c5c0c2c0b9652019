/** What the user is looking at: the view, the selected device, the theme, and which optional calls the host answers. */
import type { Slice } from './slice';
import type { FeatureName } from './optional-calls';

export type View = 'start' | 'inventory' | 'map' | 'dashboard' | 'alerts' | 'forwarding' | 'sensors';
export type Theme = 'system' | 'light' | 'dark';
/** Where a selection came from, so that the other views follow without echoing it back. */
export type SelectionOrigin = 'grid' | 'graph' | 'details' | 'other';

/** null: not known yet (never called); true/false: the host answered or refused with 'unknown-call'. */
export type Features = Record<FeatureName, boolean | null>;

export interface UiSlice {
  view: View;
  selected: string | null;
  selectionOrigin: SelectionOrigin;
  /** Bumped on every select, so a repeated selection of the same device still scrolls to it. */
  selectionTick: number;
  detailsOpen: boolean;
  theme: Theme;
  features: Features;
  /** The demo capture the host offers, if any (proposed listSources extension). */
  demoPath: string | null;
  /** The host's menu asked for an export (uiCommand): the inventory's export control runs it once shown. */
  exportPending: boolean;
  requestExport(): void;
  /** Clears the request; true when there was one. */
  takeExport(): boolean;
  setView(view: View): void;
  select(id: string | null, origin: SelectionOrigin): void;
  openDetails(id: string, origin: SelectionOrigin): void;
  closeDetails(): void;
  setTheme(theme: Theme): void;
  setFeature(name: FeatureName, supported: boolean): void;
  setDemoPath(path: string | null): void;
}

const THEME_KEY = 'glasspane.theme';

function storedTheme(): Theme {
  try {
    const t = globalThis.localStorage?.getItem(THEME_KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

export const uiSlice: Slice<UiSlice> = (set, get) => ({
  view: 'start',
  selected: null,
  selectionOrigin: 'other',
  selectionTick: 0,
  detailsOpen: false,
  theme: storedTheme(),
  features: {
    getDevice: null,
    editDevice: null,
    checkFilter: null,
    listSensors: null,
    getSensorConnection: null,
    setSensorConnection: null,
    listAlerts: null,
    getTimeline: null,
    interfaceCounters: null,
    exportReport: null,
    getForwarding: null,
    addForwardDestination: null,
    removeForwardDestination: null,
  },
  demoPath: null,
  exportPending: false,
  requestExport: () => set({ view: 'inventory', exportPending: true }),
  takeExport: () => {
    if (!get().exportPending) return false;
    set({ exportPending: false });
    return true;
  },
  setView: (view) => {
    set({ view });
    if (view === 'alerts') get().markAlertsSeen();
  },
  select: (selected, selectionOrigin) =>
    set({ selected, selectionOrigin, selectionTick: get().selectionTick + 1 }),
  openDetails: (id, selectionOrigin) =>
    set({ selected: id, selectionOrigin, detailsOpen: true, selectionTick: get().selectionTick + 1 }),
  closeDetails: () => set({ detailsOpen: false }),
  setTheme: (theme) => {
    try {
      if (theme === 'system') globalThis.localStorage?.removeItem(THEME_KEY);
      else globalThis.localStorage?.setItem(THEME_KEY, theme);
    } catch {
      // Storage disabled: the choice lasts for this page view.
    }
    set({ theme });
  },
  setFeature: (name, supported) => {
    if (get().features[name] !== supported) set({ features: { ...get().features, [name]: supported } });
  },
  setDemoPath: (demoPath) => set({ demoPath }),
});
