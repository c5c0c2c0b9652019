import { useGlasspane, useLink } from '../context';
import { InterfaceList } from './InterfaceList';
import { LiveAvailability } from './LiveAvailability';

export function SourcesPanel() {
  const sources = useGlasspane((s) => s.sources);
  const connected = useGlasspane((s) => s.connection.kind === 'connected');
  const link = useLink();

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
          <InterfaceList interfaces={sources.sources.interfaces} />
          {sources.sources.listedBy === 'os' && (
            <p className="muted small">Listed by the operating system; libpcap may show more.</p>
          )}
        </>
      )}
    </section>
  );
}
