/**
 * OCSF records, pinned to schema 1.3.0 (named in every record's metadata.version): device events
 * as Device Inventory Info (class 5001, category 5 Discovery, activity 2 Collect: type_uid 500102),
 * alerts as Detection Finding (class 2004, category 2 Findings; activity 1 Create, 2 Update,
 * 3 Close) with finding_info.uid = the alert's own stable id. What OCSF has no attribute for
 * (vendor, model, firmware, our category) goes to `unmapped`, as the schema intends.
 */
import type { Severity } from '../alerts/severity';
import {
  reportedBy,
  type AnalysisEvents,
  type DeviceIdentity,
  type ForwardEvent,
  type Origin,
} from './events';

export const OCSF_VERSION = '1.3.0';

export const DEVICE_INVENTORY_INFO = 5001;
export const DETECTION_FINDING = 2004;

export type FindingActivity = 1 | 2 | 3;
const FINDING_ACTIVITY: Record<FindingActivity, string> = { 1: 'Create', 2: 'Update', 3: 'Close' };

/** OCSF severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
const SEVERITY_ID: Record<Severity, [number, string]> = {
  info: [1, 'Informational'],
  low: [2, 'Low'],
  medium: [3, 'Medium'],
  high: [4, 'High'],
  critical: [5, 'Critical'],
};

/**
 * device.type_id (OCSF 1.3.0 enum): 1 Server, 2 Desktop, 3 Laptop, 4 Tablet, 5 Mobile, 6 Virtual,
 * 7 IOT, 9 Firewall, 10 Switch, 11 Hub, 12 Router, 99 Other. OT controllers have no OCSF type:
 * they are Other, with our type name in `type` as the schema asks for Other.
 */
const TYPE_ID: Record<string, [number, string]> = {
  workstation: [2, 'Desktop'],
  'engineering-workstation': [2, 'Desktop'],
  hmi: [2, 'Desktop'],
  laptop: [3, 'Laptop'],
  tablet: [4, 'Tablet'],
  mobile: [5, 'Mobile'],
  server: [1, 'Server'],
  nas: [1, 'Server'],
  hypervisor: [1, 'Server'],
  'scada-server': [1, 'Server'],
  historian: [1, 'Server'],
  'virtual-machine': [6, 'Virtual'],
  firewall: [9, 'Firewall'],
  switch: [10, 'Switch'],
  router: [12, 'Router'],
};
const CATEGORY_TYPE_ID: Record<string, [number, string]> = { IoT: [7, 'IOT'] };

export function deviceTypeId(type: string | undefined, category: string | undefined): [number, string] {
  if (type !== undefined && TYPE_ID[type] !== undefined) return TYPE_ID[type];
  if (category !== undefined && CATEGORY_TYPE_ID[category] !== undefined) return CATEGORY_TYPE_ID[category];
  if (type !== undefined) return [99, type];
  if (category !== undefined) return [99, category];
  return [0, 'Unknown'];
}

/** OS object: name and type_id (100 Windows, 200 Linux, 201 Android, 300 macOS, 301 iOS, 0 Unknown). */
function os(name: string): { name: string; type_id: number } {
  const n = name.toLowerCase();
  const type_id = n.includes('windows')
    ? 100
    : n.includes('android')
      ? 201
      : n.includes('linux')
        ? 200
        : /\bios\b|iphone|ipad/.test(n)
          ? 301
          : n.includes('mac')
            ? 300
            : 0;
  return { name, type_id };
}

export function ocsfDevice(d: DeviceIdentity): Record<string, unknown> {
  const [type_id, type] = deviceTypeId(d.type, d.category);
  const out: Record<string, unknown> = { type_id, type, uid: d.id };
  if (d.hostname !== undefined) out.hostname = d.hostname;
  if (d.ips[0] !== undefined) out.ip = d.ips[0];
  if (d.mac !== undefined) out.mac = d.mac;
  if (d.os !== undefined) out.os = os(d.os);
  if (d.serial !== undefined) out.hw_info = { serial_number: d.serial };
  out.first_seen_time = time(d.firstSeen);
  out.last_seen_time = time(d.lastSeen);
  if (d.ips.length > 1) out.network_interfaces = d.ips.map((ip) => ({ ip, mac: d.mac, type_id: 0 }));
  return out;
}

function metadata(e: ForwardEvent, origin: Origin): Record<string, unknown> {
  return {
    version: OCSF_VERSION,
    uid: e.id,
    product: { name: 'Glasspane', vendor_name: 'Glasspane', version: origin.version },
    log_name: e.kind,
  };
}

function unmapped(e: ForwardEvent, origin: Origin): Record<string, unknown> | undefined {
  const d = e.device;
  const g: Record<string, unknown> = {};
  if (d?.vendor !== undefined) g.vendor = d.vendor;
  if (d?.model !== undefined) g.model = d.model;
  if (d?.firmware !== undefined) g.firmware = d.firmware;
  if (d?.category !== undefined) g.category = d.category;
  if (d !== null && d.ips.length > 1) g.ips = d.ips;
  const by = reportedBy(e, origin);
  if (by.site !== undefined) g.site = by.site;
  if (by.sensor !== undefined) g.sensor = by.sensor;
  if (e.changes !== undefined) g.changes = e.changes;
  if (e.notSeen !== undefined) g.notSeen = e.notSeen;
  if (e.snapshot !== undefined) g.snapshot = e.snapshot;
  return Object.keys(g).length > 0 ? { glasspane: g } : undefined;
}

/** A device event (discovered, changed, not-seen, snapshot) as Device Inventory Info; null for alerts. */
export function toOcsfInventory(e: ForwardEvent, origin: Origin): Record<string, unknown> | null {
  if (e.device === null || e.kind === 'alert') return null;
  const [severity_id, severity] = SEVERITY_ID[e.severity];
  const rec: Record<string, unknown> = {
    class_uid: DEVICE_INVENTORY_INFO,
    class_name: 'Device Inventory Info',
    category_uid: 5,
    category_name: 'Discovery',
    activity_id: 2,
    activity_name: 'Collect',
    type_uid: DEVICE_INVENTORY_INFO * 100 + 2,
    type_name: 'Device Inventory Info: Collect',
    time: time(e.time),
    severity_id,
    severity,
    message: e.message,
    metadata: metadata(e, origin),
    device: ocsfDevice(e.device),
  };
  const u = unmapped(e, origin);
  if (u !== undefined) rec.unmapped = u;
  return rec;
}

/** An alert as a Detection Finding: Create when raised, Update and Close as its life goes on. */
export function toOcsfFinding(
  e: ForwardEvent,
  origin: Origin,
  activity: FindingActivity = 1,
): Record<string, unknown> | null {
  const a = e.alert;
  if (a === undefined) return null;
  const [severity_id, severity] = SEVERITY_ID[e.severity];
  const at = time(e.time);
  const rec: Record<string, unknown> = {
    class_uid: DETECTION_FINDING,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: activity,
    activity_name: FINDING_ACTIVITY[activity],
    type_uid: DETECTION_FINDING * 100 + activity,
    type_name: `Detection Finding: ${FINDING_ACTIVITY[activity]}`,
    time: at,
    severity_id,
    severity,
    status_id: activity === 3 ? 4 : 1,
    status: activity === 3 ? 'Resolved' : 'New',
    message: e.message,
    metadata: metadata(e, origin),
    finding_info: {
      uid: a.id,
      title: e.signature.name,
      desc: a.message,
      types: [a.kind],
      created_time: at,
      first_seen_time: at,
    },
  };
  if (e.device !== null) rec.device = ocsfDevice(e.device);
  const u = unmapped(e, origin);
  if (u !== undefined) rec.unmapped = u;
  return rec;
}

/** The record for any event: a finding for alerts, an inventory record for device events. */
export function toOcsf(e: ForwardEvent, origin: Origin): Record<string, unknown> | null {
  return e.kind === 'alert' ? toOcsfFinding(e, origin) : toOcsfInventory(e, origin);
}

function time(iso: string): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
}

/**
 * `glasspane analyze --format ocsf`: JSON lines, one Device Inventory Info record per device, then
 * one Detection Finding (Create) per alert. Takes the events `--forward` sends too, built once.
 */
export function toOcsfLines(events: AnalysisEvents, origin: Origin): string {
  const lines = events.devices.map((e) => JSON.stringify(toOcsfInventory(e, origin)));
  for (const e of events.alerts) lines.push(JSON.stringify(toOcsfFinding(e, origin)));
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}
