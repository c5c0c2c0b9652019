/**
 * A device's kind for its icon and colour: from the classified type and category, else from roles
 * the engine saw it play. Keywords, not an exhaustive list: the classifier's vocabulary may grow.
 */
import type { DeviceJson } from '../../shared/model/inventory';

export type DeviceKind =
  | 'router'
  | 'switch'
  | 'firewall'
  | 'plc'
  | 'hmi'
  | 'server'
  | 'workstation'
  | 'printer'
  | 'camera'
  | 'phone'
  | 'wireless'
  | 'iot'
  | 'unknown';

const RULES: [RegExp, DeviceKind][] = [
  [/firewall|gateway|vpn/i, 'firewall'],
  [/router/i, 'router'],
  [/switch|bridge/i, 'switch'],
  [/plc|controller|rtu|ied|\bdcs\b|drive|robot|io[- ]?module|adapter|relay|ot\b/i, 'plc'],
  [/hmi|scada|engineering|historian|panel/i, 'hmi'],
  [/printer|mfp|scanner/i, 'printer'],
  [/camera|nvr|dvr|video/i, 'camera'],
  [/phone|voip|sip|mobile|tablet|smartphone/i, 'phone'],
  [/access[- ]?point|\bap\b|wireless|wifi|wlan/i, 'wireless'],
  [/server|nas|storage|dns|dhcp|domain|hypervisor|vm host/i, 'server'],
  [/workstation|desktop|laptop|computer|\bpc\b|host/i, 'workstation'],
  [/iot|sensor|thermostat|tv|speaker|media|smart|appliance|light|plug/i, 'iot'],
];

export function deviceKind(d: DeviceJson): DeviceKind {
  for (const s of [d.type, d.category]) {
    if (!s) continue;
    for (const [re, k] of RULES) if (re.test(s)) return k;
  }
  if (d.router) return 'router';
  // Roles a device serves say what it is; the client side of a protocol says nothing.
  for (const r of d.roles) {
    if (/client|query|request/i.test(r)) continue;
    for (const [re, k] of RULES) if (re.test(r)) return k;
  }
  return 'unknown';
}

/** Colours per kind, readable with white glyphs on both themes. */
export const KIND_COLOR: Record<DeviceKind, string> = {
  router: '#7c3aed',
  switch: '#6d28d9',
  firewall: '#b91c1c',
  plc: '#c2410c',
  hmi: '#b45309',
  server: '#1d4ed8',
  workstation: '#2563eb',
  printer: '#0f766e',
  camera: '#0e7490',
  phone: '#15803d',
  wireless: '#4d7c0f',
  iot: '#0891b2',
  unknown: '#64748b',
};

// Glyphs on a 24x24 grid, white strokes; drawn here, no remote assets.
const GLYPH: Record<DeviceKind, string> = {
  router: '<circle cx="12" cy="12" r="7"/><path d="M12 5v14M5 12h14M9 8l3-3 3 3M9 16l3 3 3-3"/>',
  switch:
    '<rect x="3" y="8" width="18" height="8" rx="1.5"/><path d="M6 12h1M9 12h1M12 12h1M15 12h1M18 12h1"/>',
  firewall:
    '<path d="M3 6h18M3 12h18M3 18h18M8 6v6M16 6v6M12 12v6M5 18v0M19 18v0"/><rect x="3" y="4" width="18" height="16" rx="1"/>',
  plc: '<rect x="4" y="4" width="16" height="16" rx="1.5"/><path d="M8 4v16M8 8h12M11 12h6M11 16h6"/>',
  hmi: '<rect x="3" y="4" width="18" height="12" rx="1.5"/><path d="M9 20h6M12 16v4M7 12l3-3 2 2 4-4"/>',
  server:
    '<rect x="5" y="3" width="14" height="6" rx="1"/><rect x="5" y="9" width="14" height="6" rx="1"/><rect x="5" y="15" width="14" height="6" rx="1"/><path d="M8 6h1M8 12h1M8 18h1"/>',
  workstation: '<rect x="3" y="4" width="18" height="12" rx="1.5"/><path d="M8 20h8M12 16v4"/>',
  printer: '<rect x="4" y="9" width="16" height="8" rx="1.5"/><path d="M7 9V4h10v5M7 14h10v6H7z"/>',
  camera: '<rect x="3" y="7" width="13" height="10" rx="1.5"/><path d="M16 10l5-3v10l-5-3"/>',
  phone: '<rect x="7" y="3" width="10" height="18" rx="2"/><path d="M11 18h2"/>',
  wireless:
    '<path d="M4 10a11 11 0 0 1 16 0M7 13a7 7 0 0 1 10 0M10 16a3 3 0 0 1 4 0"/><circle cx="12" cy="19" r="1"/>',
  iot: '<circle cx="12" cy="12" r="3"/><path d="M12 3v4M12 17v4M3 12h4M17 12h4M6 6l2.5 2.5M15.5 15.5L18 18M6 18l2.5-2.5M15.5 8.5L18 6"/>',
  unknown:
    '<circle cx="12" cy="12" r="8"/><path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .8-1 1.5V14M12 17v.5"/>',
};

const cache = new Map<string, string>();

/** The kind's glyph as an SVG data URI (CSP allows img-src data:). */
export function kindIcon(kind: DeviceKind, stroke = '#ffffff'): string {
  const key = kind + stroke;
  let uri = cache.get(key);
  if (!uri) {
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 24 24" fill="none" ` +
      `stroke="${stroke}" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">${GLYPH[kind]}</svg>`;
    uri = 'data:image/svg+xml;utf8,' + encodeURIComponent(svg);
    cache.set(key, uri);
  }
  return uri;
}
