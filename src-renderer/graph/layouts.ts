/** Preset layouts of our own: subnets as blocks in a grid, and Purdue levels as horizontal bands. */
import type { NodeData } from './model';

export type Point = { x: number; y: number };

const GAP = 70;

function gridBlock(
  ids: readonly string[],
  x0: number,
  y0: number,
  out: Map<string, Point>,
): { w: number; h: number } {
  const cols = Math.max(1, Math.ceil(Math.sqrt(ids.length)));
  ids.forEach((id, i) => out.set(id, { x: x0 + (i % cols) * GAP, y: y0 + Math.floor(i / cols) * GAP }));
  return { w: cols * GAP, h: Math.ceil(ids.length / cols) * GAP };
}

/** Each subnet a square block; blocks placed left to right, wrapping to keep the whole roughly square. */
export function subnetPositions(nodes: Iterable<NodeData>): Map<string, Point> {
  const bySubnet = new Map<string, string[]>();
  for (const n of nodes) (bySubnet.get(n.subnet) ?? bySubnet.set(n.subnet, []).get(n.subnet)!).push(n.id);
  const groups = [...bySubnet.entries()].sort((a, b) =>
    a[0].localeCompare(b[0], undefined, { numeric: true }),
  );
  const total = groups.reduce((n, [, ids]) => n + ids.length, 0);
  const rowWidth = Math.max(600, Math.sqrt(total) * GAP * 1.6);
  const out = new Map<string, Point>();
  let x = 0;
  let y = 0;
  let rowH = 0;
  for (const [, ids] of groups) {
    ids.sort();
    const cols = Math.max(1, Math.ceil(Math.sqrt(ids.length)));
    if (x > 0 && x + cols * GAP > rowWidth) {
      x = 0;
      y += rowH + GAP * 1.5;
      rowH = 0;
    }
    const { w, h } = gridBlock(ids, x, y, out);
    x += w + GAP * 1.5;
    rowH = Math.max(rowH, h);
  }
  return out;
}

/** Level 5 at the top down to level 0; devices without a level in a band below. */
export function purduePositions(nodes: Iterable<NodeData>): Map<string, Point> {
  const bands = new Map<number, NodeData[]>();
  for (const n of nodes) {
    const key = n.level ?? -1;
    (bands.get(key) ?? bands.set(key, []).get(key)!).push(n);
  }
  const out = new Map<string, Point>();
  const perRow = 24;
  let y = 0;
  for (const level of [5, 4, 3, 2, 1, 0, -1]) {
    const ns = bands.get(level);
    if (!ns) continue;
    ns.sort(
      (a, b) =>
        a.subnet.localeCompare(b.subnet, undefined, { numeric: true }) || a.label.localeCompare(b.label),
    );
    ns.forEach((n, i) => out.set(n.id, { x: (i % perRow) * GAP * 1.2, y: y + Math.floor(i / perRow) * GAP }));
    y += Math.ceil(ns.length / perRow) * GAP + GAP * 2;
  }
  return out;
}
