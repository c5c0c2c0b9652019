/**
 * The inventory report as one self-contained HTML page: summary, breakdown charts and a topology
 * sketch as inline SVG, the device table, the largest conversations, and alerts when the store has
 * them. No script, no external resource: a CSP meta tag forbids both, and every string from the wire
 * is escaped. The same page is printed to PDF.
 */
import type { AlertJson } from '../../shared/model/alert';
import type { DeviceJson, EdgeJson, InventoryJson } from '../../shared/model/inventory';
import { barChart, breakdown } from './charts';
import { cell, escapeHtml } from './escape';
import { topologySvg } from './topology';
import { APP_PROTOCOLS } from '../../shared/protocols';

/** Rows in the device table; the CSV and JSON exports carry every device. */
export const MAX_DEVICE_ROWS = 5000;
const MAX_EDGE_ROWS = 25;
const MAX_ALERT_ROWS = 500;
/** Identity facts shown per device row, and characters per value: the JSON export has them all. */
const MAX_IDENTITY_ROWS = 12;
const MAX_IDENTITY_CHARS = 100;

export const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/**
 * Protocols that make a device part of the plant rather than the office: every dissector that declares
 * itself in the OT group, by its own name and by the protocol names its observations carry.
 */
const OT_NAMES: ReadonlySet<string> = new Set(
  APP_PROTOCOLS.filter((p) => p.group === 'ot').flatMap((p) => [p.name, ...Object.keys(p.emits)]),
);

export function isOt(d: DeviceJson): boolean {
  return d.protocols.some((p) => OT_NAMES.has(p));
}

export interface ReportMeta {
  title?: string;
  /** Where the inventory came from: capture files or a device store. */
  sources: string[];
  alerts?: AlertJson[];
  /** Set when the report came from capture files: there is no store, so no alerts. */
  alertsUnavailable?: string;
  generator?: string;
}

const fmt = new Intl.NumberFormat('en');
const n = (v: number) => fmt.format(v);

function bytes(v: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let x = v;
  while (x >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return `${i === 0 ? x : x.toFixed(1)} ${units[i]}`;
}

function nameOf(d: DeviceJson | undefined, id: string): string {
  if (d === undefined) return id;
  return d.hostname ?? d.ips[0] ?? d.mac ?? d.id;
}

/** The identity section as short escaped lines, "source label: value", the first few only. */
function identityCell(d: DeviceJson): string {
  const lines: string[] = [];
  let total = 0;
  for (const [g, facts] of Object.entries(d.identity ?? {}))
    for (const f of facts) {
      total++;
      if (lines.length < MAX_IDENTITY_ROWS)
        lines.push(
          `<div><span class="muted">${cell(g)} ${cell(f.label)}:</span> ${cell(f.value, MAX_IDENTITY_CHARS)}</div>`,
        );
    }
  if (total > lines.length) lines.push(`<div class="muted">and ${n(total - lines.length)} more</div>`);
  return lines.join('');
}

function deviceRows(devices: DeviceJson[]): string {
  return devices
    .slice(0, MAX_DEVICE_ROWS)
    .map(
      (d) =>
        '<tr>' +
        `<td class="mono id">${cell(d.mac ?? d.id)}</td>` +
        `<td class="mono">${cell(d.ips.join(' '), 80)}${d.routed ? ' <span class="tag">routed</span>' : ''}</td>` +
        `<td>${cell(d.hostname)}</td>` +
        `<td>${cell(d.vendor)}</td>` +
        `<td>${cell([d.category, d.type].filter(Boolean).join(' / '))}${d.router ? ' <span class="tag">router</span>' : ''}</td>` +
        `<td>${cell(d.model)}</td>` +
        `<td>${cell(d.firmware)}</td>` +
        `<td>${cell(d.protocols.join(' '), 100)}</td>` +
        `<td class="identity">${identityCell(d)}</td>` +
        `<td class="num">${n(d.packets)}</td>` +
        '</tr>',
    )
    .join('\n');
}

function edgeRows(edges: EdgeJson[], byId: Map<string, DeviceJson>): string {
  return [...edges]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, MAX_EDGE_ROWS)
    .map(
      (e) =>
        '<tr>' +
        `<td>${cell(nameOf(byId.get(e.a), e.a))}</td>` +
        `<td>${cell(nameOf(byId.get(e.b), e.b))}</td>` +
        `<td>${cell(e.protocols.join(' '))}</td>` +
        `<td class="num">${n(e.packets)}</td>` +
        `<td class="num">${bytes(e.bytes)}</td>` +
        '</tr>',
    )
    .join('\n');
}

function alertSection(meta: ReportMeta, byId: Map<string, DeviceJson>): string {
  if (meta.alerts === undefined) {
    return `<p class="muted">${escapeHtml(meta.alertsUnavailable ?? 'No alerts.')}</p>`;
  }
  if (meta.alerts.length === 0) return '<p class="muted">The device store holds no alerts.</p>';
  const rows = meta.alerts
    .slice(-MAX_ALERT_ROWS)
    .reverse()
    .map(
      (a) =>
        `<tr class="sev-${cell(a.severity)}"><td>${cell(a.at)}</td><td>${cell(a.severity)}</td><td>${cell(a.kind)}</td>` +
        `<td>${cell(a.deviceId === null ? '' : nameOf(byId.get(a.deviceId), a.deviceId))}</td><td>${cell(a.message, 300)}</td></tr>`,
    )
    .join('\n');
  const more =
    meta.alerts.length > MAX_ALERT_ROWS
      ? `<p class="muted">The latest ${MAX_ALERT_ROWS} of ${n(meta.alerts.length)}.</p>`
      : '';
  return `<table><thead><tr><th>At</th><th>Severity</th><th>Kind</th><th>Device</th><th>Message</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

const STYLE = `
@page { size: A4 landscape; margin: 12mm; }
* { box-sizing: border-box; }
body { font: 12px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1f2933; margin: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; border-bottom: 1px solid #d5dbe1; padding-bottom: 4px; }
.muted { color: #616e7c; } .mono { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 11px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { border: 1px solid #d5dbe1; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.card b { display: block; font-size: 20px; } .card span { color: #616e7c; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
svg text { font: 11px system-ui, sans-serif; fill: #1f2933; } svg .ttl { font-weight: 600; font-size: 12px; }
svg .num { fill: #616e7c; } svg .grp { fill: #f3f6f9; stroke: #c3ccd5; } svg .gl { text-anchor: middle; font-weight: 600; }
svg .dl { text-anchor: middle; font-size: 9px; fill: #3e4c59; } svg .edges line { stroke: #9aa5b1; stroke-opacity: 0.7; }
table { border-collapse: collapse; width: 100%; font-size: 11px; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #e4e7eb; vertical-align: top; overflow-wrap: anywhere; }
th { overflow-wrap: normal; white-space: nowrap; } td.id { white-space: nowrap; }
th { background: #f3f6f9; } td.num, th.num { text-align: right; white-space: nowrap; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
td.identity { font-size: 10px; min-width: 180px; }
.tag { font-size: 9px; background: #e4e7eb; border-radius: 3px; padding: 0 4px; }
.sev-high td, .sev-critical td { color: #a61b1b; }
h2 { break-after: avoid; } .keep { break-inside: avoid; } .charts svg { break-inside: avoid; }
footer { margin-top: 24px; color: #616e7c; font-size: 10px; }
`;

export function renderHtmlReport(inv: InventoryJson, meta: ReportMeta): string {
  const devices = inv.devices;
  const byId = new Map(devices.map((d) => [d.id, d]));
  const s = inv.stats;
  // The count is in the title too: the PDF's document title, visible in every viewer's window.
  const title = `${meta.title ?? 'Glasspane inventory report'} (${n(devices.length)} devices)`;
  const ot = devices.filter(isOt).length;
  const routers = devices.filter((d) => d.router).length;
  const routed = devices.filter((d) => d.routed).length;
  const local = devices.filter((d) => !d.routed);
  const cards: [string, string][] = [
    ['devices', n(devices.length)],
    ['OT / ICS devices', n(ot)],
    ['routers', n(routers)],
    ['routed peers', n(routed)],
    ['conversations', n(inv.edges.length)],
    ['packets', n(s.packets)],
    ['traffic', bytes(s.bytes)],
    ['malformed frames', n(s.malformed)],
  ];
  // Stats stored before the counter existed lack it; a clean capture's report stays as it was.
  if (s.badTimestamps > 0) cards.push(['frames with bad timestamps', n(s.badTimestamps)]);
  const window = s.firstSeen && s.lastSeen ? `${s.firstSeen} – ${s.lastSeen}` : 'no packets';
  const sources = meta.sources.map((p) => `<li class="mono">${cell(p, 300)}</li>`).join('');
  const truncated =
    devices.length > MAX_DEVICE_ROWS
      ? `<p class="muted">The first ${n(MAX_DEVICE_ROWS)} of ${n(devices.length)} devices; export CSV or JSON for all.</p>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="${escapeHtml(meta.generator ?? 'Glasspane')}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<div class="muted">Generated ${escapeHtml(inv.generatedAt)} · traffic ${escapeHtml(window)}</div>
<ul class="muted">${sources}</ul>
</header>
<section class="cards" id="summary">
${cards.map(([k, v]) => `<div class="card"><b>${v}</b><span>${k}</span></div>`).join('\n')}
</section>
<h2>Breakdown</h2>
<section class="charts">
${barChart('Category', breakdown(local.map((d) => d.category)))}
${barChart('Type', breakdown(local.map((d) => (d.router ? (d.type ?? 'router') : d.type))))}
${barChart('Vendor', breakdown(local.map((d) => d.vendor)))}
${barChart('Protocols (devices using)', breakdown(local.flatMap((d) => d.protocols.filter((p) => !/^(ipv4|ipv6|tcp|udp|arp|icmp)$/.test(p)))))}
</section>
<section class="keep">
<h2>Topology</h2>
<p class="muted">Devices by subnet; lines are conversations, thicker for more traffic. Orange: OT roles, red: routers, grey: routed peers.</p>
${topologySvg(devices, inv.edges)}
</section>
<h2>Alerts</h2>
${alertSection(meta, byId)}
<h2>Devices (${n(devices.length)})</h2>
${truncated}
<table id="devices">
<thead><tr><th>MAC / id</th><th>Addresses</th><th>Host name</th><th>Vendor</th><th>Category / type</th><th>Model</th><th>Firmware</th><th>Protocols</th><th>Identity</th><th class="num">Packets</th></tr></thead>
<tbody>
${deviceRows(devices)}
</tbody>
</table>
<h2>Largest conversations (${n(Math.min(MAX_EDGE_ROWS, inv.edges.length))} of ${n(inv.edges.length)})</h2>
<table id="edges">
<thead><tr><th>Between</th><th>And</th><th>Protocols</th><th class="num">Packets</th><th class="num">Bytes</th></tr></thead>
<tbody>
${edgeRows(inv.edges, byId)}
</tbody>
</table>
<footer>${escapeHtml(meta.generator ?? 'Glasspane')} · schema ${escapeHtml(inv.schema)}</footer>
</body>
</html>
`;
}
