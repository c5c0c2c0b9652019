/**
 * The topology as elements to draw: devices (or subnet aggregates above a size threshold), compound
 * parents per subnet (per site and subnet in a sensors' console), edges weighted by traffic. Pure: the controller diffs this against what
 * cytoscape holds and applies only the difference.
 */
import type { DeviceJson, EdgeJson } from '../../shared/model/inventory';
import { deviceKind, KIND_COLOR, kindIcon, type IconKind } from '../util/device-kind';
import { displayName, purdueLevel, subnetOf } from '../util/format';

export type Grouping = 'subnet' | 'purdue' | 'none';

export interface GraphOptions {
  grouping: Grouping;
  /** Above this many devices, subnets collapse into one node each (unless expanded). */
  aggregateAbove: number;
  expanded: ReadonlySet<string>;
}

export interface NodeData {
  id: string;
  label: string;
  parent?: string;
  kind: IconKind | 'aggregate';
  color: string;
  icon: string;
  subnet: string;
  /** Purdue level, or an estimate from the kind; 'unknown' rows sit at the bottom. */
  level: number | null;
  /** Devices stood for (1 for a device, n for an aggregate). */
  count: number;
  search: string;
}

export interface ParentData {
  id: string;
  label: string;
}

export interface EdgeData {
  id: string;
  source: string;
  target: string;
  bytes: number;
  width: number;
  protocols: string;
}

export interface GraphModel {
  nodes: Map<string, NodeData>;
  parents: Map<string, ParentData>;
  edges: Map<string, EdgeData>;
  /** Device id -> the node it is drawn as (itself, or its subnet's aggregate). */
  nodeOf: Map<string, string>;
  aggregated: boolean;
}

export const parentId = (subnet: string) => `net:${subnet}`;

/**
 * The group a device is drawn in: its subnet, within its site in a sensors' console (the same
 * private subnet at two sites is two groups, and a site's subnets sort together).
 */
export const groupOf = (d: DeviceJson): string =>
  d.site !== undefined && d.site !== null ? `site ${d.site} · ${subnetOf(d)}` : subnetOf(d);
export const levelParentId = (level: number | null) => `lvl:${level ?? 'unknown'}`;

const LEVEL_NAMES = [
  'process',
  'basic control',
  'supervisory control',
  'site operations',
  'business network',
  'enterprise',
];

function levelLabel(level: number | null): string {
  return level === null ? 'Level unknown' : `Level ${level}: ${LEVEL_NAMES[level] ?? ''}`;
}
export const aggregateId = (subnet: string) => `agg:${subnet}`;

export const edgeWidth = (bytes: number) => Math.min(10, 1 + 1.3 * Math.log10(1 + bytes / 1000));

export function buildGraph(
  devices: ReadonlyMap<string, DeviceJson>,
  edges: ReadonlyMap<string, EdgeJson>,
  o: GraphOptions,
): GraphModel {
  const nodes = new Map<string, NodeData>();
  const parents = new Map<string, ParentData>();
  const nodeOf = new Map<string, string>();
  const aggregated = devices.size > o.aggregateAbove;
  const aggCount = new Map<string, number>();

  for (const d of devices.values()) {
    const subnet = groupOf(d);
    if (aggregated && !o.expanded.has(subnet)) {
      const id = aggregateId(subnet);
      nodeOf.set(d.id, id);
      aggCount.set(subnet, (aggCount.get(subnet) ?? 0) + 1);
      continue;
    }
    const kind = deviceKind(d);
    const name = displayName(d);
    const level = purdueLevel(d) ?? estimatedLevel(kind);
    let parent: string | undefined;
    if (o.grouping === 'subnet') {
      parent = parentId(subnet);
      if (!parents.has(parent)) parents.set(parent, { id: parent, label: subnet });
    } else if (o.grouping === 'purdue') {
      parent = levelParentId(level);
      // Levels are estimated from the device kind until the engine assigns them; the label says so.
      if (!parents.has(parent)) {
        parents.set(parent, {
          id: parent,
          label: `${levelLabel(level)}${purdueLevel(d) === null && level !== null ? ' (estimated)' : ''}`,
        });
      }
    }
    nodes.set(d.id, {
      id: d.id,
      label: name,
      parent,
      kind,
      color: KIND_COLOR[kind],
      icon: kindIcon(kind),
      subnet,
      level,
      count: 1,
      search: [name, ...d.ips, d.mac ?? '', d.vendor ?? '', d.type ?? '', d.model ?? '']
        .join(' ')
        .toLowerCase(),
    });
    nodeOf.set(d.id, d.id);
  }
  for (const [subnet, n] of aggCount) {
    const id = aggregateId(subnet);
    nodes.set(id, {
      id,
      label: `${subnet} · ${n} devices`,
      kind: 'aggregate',
      color: '#475569',
      icon: kindIcon('switch'),
      subnet,
      level: null,
      count: n,
      search: subnet.toLowerCase(),
    });
  }

  const out = new Map<string, EdgeData>();
  for (const e of edges.values()) {
    const s = nodeOf.get(e.a);
    const t = nodeOf.get(e.b);
    if (!s || !t || s === t) continue;
    const [a, b] = s < t ? [s, t] : [t, s];
    const id = `e:${a}|${b}`;
    const was = out.get(id);
    if (was) {
      was.bytes += e.bytes;
      was.width = edgeWidth(was.bytes);
      if (was.protocols.length < 200)
        was.protocols = [...new Set([...was.protocols.split(', '), ...e.protocols])].join(', ');
    } else {
      out.set(id, {
        id,
        source: a,
        target: b,
        bytes: e.bytes,
        width: edgeWidth(e.bytes),
        protocols: e.protocols.join(', '),
      });
    }
  }
  return { nodes, parents, edges: out, nodeOf, aggregated };
}

/** Until the engine assigns Purdue levels: where a kind usually sits (an estimate, shown as such). */
function estimatedLevel(kind: IconKind): number | null {
  switch (kind) {
    case 'plc':
      return 1;
    case 'hmi':
      return 2;
    case 'server':
    case 'workstation':
    case 'printer':
      return 3;
    case 'router':
    case 'firewall':
      return 4;
    default:
      return null;
  }
}

/** Device ids within n hops of `id` over the edges (bounded BFS). */
export function neighbourhood(id: string, edges: ReadonlyMap<string, EdgeJson>, hops: number): Set<string> {
  const adj = new Map<string, string[]>();
  for (const e of edges.values()) {
    (adj.get(e.a) ?? adj.set(e.a, []).get(e.a)!).push(e.b);
    (adj.get(e.b) ?? adj.set(e.b, []).get(e.b)!).push(e.a);
  }
  const seen = new Set([id]);
  let frontier = [id];
  for (let h = 0; h < hops && frontier.length > 0; h++) {
    const next: string[] = [];
    for (const f of frontier) {
      for (const n of adj.get(f) ?? []) {
        if (seen.has(n)) continue;
        seen.add(n);
        next.push(n);
      }
    }
    frontier = next;
  }
  return seen;
}
