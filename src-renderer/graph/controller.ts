/**
 * Owns the one cytoscape instance (Kiali's pattern): created once on a host element React never
 * re-renders, fed by a store subscription (not by React renders), diffs applied inside cy.batch(),
 * layout re-run only when the graph changed shape, the user's pan and zoom kept across updates.
 */
import cytoscape, {
  type Core,
  type ElementDefinition,
  type NodeSingular,
  type StylesheetJson,
} from 'cytoscape';
import fcose from 'cytoscape-fcose';
import type { GlasspaneStore, Store } from '../store/store';
import { purduePositions, subnetPositions } from './layouts';
import { edgeChanges, nodeChanges } from './element-diff';
import { buildGraph, groupOf, neighbourhood, type GraphModel, type NodeData } from './model';
import { toSvg, type SvgEdge, type SvgNode } from './svg-export';

cytoscape.use(fcose);

export type LayoutName = 'force' | 'subnet' | 'purdue';

/** Above this many devices the graph shows one node per subnet until a subnet is expanded. */
export const AGGREGATE_ABOVE = 1500;
/**
 * Above this many nodes the graph is big: it drops glyphs and small labels to stay responsive, and
 * the force layout trades quality for time.
 */
const BIG_ABOVE = 800;
/** Fitting never zooms in past this: huge labels on a small graph help nobody. */
const MAX_FIT_ZOOM = 1.2;
/** The shortest time between two automatic layouts while a capture streams in. */
const RELAYOUT_MIN_MS = 1500;

export interface GraphStats {
  nodes: number;
  edges: number;
  aggregated: boolean;
  layouts: number;
  lastLayoutMs: number;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function styles(): StylesheetJson {
  const text = cssVar('--text', '#1c2330');
  const muted = cssVar('--muted', '#5f6b7a');
  const border = cssVar('--border', '#d8dde4');
  const accent = cssVar('--accent', '#2563eb');
  const parentBg = cssVar('--graph-group', '#eef2f7');
  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'font-size': 10,
        color: text,
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'text-max-width': '110px',
        'text-wrap': 'ellipsis',
        width: 26,
        height: 26,
        'background-color': 'data(color)',
        'background-image': 'data(icon)',
        'background-fit': 'contain',
        'background-clip': 'none',
        'background-width': '70%',
        'background-height': '70%',
        'min-zoomed-font-size': 7,
      },
    },
    {
      selector: 'node[kind = "aggregate"]',
      style: { shape: 'round-rectangle', width: 44, height: 30, 'font-weight': 'bold' },
    },
    {
      selector: ':parent',
      style: {
        'background-color': parentBg,
        'background-opacity': 0.6,
        'background-image': 'none',
        'border-color': border,
        'border-style': 'dashed',
        'border-width': 1,
        shape: 'round-rectangle',
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': -4,
        color: muted,
        'font-size': 11,
        'text-max-width': '400px',
        'text-wrap': 'none',
        padding: '14px',
      },
    },
    {
      selector: 'edge',
      style: {
        width: 'data(width)',
        'line-color': muted,
        opacity: 0.45,
        'curve-style': 'haystack',
      },
    },
    // Large graphs: no glyph images, labels only when zoomed in (canvas images cost most per frame).
    { selector: 'node.lite', style: { 'background-image': 'none', 'min-zoomed-font-size': 14 } },
    {
      selector: 'node:selected',
      style: { 'border-width': 3, 'border-color': accent, 'border-style': 'solid' },
    },
    { selector: 'edge:selected', style: { 'line-color': accent, opacity: 0.9 } },
    { selector: '.match', style: { 'border-width': 3, 'border-color': '#f59e0b', 'border-style': 'solid' } },
    { selector: '.faded', style: { opacity: 0.12 } },
    { selector: 'edge.focus', style: { opacity: 0.9, 'line-color': accent } },
  ];
}

export class GraphController {
  readonly cy: Core;
  private model: GraphModel | null = null;
  private layoutName: LayoutName = 'force';
  private expanded = new Set<string>();
  private userMoved = false;
  /** True while we move the view ourselves (see withProgrammatic): such moves are not the user's. */
  private programmatic = false;
  private pendingLayout = false;
  private lastLayoutAt = 0;
  private layoutTimer: ReturnType<typeof setTimeout> | null = null;
  private syncing = false;
  private unsub: () => void;
  private focusSet: Set<string> | null = null;
  /** The next force layout starts afresh (the graph changed wholesale: layout switch, expand, collapse). */
  private freshLayout = false;
  private lite = false;
  readonly stats: GraphStats = { nodes: 0, edges: 0, aggregated: false, layouts: 0, lastLayoutMs: 0 };
  onStats: ((s: GraphStats) => void) | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly store: GlasspaneStore,
    private readonly tooltip: HTMLElement,
  ) {
    // Cytoscape adds a <style> element unless one with this id exists; our CSP allows no inline
    // styles, and styles.css gives the container its position instead.
    if (!document.getElementById('__________cytoscape_stylesheet')) {
      const marker = document.createElement('meta');
      marker.id = '__________cytoscape_stylesheet';
      document.head.appendChild(marker);
    }
    this.cy = cytoscape({
      container: host,
      style: styles(),
      wheelSensitivity: 0.3,
      minZoom: 0.02,
      maxZoom: 4,
      boxSelectionEnabled: false,
      selectionType: 'single',
      textureOnViewport: true,
      hideEdgesOnViewport: true,
      motionBlur: false,
      pixelRatio: 1,
    });
    const cy = this.cy;
    cy.on('dragpan scrollzoom pinchzoom', () => {
      if (!this.programmatic) this.userMoved = true;
    });
    cy.on('select', 'node', (e) => {
      if (this.syncing) return;
      const n = e.target as NodeSingular;
      if (n.isParent() || n.data('kind') === 'aggregate') return;
      this.store.getState().select(n.id(), 'graph');
    });
    cy.on('dbltap', 'node', (e) => {
      const n = e.target as NodeSingular;
      if (n.data('kind') === 'aggregate') this.expand(n.data('subnet') as string);
      else if (!n.isParent()) this.store.getState().openDetails(n.id(), 'graph');
    });
    cy.on('mouseover', 'node', (e) => {
      const n = e.target as NodeSingular;
      const p = n.renderedPosition();
      // textContent: names from the network are never markup.
      this.tooltip.textContent = n.isParent() ? String(n.data('label')) : this.tooltipText(n);
      this.tooltip.style.transform = `translate(${Math.round(p.x + 14)}px, ${Math.round(p.y + 14)}px)`;
      this.tooltip.hidden = false;
    });
    cy.on('mouseout', 'node', () => {
      this.tooltip.hidden = true;
    });
    cy.on('viewport', () => {
      this.tooltip.hidden = true;
    });

    let prev = store.getState();
    this.unsub = store.subscribe((s) => {
      const p = prev;
      prev = s;
      if (s.devices !== p.devices || s.edges !== p.edges) this.update();
      if (s.selectionTick !== p.selectionTick) this.syncSelection(s);
      if (s.view !== p.view && s.view === 'map') this.shown();
      if (s.theme !== p.theme) this.restyle();
    });
    this.update();
    this.syncSelection(store.getState());
  }

  private tooltipText(n: NodeSingular): string {
    const d = this.store.getState().devices.get(n.id());
    if (!d) return String(n.data('label'));
    const label = String(n.data('label'));
    const ips = d.ips.slice(0, 3).join(', ');
    return [label, ips === label ? null : ips, d.mac, d.vendor, d.type].filter(Boolean).join('\n');
  }

  private visible(): boolean {
    return this.host.offsetWidth > 0 && this.host.offsetHeight > 0;
  }

  restyle(): void {
    // Theme variables change with the data-theme attribute; read them after the browser applied it.
    requestAnimationFrame(() => this.cy.style(styles()));
  }

  setLayout(name: LayoutName): void {
    if (name === this.layoutName) return this.runLayout(true);
    this.layoutName = name;
    this.userMoved = false;
    this.freshLayout = true;
    this.update(true);
  }

  get layout(): LayoutName {
    return this.layoutName;
  }

  expand(subnet: string): void {
    this.expanded.add(subnet);
    this.freshLayout = true;
    this.update();
  }

  /** Expands every subnet (what the aggregation saves, for measuring it). */
  expandAll(): void {
    for (const d of this.store.getState().devices.values()) this.expanded.add(groupOf(d));
    this.freshLayout = true;
    this.update(true);
  }

  collapseAll(): void {
    this.expanded.clear();
    this.freshLayout = true;
    this.update();
  }

  /** Rebuilds the model from the store and applies the difference. */
  update(forceLayout = false): void {
    const s = this.store.getState();
    const model = buildGraph(s.devices, s.edges, {
      grouping: this.layoutName === 'purdue' ? 'purdue' : 'subnet',
      aggregateAbove: AGGREGATE_ABOVE,
      expanded: this.expanded,
    });
    const changed = this.apply(model);
    this.model = model;
    const lite = model.nodes.size > BIG_ABOVE;
    if (lite !== this.lite || (lite && changed)) {
      this.lite = lite;
      this.cy.batch(() => (lite ? this.cy.nodes().addClass('lite') : this.cy.nodes().removeClass('lite')));
    }
    this.stats.nodes = model.nodes.size;
    this.stats.edges = model.edges.size;
    this.stats.aggregated = model.aggregated;
    this.publish();
    if (changed || forceLayout) this.scheduleLayout(forceLayout);
  }

  private publish(): void {
    const h = this.host.parentElement;
    if (h) {
      h.dataset.nodes = String(this.stats.nodes);
      h.dataset.edges = String(this.stats.edges);
      h.dataset.layouts = String(this.stats.layouts);
      h.dataset.layoutMs = String(Math.round(this.stats.lastLayoutMs));
      h.dataset.aggregated = String(this.stats.aggregated);
    }
    this.onStats?.({ ...this.stats });
  }

  /** Applies a model as a diff; true when elements were added, removed or re-parented (shape changed). */
  private apply(m: GraphModel): boolean {
    const cy = this.cy;
    let shape = false;
    cy.batch(() => {
      // Removals first (edges go with their nodes).
      cy.elements().forEach((el) => {
        const id = el.id();
        const keep = el.isEdge() ? m.edges.has(id) : m.nodes.has(id) || m.parents.has(id);
        if (!keep && el.inside()) {
          el.remove();
          shape = true;
        }
      });
      const add: ElementDefinition[] = [];
      for (const p of m.parents.values()) {
        const el = cy.getElementById(p.id);
        if (el.empty()) add.push({ group: 'nodes', data: { ...p } });
      }
      for (const n of m.nodes.values()) {
        const el = cy.getElementById(n.id);
        if (el.empty()) {
          add.push({ group: 'nodes', data: { ...n }, position: this.seedPosition(n) });
        } else {
          if ((el.data('parent') ?? undefined) !== n.parent) {
            (el as NodeSingular).move({ parent: n.parent ?? null });
            shape = true;
          }
          const patch = nodeChanges(el.data() as Record<string, unknown>, n);
          if (patch) el.data(patch);
        }
      }
      if (add.length) {
        cy.add(add);
        shape = true;
        add.length = 0;
      }
      for (const e of m.edges.values()) {
        const el = cy.getElementById(e.id);
        if (el.empty()) {
          add.push({ group: 'edges', data: { ...e } });
        } else {
          const patch = edgeChanges(el.data() as Record<string, unknown>, e);
          if (patch) el.data(patch);
        }
      }
      if (add.length) {
        cy.add(add);
        shape = true;
      }
    });
    return shape;
  }

  /** A new node starts beside a neighbour already placed, so an incremental layout moves little. */
  private seedPosition(n: NodeData): { x: number; y: number } {
    const sib = n.parent ? this.cy.getElementById(n.parent).children() : null;
    const base = sib && sib.nonempty() ? sib.first().position() : { x: 0, y: 0 };
    return { x: base.x + (Math.random() - 0.5) * 80, y: base.y + (Math.random() - 0.5) * 80 };
  }

  private scheduleLayout(force: boolean): void {
    if (!this.visible()) {
      this.pendingLayout = true;
      return;
    }
    if (this.layoutTimer) return;
    const wait = force ? 0 : Math.max(50, RELAYOUT_MIN_MS - (Date.now() - this.lastLayoutAt));
    this.layoutTimer = setTimeout(() => {
      this.layoutTimer = null;
      this.runLayout(false);
    }, wait);
  }

  /** Runs the chosen layout now; `fit` forces the view to fit, otherwise only when the user has not moved it. */
  runLayout(fit: boolean): void {
    const cy = this.cy;
    if (!this.visible()) {
      this.pendingLayout = true;
      return;
    }
    this.pendingLayout = false;
    this.lastLayoutAt = Date.now();
    if (fit) this.userMoved = false;
    const doFit = !this.userMoved;
    const started = performance.now();
    const leaves = cy.nodes().filter((n) => !n.isParent());
    const pan = cy.pan();
    const zoom = cy.zoom();
    // done() moves the view under withProgrammatic itself: a layout that stops after run() returns
    // (animated, or fcose in a later version) must not look like the user's move.
    const done = () => {
      this.stats.layouts++;
      this.stats.lastLayoutMs = performance.now() - started;
      this.withProgrammatic(() => (doFit ? this.fitTo(undefined, 44) : cy.viewport({ zoom, pan })));
      this.publish();
    };
    if (cy.nodes().empty()) return;
    if (this.layoutName === 'force') {
      const big = leaves.length > BIG_ABOVE;
      // fcose's draft quality is spectral only: it cannot start from existing positions.
      const randomize = this.stats.layouts === 0 || this.freshLayout;
      this.freshLayout = false;
      const l = cy.layout({
        name: 'fcose',
        quality: big && randomize ? 'draft' : 'default',
        randomize,
        animate: false,
        fit: false,
        nodeDimensionsIncludeLabels: !big,
        packComponents: true,
        nodeRepulsion: () => 6000,
        idealEdgeLength: () => 70,
        numIter: big ? 1000 : 2500,
      } as cytoscape.LayoutOptions);
      l.one('layoutstop', done);
      this.withProgrammatic(() => l.run());
      return;
    }
    const data = (leaves.map((n) => n.data() as NodeData) as NodeData[]).filter(Boolean);
    const pos = this.layoutName === 'purdue' ? purduePositions(data) : subnetPositions(data);
    const l = cy.layout({
      name: 'preset',
      positions: (n: NodeSingular) => pos.get(n.id()) ?? n.position(),
      fit: false,
      animate: false,
    } as cytoscape.LayoutOptions);
    l.one('layoutstop', done);
    this.withProgrammatic(() => l.run());
  }

  private shown(): void {
    // The tab was hidden (zero size): let cytoscape measure again, then lay out what arrived meanwhile.
    requestAnimationFrame(() => {
      this.cy.resize();
      if (this.pendingLayout) this.runLayout(false);
    });
  }

  private syncSelection(s: Store): void {
    if (s.selectionOrigin === 'graph') return;
    const cy = this.cy;
    const nodeId = s.selected ? (this.model?.nodeOf.get(s.selected) ?? null) : null;
    this.syncing = true;
    try {
      cy.$(':selected').unselect();
      if (nodeId) {
        const n = cy.getElementById(nodeId);
        if (n.nonempty()) {
          n.select();
          if (this.visible()) {
            const ext = cy.extent();
            const p = n.position();
            if (p.x < ext.x1 || p.x > ext.x2 || p.y < ext.y1 || p.y > ext.y2) {
              this.withProgrammatic(() => cy.center(n));
            }
          }
        }
      }
    } finally {
      this.syncing = false;
    }
  }

  /** Fades everything but the devices within `hops` of the selected one, and fits the view to them. */
  focus(hops: number): boolean {
    const s = this.store.getState();
    if (!s.selected || !this.model) return false;
    const ids = neighbourhood(s.selected, s.edges, hops);
    const nodeIds = new Set([...ids].map((id) => this.model!.nodeOf.get(id)).filter((x): x is string => !!x));
    this.focusSet = nodeIds;
    const cy = this.cy;
    const inFocus = cy.nodes().filter((n) => nodeIds.has(n.id()));
    const links = inFocus.edgesWith(inFocus);
    const keep = inFocus.union(inFocus.ancestors()).union(links);
    cy.batch(() => {
      cy.elements().removeClass('focus');
      keep.removeClass('faded');
      cy.elements().not(keep).addClass('faded');
      links.addClass('focus');
    });
    this.withProgrammatic(() => this.fitTo(inFocus, 80));
    this.userMoved = true;
    return true;
  }

  clearFocus(): void {
    this.focusSet = null;
    this.cy.elements().removeClass('faded focus');
  }

  get focused(): boolean {
    return this.focusSet !== null;
  }

  /** Highlights matching nodes, selects the first, and fits to the matches; returns the match count. */
  search(q: string): number {
    const cy = this.cy;
    const t = q.trim().toLowerCase();
    cy.nodes().removeClass('match');
    if (!t) return 0;
    const hits = cy.nodes().filter((n) => !n.isParent() && String(n.data('search') ?? '').includes(t));
    hits.addClass('match');
    const first = hits.filter((n) => n.data('kind') !== 'aggregate').first();
    if (first.nonempty()) {
      this.syncing = true;
      cy.$(':selected').unselect();
      first.select();
      this.syncing = false;
      this.store.getState().select(first.id(), 'graph');
    }
    if (hits.nonempty()) {
      this.withProgrammatic(() => this.fitTo(hits, 80));
      this.userMoved = true;
    }
    return hits.length;
  }

  fit(): void {
    this.withProgrammatic(() => this.fitTo(undefined, 44));
    this.userMoved = false;
  }

  /** Fits the view to `eles` (everything when undefined), zooming in no further than MAX_FIT_ZOOM. */
  private fitTo(eles: cytoscape.CollectionArgument | undefined, padding: number): void {
    const cy = this.cy;
    cy.fit(eles, padding);
    // About the viewport's centre, where fit() just put the elements.
    if (cy.zoom() > MAX_FIT_ZOOM) {
      cy.zoom({ level: MAX_FIT_ZOOM, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    }
  }

  /**
   * Runs `move` as our own view change, not the user's. The flag is restored however `move` ends
   * (it may throw), and a nested call keeps the outer one's setting.
   */
  private withProgrammatic<T>(move: () => T): T {
    const was = this.programmatic;
    this.programmatic = true;
    try {
      return move();
    } finally {
      this.programmatic = was;
    }
  }

  png(): Blob {
    return this.cy.png({
      output: 'blob',
      full: true,
      scale: 2,
      maxWidth: 8000,
      maxHeight: 8000,
      bg: cssVar('--bg', '#ffffff'),
    });
  }

  svg(): string {
    const nodes: SvgNode[] = [];
    const edges: SvgEdge[] = [];
    this.cy.nodes().forEach((n) => {
      const bb = n.boundingBox({ includeLabels: false });
      const p = n.position();
      nodes.push({
        x: p.x,
        y: p.y,
        w: n.isParent() ? bb.w : n.width(),
        h: n.isParent() ? bb.h : n.height(),
        label: String(n.data('label') ?? ''),
        color: String(n.data('color') ?? '#64748b'),
        parent: n.isParent(),
      });
    });
    this.cy.edges().forEach((e) => {
      const a = e.source().position();
      const b = e.target().position();
      edges.push({ x1: a.x, y1: a.y, x2: b.x, y2: b.y, width: Number(e.data('width')) || 1 });
    });
    return toSvg(nodes, edges, {
      bg: cssVar('--bg', '#ffffff'),
      text: cssVar('--text', '#1c2330'),
      edge: cssVar('--muted', '#5f6b7a'),
      parent: cssVar('--graph-group', '#eef2f7'),
    });
  }

  destroy(): void {
    this.unsub();
    if (this.layoutTimer) clearTimeout(this.layoutTimer);
    this.cy.destroy();
  }
}
