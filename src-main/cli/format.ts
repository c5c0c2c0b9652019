import { stringify } from 'csv-stringify/sync';
import type { DeviceJson, InventoryJson, LiveCaptureStats } from '../../shared/model/inventory';
import { neutralizeCell } from '../../shared/export/csv-safe';
import { compactIdentity, identityValue } from '../../shared/inventory/identity';
import { printable } from '../../shared/util/printable';

/** What a device says it is, from its identity section: the first (group, label) with a value wins. */
const PRODUCT: [string, string][] = [
  ['enip', 'product name'],
  ['s7', 'cpu type'],
  ['s7', 'order number'],
  ['modbus', 'product name'],
  ['modbus', 'model'],
  ['bacnet', 'model'],
  ['profinet', 'type of station'],
  ['fins', 'model'],
  ['opcua', 'application name'],
  ['cdp', 'platform'],
  ['mdns', 'model'],
  ['ubiquiti', 'model'],
];

const CSV_COLUMNS: [string, (d: DeviceJson) => unknown][] = [
  ['id', (d) => d.id],
  ['mac', (d) => d.mac],
  ['ips', (d) => d.ips.join(' ')],
  ['hostname', (d) => d.hostname],
  ['vendor', (d) => d.vendor],
  ['oui_vendor', (d) => d.ouiVendor],
  ['category', (d) => d.category],
  ['type', (d) => d.type],
  ['model', (d) => d.model],
  ['os', (d) => d.os],
  ['firmware', (d) => d.firmware],
  ['serial', (d) => d.serial],
  ['roles', (d) => d.roles.join(' ')],
  ['protocols', (d) => d.protocols.join(' ')],
  ['vlans', (d) => d.vlans.join(' ')],
  ['local_mac', (d) => d.localMac],
  ['router', (d) => d.router],
  ['routed', (d) => d.routed],
  ['via', (d) => d.via.join(' ')],
  ['first_seen', (d) => d.firstSeen],
  ['last_seen', (d) => d.lastSeen],
  ['packets', (d) => d.packets],
  ['bytes', (d) => d.bytes],
  ['packets_sent', (d) => d.packetsSent],
  ['packets_received', (d) => d.packetsReceived],
  ['bytes_sent', (d) => d.bytesSent],
  ['bytes_received', (d) => d.bytesReceived],
  ['dhcp_fingerprint', (d) => identityValue(d.identity, [['dhcp', 'parameter list']])],
  ['dhcp_vendor_class', (d) => identityValue(d.identity, [['dhcp', 'vendor class']])],
  [
    'user_agent',
    (d) =>
      identityValue(d.identity, [
        ['http', 'user agent'],
        ['ssdp', 'user agent'],
        ['sip', 'user agent'],
        ['quic', 'user agent'],
      ]),
  ],
  [
    'ja4',
    (d) =>
      identityValue(d.identity, [
        ['tls', 'ja4'],
        ['quic', 'ja4'],
      ]),
  ],
  ['product', (d) => identityValue(d.identity, PRODUCT)],
  ['identity', (d) => (d.identity === undefined ? null : compactIdentity(d.identity))],
];

/** One row per device; every text cell neutralised against formula injection. */
export function toCsv(inv: InventoryJson): string {
  const columns = merged(inv) ? [...CSV_COLUMNS, ...SITE_COLUMNS] : CSV_COLUMNS;
  const rows = inv.devices.map((d) =>
    columns.map(([, f]) => {
      const v = f(d);
      return v === null || v === undefined ? '' : typeof v === 'string' ? neutralizeCell(v) : String(v);
    }),
  );
  return stringify([columns.map(([h]) => h), ...rows]);
}

/** Where a merged inventory's devices are (glasspane merge, the sensors' console); a local one has none. */
const SITE_COLUMNS: [string, (d: DeviceJson) => unknown][] = [
  ['site', (d) => d.site],
  ['sensors', (d) => d.sensors?.join(' ')],
];

function merged(inv: InventoryJson): boolean {
  return inv.devices.some((d) => d.site !== undefined);
}

export function toJson(inv: InventoryJson): string {
  return JSON.stringify(inv, null, 2) + '\n';
}

/**
 * A piece of JSON text: a string, or the part [from, to) of one, where the parts left out are ASCII
 * (a writer encodes the whole text and drops their bytes, rather than copying the part out first).
 */
export type JsonPiece = string | { text: string; from: number; to: number };

/** A piece as a string. */
export function pieceText(p: JsonPiece): string {
  return typeof p === 'string' ? p : p.text.slice(p.from, p.to);
}

/**
 * `v` as JSON.stringify(v, null, 2) writes it `depth` levels down (each line after the first indented
 * by two spaces a level): stringified inside that many arrays and cut out, so the indenting is
 * JSON.stringify's own, not a second pass over the text: the bench capture's devices and edges
 * (2.9 MB) took a median 38 ms to write with a regex replace over each one's text, 13 ms this way.
 * The cut is left to the writer: a slice copied every device's text once more (2.9 MB).
 */
function nested(v: unknown, depth: number): JsonPiece {
  let wrapped: unknown = v;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  // Level i (1..depth) opens with "[", a newline and 2i spaces; level i closes with a newline, 2(i-1)
  // spaces and "]".
  const text = JSON.stringify(wrapped, null, 2);
  return { text, from: depth * (depth + 3), to: text.length - depth * (depth + 1) };
}

/**
 * toJson's text in pieces, from an object's fields and then its lists one item at a time (the same
 * bytes: JSON.stringify's two-space layout, each piece indented to its depth). A large inventory is
 * written without holding every device's JSON and the whole text at once; an item's text is one
 * piece and the separator before it another (joined, they made a string the writer had to flatten).
 */
export function* jsonChunks(
  head: Record<string, unknown>,
  lists: [string, Iterable<unknown>][],
): Generator<JsonPiece> {
  let first = true;
  yield '{';
  for (const [k, v] of Object.entries(head)) {
    if (v === undefined) continue;
    yield (first ? '\n  ' : ',\n  ') + JSON.stringify(k) + ': ';
    yield nested(v, 1);
    first = false;
  }
  for (const [k, items] of lists) {
    yield (first ? '\n  ' : ',\n  ') + JSON.stringify(k) + ': [';
    first = false;
    let n = 0;
    for (const it of items) {
      yield n++ === 0 ? '\n    ' : ',\n    ';
      yield nested(it, 2);
    }
    yield n === 0 ? ']' : '\n  ]';
  }
  yield first ? '}\n' : '\n}\n';
}

/** A terminal table: one line per device, evidence indented beneath when asked for. */
export function toTable(inv: InventoryJson): string {
  const sites = merged(inv);
  const head = [
    'DEVICE',
    ...(sites ? ['SITE'] : []),
    'IPS',
    'VENDOR',
    'HOSTNAME',
    'TYPE',
    'PROTOCOLS',
    'PKTS',
  ];
  const rows = inv.devices.map((d) => [
    d.mac ?? d.id,
    ...(sites ? [clip(d.site ?? '', 24)] : []),
    clip(d.ips.join(','), 40) + (d.routed ? ' (routed)' : ''),
    clip(d.vendor ?? '', 28),
    clip(d.hostname ?? '', 24),
    clip(d.type ?? '', 12),
    clip(d.protocols.join(','), 40),
    String(d.packets),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(head)];
  inv.devices.forEach((d, i) => {
    out.push(line(rows[i]!));
    for (const e of d.evidence ?? [])
      out.push(
        `    ${e.kind} ${e.protocol}.${e.field}: ${printable(clip(e.value, 100))} (frame ${e.firstFrame}, x${e.count})`,
      );
  });
  const s = inv.stats;
  out.push('');
  out.push(
    `${inv.devices.length} devices, ${inv.edges.length} edges, ${s.packets} packets, ${s.bytes} bytes, ${s.malformed} malformed` +
      // Only when there are some: a clean capture's summary stays as it was.
      (s.badTimestamps > 0 ? `, ${s.badTimestamps} bad timestamps` : ''),
  );
  if (s.capture !== undefined) out.push(liveSummary(s.capture));
  return out.join('\n') + '\n';
}

function clip(s: string, n: number): string {
  return printable(s.length > n ? s.slice(0, n - 1) + '…' : s);
}

/** A live capture's counters in one line (the JSON has them in stats.capture). */
/** The inventory in the format asked for (a table by default); `ocsf` builds the OCSF lines only when asked. */
export function formatInventory(
  inv: InventoryJson,
  format: 'json' | 'csv' | 'table' | 'ocsf' | undefined,
  ocsf: () => string,
): string {
  if (format === 'json') return toJson(inv);
  if (format === 'csv') return toCsv(inv);
  if (format === 'ocsf') return ocsf();
  return toTable(inv);
}

export function liveSummary(c: LiveCaptureStats): string {
  const secs = (c.durationMs / 1000).toFixed(1);
  return (
    `captured ${c.received} packets in ${secs} s (${c.analysed} analysed, stopped by ${c.stoppedBy}): ` +
    `${c.kernelDrops} dropped by the kernel, ${c.queueDrops} by our queue, peak ${c.peakRate} packets/s`
  );
}
