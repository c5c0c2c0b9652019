/**
 * Our own SVG writer for the graph (cytoscape-svg is not installed): compound boxes, edges, nodes and
 * labels from model positions. Every label is XML-escaped: host names come from the network.
 */
export interface SvgNode {
  x: number;
  y: number;
  w: number;
  h: number;
  label: string;
  color: string;
  parent: boolean;
}

export interface SvgEdge {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  width: number;
}

/** Characters XML 1.0 forbids: dropped. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(s: string): string {
  return s.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => ENTITY[c]!);
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();

export function toSvg(
  nodes: readonly SvgNode[],
  edges: readonly SvgEdge[],
  theme: { bg: string; text: string; edge: string; parent: string },
): string {
  const pad = 40;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.x - n.w / 2);
    minY = Math.min(minY, n.y - n.h / 2);
    maxX = Math.max(maxX, n.x + n.w / 2);
    maxY = Math.max(maxY, n.y + n.h / 2 + 16);
  }
  if (!Number.isFinite(minX)) [minX, minY, maxX, maxY] = [0, 0, 100, 100];
  const w = maxX - minX + 2 * pad;
  const h = maxY - minY + 2 * pad;
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f(w)}" height="${f(h)}" viewBox="${f(minX - pad)} ${f(minY - pad)} ${f(w)} ${f(h)}" font-family="sans-serif" font-size="10">`,
    `<rect x="${f(minX - pad)}" y="${f(minY - pad)}" width="${f(w)}" height="${f(h)}" fill="${escapeXml(theme.bg)}"/>`,
  ];
  for (const n of nodes) {
    if (!n.parent) continue;
    out.push(
      `<g><rect x="${f(n.x - n.w / 2)}" y="${f(n.y - n.h / 2)}" width="${f(n.w)}" height="${f(n.h)}" rx="6" fill="${escapeXml(theme.parent)}" stroke="${escapeXml(theme.edge)}" stroke-dasharray="4 3"/>` +
        `<text x="${f(n.x - n.w / 2 + 6)}" y="${f(n.y - n.h / 2 - 4)}" fill="${escapeXml(theme.text)}">${escapeXml(n.label)}</text></g>`,
    );
  }
  for (const e of edges) {
    out.push(
      `<line x1="${f(e.x1)}" y1="${f(e.y1)}" x2="${f(e.x2)}" y2="${f(e.y2)}" stroke="${escapeXml(theme.edge)}" stroke-width="${f(e.width)}" stroke-opacity="0.6"/>`,
    );
  }
  for (const n of nodes) {
    if (n.parent) continue;
    out.push(
      `<g><circle cx="${f(n.x)}" cy="${f(n.y)}" r="${f(n.w / 2)}" fill="${escapeXml(n.color)}"/>` +
        `<text x="${f(n.x)}" y="${f(n.y + n.h / 2 + 12)}" text-anchor="middle" fill="${escapeXml(theme.text)}">${escapeXml(n.label)}</text></g>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
