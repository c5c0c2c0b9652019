import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { AlertsView } from '../alerts/AlertsView';
import { useGlasspane, useStoreApi } from '../context';
import { DashboardView } from '../dashboard/DashboardView';
import { ForwardingView } from '../forwarding/ForwardingView';
import { DeviceDetails } from '../details/DeviceDetails';
import { GraphView } from '../graph/GraphView';
import { SensorsView } from '../sensors/SensorsView';
import { InventoryView } from '../inventory/InventoryView';
import type { Theme, View } from '../store/ui-slice';
import { CaptureStatusLine } from './CaptureStatusLine';
import { ConnectionBanner } from './ConnectionBanner';
import { OpenCapture } from './OpenCapture';
import { SourcesPanel } from './SourcesPanel';

const TABS: { view: View; label: string }[] = [
  { view: 'start', label: 'Capture' },
  { view: 'inventory', label: 'Inventory' },
  { view: 'dashboard', label: 'Dashboard' },
  { view: 'map', label: 'Map' },
  { view: 'alerts', label: 'Alerts' },
  { view: 'forwarding', label: 'Forwarding' },
  { view: 'sensors', label: 'Sensors' },
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
  const unseen = useGlasspane((s) => s.unseenAlerts);
  const store = useStoreApi();
  const tabsRef = useRef<HTMLElement>(null);
  const theme = useThemeAttribute();
  // The map mounts the first time it is shown and then stays mounted (hidden) so cytoscape lives on.
  const [mapMounted, setMapMounted] = useState(view === 'map');
  useEffect(() => {
    if (view === 'map') setMapMounted(true);
  }, [view]);

  // Arrow keys move between the views as in any tab list (Tab still reaches every tab too).
  const onTabKey = (e: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.view === view);
    const to =
      e.key === 'ArrowRight'
        ? (i + 1) % TABS.length
        : e.key === 'ArrowLeft'
          ? (i - 1 + TABS.length) % TABS.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? TABS.length - 1
              : -1;
    if (to < 0) return;
    e.preventDefault();
    store.getState().setView(TABS[to]!.view);
    tabsRef.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[to]?.focus();
  };

  return (
    <div className="app">
      <header className="titlebar">
        <h1>Glasspane</h1>
        <nav className="tabs" role="tablist" aria-label="Views" ref={tabsRef} onKeyDown={onTabKey}>
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
              {t.view === 'alerts' && unseen > 0 && (
                <span
                  className="tab-count alert-badge"
                  data-testid="alerts-unseen"
                  title={`${unseen} unseen`}
                >
                  {unseen > 999 ? '999+' : unseen}
                </span>
              )}
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
          {view === 'dashboard' && <DashboardView />}
          {view === 'alerts' && <AlertsView />}
          {view === 'forwarding' && <ForwardingView />}
          {view === 'sensors' && <SensorsView />}
          {mapMounted && (
            <div className={view === 'map' ? 'map-pane' : 'map-pane hidden'}>
              <GraphView />
            </div>
          )}
        </main>
        {detailsOpen && view !== 'start' && view !== 'forwarding' && <DeviceDetails />}
      </div>
      <CaptureStatusLine />
    </div>
  );
}
