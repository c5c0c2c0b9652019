/**
 * The topology view. The cytoscape host is a memoised element without props: React renders it once
 * and never again; the controller feeds cytoscape from the store directly.
 */
import { memo, useEffect, useRef, useState, type FormEvent } from 'react';
import { useGlasspane, useStoreApi } from '../context';
import { download, stamp } from '../util/download';
import { GraphController, type GraphStats, type LayoutName } from './controller';

const CyHost = memo(function CyHost({
  onMount,
}: {
  onMount(host: HTMLDivElement, tip: HTMLDivElement): () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  useEffect(() => onMount(host.current!, tip.current!), [onMount]);
  return (
    <>
      <div ref={host} className="cy-host" data-testid="cy" tabIndex={-1} />
      <div ref={tip} className="cy-tooltip" role="tooltip" hidden />
    </>
  );
});

function GraphToolbar({ ctl, stats }: { ctl: GraphController; stats: GraphStats }) {
  const [layout, setLayout] = useState<LayoutName>(ctl.layout);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<number | null>(null);
  const [hops, setHops] = useState(1);
  const [focused, setFocused] = useState(false);
  const selected = useGlasspane((s) => s.selected);

  const search = (e: FormEvent) => {
    e.preventDefault();
    setHits(query.trim() ? ctl.search(query) : null);
  };

  return (
    <div className="toolbar graph-toolbar">
      <label>
        Layout{' '}
        <select
          value={layout}
          aria-label="Layout"
          onChange={(e) => {
            const l = e.target.value as LayoutName;
            setLayout(l);
            ctl.setLayout(l);
          }}
        >
          <option value="force">Force-directed</option>
          <option value="subnet">By subnet</option>
          <option value="purdue">By Purdue level</option>
        </select>
      </label>
      <button type="button" onClick={() => ctl.runLayout(true)}>
        Re-layout
      </button>
      <button type="button" onClick={() => ctl.fit()}>
        Fit
      </button>
      <form onSubmit={search} className="inline-form">
        <input
          type="search"
          aria-label="Search the map"
          placeholder="Find on map"
          value={query}
          maxLength={256}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="submit">Find</button>
        {hits !== null && <span className="muted small">{hits} found</span>}
      </form>
      <span className="spacer" />
      <label>
        Hops{' '}
        <select value={hops} aria-label="Focus hops" onChange={(e) => setHops(Number(e.target.value))}>
          {[1, 2, 3].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      {focused ? (
        <button
          type="button"
          onClick={() => {
            ctl.clearFocus();
            setFocused(false);
          }}
        >
          Show all
        </button>
      ) : (
        <button type="button" disabled={!selected} onClick={() => setFocused(ctl.focus(hops))}>
          Focus on selection
        </button>
      )}
      {stats.aggregated && (
        <button type="button" onClick={() => ctl.collapseAll()} title="Double-click a subnet to expand it">
          Collapse subnets
        </button>
      )}
      <button type="button" onClick={() => download(`glasspane-map-${stamp()}.png`, ctl.png())}>
        PNG
      </button>
      <button
        type="button"
        onClick={() =>
          download(`glasspane-map-${stamp()}.svg`, new Blob([ctl.svg()], { type: 'image/svg+xml' }))
        }
      >
        SVG
      </button>
    </div>
  );
}

export function GraphView() {
  const store = useStoreApi();
  const [ctl, setCtl] = useState<GraphController | null>(null);
  const [stats, setStats] = useState<GraphStats | null>(null);
  const onMount = useRef((host: HTMLDivElement, tip: HTMLDivElement) => {
    const c = new GraphController(host, store, tip);
    c.onStats = setStats;
    setCtl(c);
    (window as { __glasspaneGraph?: GraphController }).__glasspaneGraph = c;
    return () => c.destroy();
  }).current;

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (!ctl) return;
    const cy = ctl.cy;
    const step = 60;
    if (e.key === 'ArrowLeft') cy.panBy({ x: step, y: 0 });
    else if (e.key === 'ArrowRight') cy.panBy({ x: -step, y: 0 });
    else if (e.key === 'ArrowUp') cy.panBy({ x: 0, y: step });
    else if (e.key === 'ArrowDown') cy.panBy({ x: 0, y: -step });
    else if (e.key === '+' || e.key === '=')
      cy.zoom({ level: cy.zoom() * 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    else if (e.key === '-')
      cy.zoom({ level: cy.zoom() / 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    else if (e.key === '0') ctl.fit();
    else if (e.key === 'Enter') {
      const id = store.getState().selected;
      if (id) store.getState().openDetails(id, 'graph');
    } else if (e.key === 'Tab' && !e.shiftKey && e.altKey) {
      // Alt+Tab is the OS's; nothing here.
      return;
    } else if (e.key === 'n' || e.key === 'p') {
      // Next/previous device by traffic: keyboard selection without a pointer.
      const nodes = cy
        .nodes()
        .filter((n) => !n.isParent() && n.data('kind') !== 'aggregate')
        .sort((a, b) => String(a.data('label')).localeCompare(String(b.data('label'))));
      if (nodes.empty()) return;
      const cur = store.getState().selected;
      let i = nodes.toArray().findIndex((n) => n.id() === cur);
      i = e.key === 'n' ? (i + 1) % nodes.length : (i - 1 + nodes.length) % nodes.length;
      const n = nodes[i]!;
      store.getState().select(n.id(), 'other');
      cy.center(n);
    } else return;
    e.preventDefault();
  };

  return (
    <div className="graph" data-testid="graph">
      {ctl && stats && <GraphToolbar ctl={ctl} stats={stats} />}
      <div
        className="cy-wrap"
        data-testid="graph-canvas"
        tabIndex={0}
        aria-label="Network map: arrows pan, + and - zoom, 0 fits, n and p step through devices, Enter opens details"
        onKeyDown={onKeyDown}
      >
        <CyHost onMount={onMount} />
        {stats && (
          <div className="graph-legend muted small" data-testid="graph-stats">
            {stats.nodes} nodes · {stats.edges} links
            {stats.aggregated ? ' · subnets aggregated (double-click to expand)' : ''}
          </div>
        )}
      </div>
    </div>
  );
}
