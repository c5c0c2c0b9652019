/**
 * What Glasspane tells a SIEM: a device discovered, a device changed (old -> new per attribute), a
 * device not seen for a set time, an alert, and a full inventory snapshot (one event per device). Built from the wire model the CLI
 * prints (DeviceJson, AlertJson); every formatter (CEF, LEEF, RFC 5424 JSON, OCSF, ECS) reads only
 * this shape. Pure: no clock but the capture's, so a replay of the same capture gives the same ids.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { AlertJson } from '../model/alert';
import type { DeviceJson, InventoryJson } from '../model/inventory';
import type { Severity } from '../alerts/severity';
import { alertSignature, DEVICE_SIGNATURES, type Signature } from './signatures';

export const EVENT_SCHEMA = 'glasspane.event/1';

export const EVENT_KINDS = ['discovered', 'changed', 'not-seen', 'alert', 'snapshot'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export function isEventKind(s: string): s is EventKind {
  return (EVENT_KINDS as readonly string[]).includes(s);
}

/** Who reports: the site and sensor where known, and the host running Glasspane. */
export interface Origin {
  site?: string;
  sensor?: string;
  /** This machine's name; CEF dvchost and syslog HOSTNAME when no sensor is named. */
  host?: string;
  /** Glasspane's version, for the format headers. */
  version: string;
}

/** A device as a SIEM needs it to correlate: fields unknown to us are absent, not null. */
export interface DeviceIdentity {
  /** Our stable device key: "mac:<mac>" or "ip:<address>". */
  id: string;
  mac?: string;
  ips: string[];
  hostname?: string;
  vendor?: string;
  category?: string;
  type?: string;
  model?: string;
  os?: string;
  firmware?: string;
  serial?: string;
  site?: string;
  /** The sensor that reports it: this sensor, or in a merged inventory the only one that saw it. */
  sensor?: string;
  /** In a merged inventory (the sensors' streams): every sensor of its site that saw it, sorted. */
  sensors?: string[];
  firstSeen: string;
  lastSeen: string;
}

export interface AttributeChange {
  attribute: string;
  old: string | null;
  new: string | null;
}

export interface ForwardEvent {
  schema: typeof EVENT_SCHEMA;
  kind: EventKind;
  /** Stable: a hash of kind, device key, content and capture time (32 hex digits). */
  id: string;
  /** Capture time the event stands for (ISO 8601 UTC). */
  time: string;
  severity: Severity;
  signature: Signature;
  /** One line a person can read. */
  message: string;
  device: DeviceIdentity | null;
  /** For `changed`: what changed. */
  changes?: AttributeChange[];
  /** For `alert`: the alert as the engine raised it. */
  alert?: AlertJson;
  /** For `snapshot`: the snapshot this event belongs to, and its place in it. */
  snapshot?: { id: string; index: number; count: number };
  /** For `not-seen`: the silence that raised it (the device's last sighting is `device.lastSeen`). */
  notSeen?: { afterSeconds: number };
}

/** Attributes whose change is an event (traffic counters and times are not). */
const TRACKED = ['mac', 'ips', 'hostname', 'vendor', 'category', 'type', 'model', 'os', 'firmware', 'serial'];

export function identity(d: DeviceJson, origin?: Origin): DeviceIdentity {
  const id: DeviceIdentity = { id: d.id, ips: [...d.ips], firstSeen: d.firstSeen, lastSeen: d.lastSeen };
  if (d.mac !== null) id.mac = d.mac;
  if (d.hostname !== null) id.hostname = d.hostname;
  if (d.vendor !== null) id.vendor = d.vendor;
  if (d.category !== null) id.category = d.category;
  if (d.type !== null) id.type = d.type;
  if (d.model !== null) id.model = d.model;
  if (d.os !== null) id.os = d.os;
  if (d.firmware !== null) id.firmware = d.firmware;
  if (d.serial !== null) id.serial = d.serial;
  // A merged inventory's device names its own site and sensors; a sensor's, the sensor's.
  const site = d.site ?? origin?.site;
  if (site !== undefined && site !== null) id.site = site;
  const sensor = origin?.sensor ?? (d.sensors?.length === 1 ? d.sensors[0] : undefined);
  if (sensor !== undefined) id.sensor = sensor;
  if (d.sensors !== undefined && d.sensors.length > 0) id.sensors = [...d.sensors];
  return id;
}

/** Where an event comes from: its device's site and sensor where known, else the reporter's. */
export function reportedBy(e: ForwardEvent, origin: Origin): { site?: string; sensor?: string } {
  return { site: e.device?.site ?? origin.site, sensor: e.device?.sensor ?? origin.sensor };
}

/** A stable id: the same inputs give the same 128-bit hex id on every run and every machine. */
export function stableId(kind: string, key: string, content: string, time: string): string {
  return bytesToHex(sha256(utf8ToBytes([kind, key, content, time].join('\u0000')))).slice(0, 32);
}

/** The identity's content without the times (which move on every packet). */
function content(id: DeviceIdentity): string {
  const { firstSeen: _f, lastSeen: _l, ...rest } = id;
  return JSON.stringify(rest);
}

export function deviceDiscovered(d: DeviceJson, origin?: Origin): ForwardEvent {
  const device = identity(d, origin);
  return {
    schema: EVENT_SCHEMA,
    kind: 'discovered',
    id: stableId('discovered', d.id, content(device), d.firstSeen),
    time: d.firstSeen,
    severity: 'info',
    signature: DEVICE_SIGNATURES.discovered,
    message: `device discovered: ${label(device)}`,
    device,
  };
}

/** The attributes that differ between two views of one device; null when none does. */
export function deviceChanged(old: DeviceJson, now: DeviceJson, origin?: Origin): ForwardEvent | null {
  const changes: AttributeChange[] = [];
  for (const k of TRACKED) {
    const a = text(old[k as keyof DeviceJson]);
    const b = text(now[k as keyof DeviceJson]);
    if (a !== b) changes.push({ attribute: k, old: a, new: b });
  }
  if (changes.length === 0) return null;
  const device = identity(now, origin);
  return {
    schema: EVENT_SCHEMA,
    kind: 'changed',
    id: stableId('changed', now.id, JSON.stringify(changes), now.lastSeen),
    time: now.lastSeen,
    severity: 'info',
    signature: DEVICE_SIGNATURES.changed,
    message:
      `device changed: ${label(device)}: ` +
      changes.map((c) => `${c.attribute} ${c.old ?? '(none)'} -> ${c.new ?? '(none)'}`).join(', '),
    device,
    changes,
  };
}

/** An alert, with its device's identity when the inventory knows the device. */
export function alertEvent(a: AlertJson, device: DeviceJson | null, origin?: Origin): ForwardEvent {
  return {
    schema: EVENT_SCHEMA,
    kind: 'alert',
    id: stableId('alert', a.deviceId ?? '-', a.id, a.at),
    time: a.at,
    severity: a.severity,
    signature: alertSignature(a.kind),
    message: a.message,
    device: device !== null ? identity(device, origin) : null,
    alert: a,
  };
}

/**
 * A device silent for `afterMs`: raised once per silence (the id holds its last sighting, so the
 * next silence after it was seen again is a new event, and a replay gives the same one). Its time
 * is the moment it became overdue, last sighting + `afterMs`, on whichever clock the host keeps.
 */
export function deviceNotSeen(d: DeviceJson, afterMs: number, origin?: Origin): ForwardEvent {
  const device = identity(d, origin);
  const afterSeconds = Math.round(afterMs / 1000);
  const last = Date.parse(d.lastSeen);
  return {
    schema: EVENT_SCHEMA,
    kind: 'not-seen',
    id: stableId('not-seen', d.id, String(afterSeconds), d.lastSeen),
    time: new Date((Number.isFinite(last) ? last : 0) + afterMs).toISOString(),
    severity: 'info',
    signature: DEVICE_SIGNATURES['not-seen'],
    message: `device not seen for ${duration(afterSeconds)}: ${label(device)}, last seen ${d.lastSeen}`,
    device,
    notSeen: { afterSeconds },
  };
}

/**
 * A full inventory at `at`: one event per device (not one batch), all carrying the snapshot's own
 * stable id with their place in it. One per device because every format and destination has a
 * per-record limit a whole inventory would break (a UDP datagram, CEF's 1023-character values,
 * Logs Ingestion's 64 KB fields), and a SIEM's asset table upserts by device; `index` and `count`
 * let a consumer tell a complete snapshot from one cut short.
 */
export function snapshotEvents(devices: DeviceJson[], at: string, origin?: Origin): ForwardEvent[] {
  const ids = devices.map((d) => identity(d, origin));
  const snapId = stableId('snapshot', '', ids.map(content).join('\n'), at);
  return ids.map((device, index) => ({
    schema: EVENT_SCHEMA,
    kind: 'snapshot',
    id: stableId('snapshot', device.id, snapId, at),
    time: at,
    severity: 'info',
    signature: DEVICE_SIGNATURES.snapshot,
    message: `device in inventory (${index + 1} of ${ids.length} at ${at}): ${label(device)}`,
    device,
    snapshot: { id: snapId, index, count: ids.length },
  }));
}

/** The inventory as it stands at its last packet: one snapshot. */
export function inventorySnapshot(inv: InventoryJson, origin?: Origin): ForwardEvent[] {
  return snapshotEvents(inv.devices, inv.stats.lastSeen ?? inv.generatedAt, origin);
}

/** The device and alert events of an analysis, built once for every output that needs them. */
export interface AnalysisEvents {
  /** One `discovered` per device, in the inventory's order. */
  devices: ForwardEvent[];
  /** One `alert` per alert raised, in the order raised. */
  alerts: ForwardEvent[];
}

export function buildAnalysisEvents(
  inv: InventoryJson,
  alerts: AlertJson[],
  origin?: Origin,
): AnalysisEvents {
  const byId = new Map(inv.devices.map((d) => [d.id, d]));
  return {
    devices: inv.devices.map((d) => deviceDiscovered(d, origin)),
    alerts: alerts.map((a) => alertEvent(a, byId.get(a.deviceId ?? '') ?? null, origin)),
  };
}

/** Events in capture-time order (a stable sort: equal times keep the order given). */
export function inCaptureOrder(...groups: ForwardEvent[][]): ForwardEvent[] {
  return groups.flat().sort((x, y) => (x.time < y.time ? -1 : x.time > y.time ? 1 : 0));
}

/**
 * What `analyze` forwards: one `discovered` per device of the inventory and one `alert` per alert
 * raised, in capture-time order (devices by first sighting, alerts by time).
 */
export function analysisEvents(inv: InventoryJson, alerts: AlertJson[], origin?: Origin): ForwardEvent[] {
  const e = buildAnalysisEvents(inv, alerts, origin);
  return inCaptureOrder(e.devices, e.alerts);
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.length === 0 ? null : v.map(String).join(' ');
  return String(v);
}

function label(d: DeviceIdentity): string {
  const name = d.hostname ?? d.ips[0];
  return name === undefined ? d.id : `${d.id} (${name})`;
}

/** 1800 -> "30m", 5400 -> "1h30m", 45 -> "45s". */
function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', s > 0 ? `${s}s` : ''].join('');
  return parts === '' ? '0s' : parts;
}
