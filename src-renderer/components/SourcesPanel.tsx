import { useCallback, useEffect, useMemo, useState } from 'react';
import { rates } from '../capture/Sparkline';
import { FilterField, type FilterVerdict } from '../capture/FilterField';
import { useGlasspane, useLink, useStoreApi } from '../context';
import { packetRates } from '../store/iface-rates-slice';
import { InterfaceList } from './InterfaceList';
import { LiveAvailability } from './LiveAvailability';

/** How often the OS's interface counters are read while this screen is shown. */
const COUNTER_POLL_MS = 1000;

/**
 * Reads the OS's interface counters once a second for as long as the start screen is shown (this
 * panel is mounted only there), one call at a time; stops for good when the host cannot say.
 */
function useInterfaceCounterPolling(connected: boolean) {
  const link = useLink();
  const store = useStoreApi();
  useEffect(() => {
    if (!connected) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    store.getState().setIfaceCountersState({ kind: 'unknown' });
    const tick = async () => {
      const more = await link.sampleInterfaceCounters();
      if (!live) return;
      // A failed reading is tried again, slowly; a host that cannot read counters is not asked again.
      if (more) timer = setTimeout(() => void tick(), COUNTER_POLL_MS);
      else if (store.getState().ifaceCounters.kind === 'failed') {
        timer = setTimeout(() => void tick(), 5 * COUNTER_POLL_MS);
      }
    };
    void tick();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [connected, link, store]);
}

/** Live capture: pick interfaces, write a filter, start and stop. */
export function SourcesPanel() {
  const sources = useGlasspane((s) => s.sources);
  const connected = useGlasspane((s) => s.connection.kind === 'connected');
  const capture = useGlasspane((s) => s.capture);
  const samples = useGlasspane((s) => s.samples);
  const link = useLink();
  const store = useStoreApi();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [filter, setFilter] = useState('');
  const [verdict, setVerdict] = useState<FilterVerdict>({ blocking: false });
  const [busy, setBusy] = useState(false);
  const onVerdict = useCallback((v: FilterVerdict) => setVerdict(v), []);

  const live = capture.source?.kind === 'live' ? capture.source : null;
  const running = live !== null && (capture.state === 'running' || capture.state === 'starting');
  const capturing = useMemo(() => new Set(running && live ? live.interfaces : []), [running, live]);
  const rate = useMemo(() => rates(samples), [samples]);
  useInterfaceCounterPolling(connected);
  const counting = useGlasspane((s) => s.ifaceCounters.kind === 'sampling');
  const ifaceSamples = useGlasspane((s) => s.ifaceSamples);
  const osRates = useMemo(() => {
    if (!counting) return undefined;
    const out = new Map<string, number[]>();
    for (const [name, samples] of ifaceSamples) out.set(name, packetRates(samples));
    return out;
  }, [counting, ifaceSamples]);
  const available = sources.kind === 'loaded' && sources.sources.live.available;

  const toggle = (name: string) => {
    const next = new Set(chosen);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setChosen(next);
  };

  const start = async () => {
    setBusy(true);
    try {
      await link.startCapture([...chosen], filter);
      if (!store.getState().actionError) store.getState().setView('inventory');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="sources-heading">
      <header className="panel-header">
        <h2 id="sources-heading">Capture sources</h2>
        <button type="button" disabled={!connected} onClick={() => void link.refreshSources()}>
          Refresh
        </button>
      </header>
      {sources.kind === 'unknown' && (
        <p className="muted" data-testid="sources-unknown">
          Capture sources are unknown until the engine is connected.
        </p>
      )}
      {sources.kind === 'loading' && <p className="muted">Asking the engine for interfaces…</p>}
      {sources.kind === 'failed' && (
        <p className="error" role="alert">
          Could not list interfaces: {sources.message}
        </p>
      )}
      {sources.kind === 'loaded' && (
        <>
          <LiveAvailability live={sources.sources.live} />
          <InterfaceList
            interfaces={sources.sources.interfaces}
            chosen={chosen}
            onToggle={toggle}
            capturing={capturing}
            rate={rate}
            osRates={osRates}
            disabled={running || !available}
          />
          {sources.sources.listedBy === 'os' && (
            <p className="muted small">Listed by the operating system; libpcap may show more.</p>
          )}
          <FilterField value={filter} onChange={setFilter} interfaces={[...chosen]} onVerdict={onVerdict} />
          <div className="actions">
            {running ? (
              <button
                type="button"
                className="danger"
                disabled={busy}
                onClick={() => void link.stopCapture()}
              >
                Stop capture
              </button>
            ) : (
              <button
                type="button"
                className="primary"
                disabled={!connected || !available || busy || chosen.size === 0 || verdict.blocking}
                onClick={() => void start()}
              >
                Start capture
              </button>
            )}
            {!running && chosen.size === 0 && available && (
              <span className="muted small">Pick one or more interfaces.</span>
            )}
          </div>
        </>
      )}
    </section>
  );
}
