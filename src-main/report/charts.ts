/**
 * Bar charts as inline SVG, drawn here (no chart library, no script): one bar per label, the
 * longest first, the tail folded into "other". Labels are escaped: they come from the wire.
 */
import { escapeHtml } from './escape';

export interface Bar {
  label: string;
  count: number;
}

/** Counts per key (null and '' count as `unknown`), largest first, at most `top` bars plus "other". */
export function breakdown(values: Iterable<string | null | undefined>, top = 8, unknown = 'unknown'): Bar[] {
  const counts = new Map<string, number>();
  for (const v of values) {
    const k = v === null || v === undefined || v === '' ? unknown : v;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const bars = [...counts].map(([label, count]) => ({ label, count }));
  bars.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  if (bars.length <= top) return bars;
  const rest = bars.slice(top).reduce((n, b) => n + b.count, 0);
  return [...bars.slice(0, top), { label: `other (${bars.length - top})`, count: rest }];
}

const PALETTE = [
  '#2f6fb3',
  '#3a9b6c',
  '#c7772b',
  '#8a56b8',
  '#c14b55',
  '#3b8e9c',
  '#8c8c2f',
  '#6b7280',
  '#9ca3af',
];

export function barChart(title: string, bars: Bar[], width = 340): string {
  const rowH = 22;
  const labelW = 150;
  const top = 26;
  const height = top + Math.max(1, bars.length) * rowH + 6;
  const max = Math.max(1, ...bars.map((b) => b.count));
  const barW = width - labelW - 50;
  const rows = bars.map((b, i) => {
    const y = top + i * rowH;
    const w = Math.max(2, Math.round((b.count / max) * barW));
    const label = b.label.length > 24 ? b.label.slice(0, 23) + '…' : b.label;
    return (
      `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end" class="lbl">${escapeHtml(label)}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 7}" rx="2" fill="${PALETTE[i % PALETTE.length]}"/>` +
      `<text x="${labelW + w + 5}" y="${y + 15}" class="num">${b.count}</text>`
    );
  });
  const empty = bars.length === 0 ? `<text x="${labelW}" y="${top + 15}" class="lbl">none</text>` : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="${escapeHtml(title)}" ` +
    `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<text x="0" y="16" class="ttl">${escapeHtml(title)}</text>${rows.join('')}${empty}</svg>`
  );
}
