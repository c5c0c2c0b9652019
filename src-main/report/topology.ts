/**
 * A topology sketch as inline SVG: devices grouped by IPv4 /24 subnet (Internet peers and layer-2
 * only devices in groups of their own), each group a circle of dots, conversations as lines between
 * dots. A simple deterministic layout: groups on a grid, members on a ring (or a spiral when many).
 */
import type { DeviceJson, EdgeJson } from '../../shared/model/inventory';
import { escapeHtml } from './escape';

/** Dots drawn per group and lines drawn in all; beyond that the picture says how many were left out. */
const MAX_PER_GROUP = 120;
const MAX_EDGES = 400;

interface Group {
  label: string;
  devices: DeviceJson[];
  x: number;
  y: number;
  r: number;
}

function groupOf(d: DeviceJson): string {
  if (d.routed) return 'Internet / routed';
  const v4 = d.ips.find((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip));
  if (v4 !== undefined) return v4.split('.').slice(0, 3).join('.') + '.0/24';
  if (d.ips.length > 0) return 'IPv6 only';
  return 'Layer 2 only';
}

function dotColour(d: DeviceJson): string {
  if (d.router) return '#c14b55';
  if (d.roles.some((r) => /modbus|s7|enip|bacnet|dnp3|iec|opc|profinet|plc/i.test(r))) return '#c7772b';
  if (d.routed) return '#9ca3af';
  return '#2f6fb3';
}

export function topologySvg(devices: DeviceJson[], edges: EdgeJson[], width = 760): string {
  const byGroup = new Map<string, DeviceJson[]>();
  for (const d of devices) {
    const g = groupOf(d);
    const list = byGroup.get(g) ?? [];
    list.push(d);
    byGroup.set(g, list);
  }
  const names = [...byGroup.keys()].sort((a, b) => {
    const rank = (s: string) => (s.startsWith('Internet') ? 2 : /^\d/.test(s) ? 0 : 1);
    return rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true });
  });
  const cols = Math.min(3, Math.max(1, names.length));
  const cellW = width / cols;
  const cellH = 250;
  const groups: Group[] = names.map((label, i) => ({
    label,
    devices: byGroup.get(label)!,
    x: (i % cols) * cellW + cellW / 2,
    y: Math.floor(i / cols) * cellH + cellH / 2 + 10,
    r: Math.min(cellW, cellH) / 2 - 35,
  }));
  const height = Math.max(1, Math.ceil(groups.length / cols)) * cellH + 20;

  const pos = new Map<string, { x: number; y: number }>();
  const dots: string[] = [];
  const hidden: number[] = [];
  for (const g of groups) {
    const shown = g.devices.slice(0, MAX_PER_GROUP);
    hidden.push(g.devices.length - shown.length);
    shown.forEach((d, i) => {
      // A ring for few members, a sunflower spiral for many (even spacing without overlap).
      const n = shown.length;
      const ring = n <= 16;
      const a = ring ? (2 * Math.PI * i) / n - Math.PI / 2 : i * 2.39996;
      const rr = ring ? (n === 1 ? 0 : g.r * 0.72) : g.r * 0.9 * Math.sqrt((i + 0.5) / n);
      const p = { x: g.x + rr * Math.cos(a), y: g.y + rr * Math.sin(a) };
      pos.set(d.id, p);
      const name = d.hostname ?? d.ips[0] ?? d.mac ?? d.id;
      dots.push(
        `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="5" fill="${dotColour(d)}"><title>${escapeHtml(
          `${name} ${d.vendor ?? ''}`.trim().slice(0, 200),
        )}</title></circle>` +
          (ring
            ? `<text x="${p.x.toFixed(1)}" y="${(p.y + 15).toFixed(1)}" class="dl">${escapeHtml(name.slice(0, 18))}</text>`
            : ''),
      );
    });
  }
  const drawn = [...edges]
    .filter((e) => pos.has(e.a) && pos.has(e.b))
    .sort((x, y) => y.bytes - x.bytes)
    .slice(0, MAX_EDGES);
  const maxBytes = Math.max(1, ...drawn.map((e) => e.bytes));
  const lines = drawn.map((e) => {
    const a = pos.get(e.a)!;
    const b = pos.get(e.b)!;
    const w = (0.6 + 2.4 * Math.sqrt(e.bytes / maxBytes)).toFixed(2);
    return `<line x1="${a.x.toFixed(1)}" y1="${a.y.toFixed(1)}" x2="${b.x.toFixed(1)}" y2="${b.y.toFixed(1)}" stroke-width="${w}"/>`;
  });
  const rings = groups.map(
    (g) => `<circle cx="${g.x.toFixed(1)}" cy="${g.y.toFixed(1)}" r="${g.r.toFixed(1)}" class="grp"/>`,
  );
  // Labels last, so that no line crosses them.
  const labels = groups.map(
    (g, i) =>
      `<text x="${g.x.toFixed(1)}" y="${(g.y - g.r - 8).toFixed(1)}" class="gl">${escapeHtml(g.label)} (${g.devices.length}${
        hidden[i]! > 0 ? `, ${hidden[i]} not drawn` : ''
      })</text>`,
  );
  const note =
    edges.length > drawn.length
      ? `<text x="4" y="${height - 4}" class="dl" text-anchor="start">${drawn.length} of ${edges.length} conversations drawn (the largest)</text>`
      : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="topo" role="img" aria-label="Topology" width="${width}" ` +
    `height="${height}" viewBox="0 0 ${width} ${height}">${rings.join('')}<g class="edges">${lines.join('')}</g>` +
    `${dots.join('')}${labels.join('')}${note}</svg>`
  );
}
