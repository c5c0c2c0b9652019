import { useEffect, useState } from 'react';
import { useGlasspane, useStoreApi } from '../context';
import { DeviceDetails } from '../details/DeviceDetails';
import { GraphView } from '../graph/GraphView';
import { InventoryView } from '../inventory/InventoryView';
import type { Theme, View } from '../store/ui-slice';
import { CaptureStatusLine } from './CaptureStatusLine';
import { ConnectionBanner } from './ConnectionBanner';
import { OpenCapture } from './OpenCapture';
import { SourcesPanel } from './SourcesPanel';

const TABS: { view: View; label: string }[] = [
  { view: 'start', label: 'Capture' },
  { view: 'inventory', label: 'Inventory' },
  { view: 'map', label: 'Map' },
];

const NEXT_THEME: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };

function useThemeAttribute() {
  const theme = useGlasspane((s) => s.theme);
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
  }, [theme]);
  return theme;
}

export function App() {
  const view = useGlasspane((s) => s.view);
  const detailsOpen = useGlasspane((s) => s.detailsOpen);
  const deviceCount = useGlasspane((s) => s.devices.size);
  const store = useStoreApi();
  const theme = useThemeAttribute();
  // The map mounts the first time it is shown and then stays mounted (hidden) so cytoscape lives on.
  const [mapMounted, setMapMounted] = useState(view === 'map');
  useEffect(() => {
    if (view === 'map') setMapMounted(true);
  }, [view]);

  return (
    <div className="app">
      <header className="titlebar">
        <h1>Glasspane</h1>
        <nav className="tabs" role="tablist" aria-label="Views">
          {TABS.map((t) => (
            <button
              key={t.view}
              type="button"
              role="tab"
              aria-selected={view === t.view}
              className={view === t.view ? 'tab active' : 'tab'}
              onClick={() => store.getState().setView(t.view)}
            >
              {t.label}
              {t.view === 'inventory' && deviceCount > 0 && <span className="tab-count">{deviceCount}</span>}
            </button>
          ))}
        </nav>
        <span className="spacer" />
        <span className="muted small">Passive device visibility</span>
        <button
          type="button"
          className="theme-toggle"
          aria-label={`Theme: ${theme}`}
          title={`Theme: ${theme} (click to change)`}
          onClick={() => store.getState().setTheme(NEXT_THEME[theme])}
        >
          {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}
        </button>
      </header>
      <ConnectionBanner />
      <div className="workspace">
        <main className="main">
          {view === 'start' && (
            <div className="content">
              <SourcesPanel />
              <OpenCapture />
            </div>
          )}
          {view === 'inventory' && <InventoryView />}
          {mapMounted && (
            <div className={view === 'map' ? 'map-pane' : 'map-pane hidden'}>
              <GraphView />
            </div>
          )}
        </main>
        {detailsOpen && view !== 'start' && <DeviceDetails />}
      </div>
      <CaptureStatusLine />
    </div>
  );
}
