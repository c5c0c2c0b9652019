/**
 * A device's icon kind: from its classified type (a table over the taxonomy, so a new type without
 * an icon fails to compile), else its category, else what the engine saw it do (router, roles).
 * Tables, not keyword regexes: "ot" inside "IoT" or "rtu" inside "virtual" once drew PLCs.
 */
import type { DeviceJson } from '../../shared/model/inventory';
import { isCategory, isType, type Category, type DeviceType } from '../../shared/classify/taxonomy';

export type IconKind =
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

/** Every taxonomy type's icon. */
export const TYPE_ICON = {
  workstation: 'workstation',
  laptop: 'workstation',
  server: 'server',
  mobile: 'phone',
  tablet: 'phone',
  printer: 'printer',
  nas: 'server',
  hypervisor: 'server',
  'virtual-machine': 'server',
  'voip-phone': 'phone',
  'ip-camera': 'camera',
  nvr: 'camera',
  'smart-tv': 'iot',
  'media-player': 'iot',
  'smart-speaker': 'iot',
  'game-console': 'iot',
  'smart-plug': 'iot',
  'smart-light': 'iot',
  'smart-hub': 'iot',
  thermostat: 'iot',
  sensor: 'iot',
  'iot-gateway': 'iot',
  'iot-device': 'iot',
  plc: 'plc',
  hmi: 'hmi',
  rtu: 'plc',
  'engineering-workstation': 'hmi',
  'scada-server': 'hmi',
  historian: 'hmi',
  ied: 'plc',
  'io-module': 'plc',
  drive: 'plc',
  'building-controller': 'plc',
  'protocol-gateway': 'plc',
  'ot-device': 'plc',
  router: 'router',
  switch: 'switch',
  'access-point': 'wireless',
  firewall: 'firewall',
} as const satisfies Record<DeviceType, IconKind>;

/** A category alone: IT and network span too many kinds to pick one. */
const CATEGORY_ICON = {
  IT: 'unknown',
  IoT: 'iot',
  OT: 'plc',
  network: 'unknown',
} as const satisfies Record<Category, IconKind>;

/**
 * Roles that say what a device is (the serving side; a client role says nothing). Roles are the
 * dissectors' open vocabulary (a Map: a role named "constructor" is just a string), and any other
 * "-server" role draws a server.
 */
const ROLE_ICON: ReadonlyMap<string, IconKind> = new Map<string, IconKind>(
  Object.entries({
    'modbus-server': 'plc',
    's7-server': 'plc',
    's7plus-server': 'plc',
    'enip-server': 'plc',
    'cip-adapter': 'plc',
    'fins-server': 'plc',
    'mms-server': 'plc',
    'hart-ip-server': 'plc',
    'bacnet-server': 'plc',
    'bacnet-device': 'plc',
    'knxip-server': 'plc',
    'profinet-io-device': 'plc',
    'profinet-io-controller': 'plc',
    'ethercat-master': 'plc',
    'goose-publisher': 'plc',
    'synchrophasor-pmu': 'plc',
    'iec104-controlled-station': 'plc',
    'dnp3-outstation': 'plc',
    's7-programmer': 'hmi',
    'cip-scanner': 'hmi',
    'dnp3-master': 'hmi',
    'iec104-controlling-station': 'hmi',
    'synchrophasor-pdc': 'hmi',
    bridge: 'switch',
    'stp-root-bridge': 'switch',
    'sr-bridge': 'switch',
    'trans-bridge': 'switch',
    'domain-controller': 'server',
    'backup-domain-controller': 'server',
  } satisfies Record<string, IconKind>),
);

export function deviceKind(d: Pick<DeviceJson, 'type' | 'category' | 'router' | 'roles'>): IconKind {
  if (d.type && isType(d.type)) return TYPE_ICON[d.type];
  if (d.category && isCategory(d.category) && CATEGORY_ICON[d.category] !== 'unknown') {
    return CATEGORY_ICON[d.category];
  }
  if (d.router) return 'router';
  for (const r of d.roles) {
    const k = ROLE_ICON.get(r);
    if (k !== undefined) return k;
  }
  return d.roles.some((r) => r.endsWith('-server')) ? 'server' : 'unknown';
}

/** Colours per kind, readable with white glyphs on both themes. */
export const KIND_COLOR: Record<IconKind, string> = {
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
const GLYPH: Record<IconKind, string> = {
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
export function kindIcon(kind: IconKind, stroke = '#ffffff'): string {
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
