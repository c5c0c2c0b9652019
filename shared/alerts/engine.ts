import type { AlertJson } from '../model/alert';
import type { DeviceJson } from '../model/inventory';
import type { DeviceRef, Observation } from '../model/observation';
import type { DeltaBatch } from '../inventory/changes';
import type { FloodEvent } from '../inventory/limits';
import { LearningPeriod, type LearningState } from './learning';
import { DEFAULT_POLICY, fill, policyOf, type AlertPolicy } from './policy';
import { severityRank, type Severity } from './severity';
import { isoTime } from '../util/time';

export interface AlertEngineOptions {
  /** Learning period in capture-time milliseconds (default one hour), or a restored state. */
  learning?: Partial<LearningState>;
  /**
   * The inventory's device id for an observation's device; by default "mac:<mac>" or "ip:<ip>", as
   * the inventory names devices. Hosts pass the inventory's own resolver (routers, bound addresses).
   */
  idOf?: (ref: DeviceRef) => string | null;
  /** Alerts kept per batch; the rest are counted in `suppressed` (a flood must not flood the store). */
  maxPerBatch?: number;
  /** The same OT event from the same device within this much capture time raises one alert. */
  eventCooldownMs?: number;
  /** Severity and wording of each event kind (default: DEFAULT_POLICY). */
  policy?: AlertPolicy;
}

/** Events at this severity or above raise an alert; below it they are evidence only. */
const EVENT_ALERT_RANK = severityRank('medium');

/** Alert kinds this engine raises. */
export const ALERT_KINDS = [
  'new-device',
  'firmware-change',
  'type-change',
  'ot-event',
  'ip-conflict',
  'dhcp-server',
  'inventory-flood',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Dedupe keys remembered; older ones are forgotten first. */
const MAX_KEYS = 20000;

/**
 * Baseline and alert rules over the change stream and the observations behind it. Pure: no clock
 * but the capture's, no I/O. Feed it every observation (`observe`) and every batch (`batch`); each
 * batch returns the alerts raised since the one before. Everything seen during the learning period
 * becomes the baseline; afterwards: new devices, firmware and type changes, OT programming and
 * configuration events, two MACs claiming one IP, and DHCP servers beyond the known ones.
 */
export class AlertEngine {
  readonly learning: LearningPeriod;
  suppressed = 0;
  private readonly known = new Set<string>();
  private readonly firmware = new Map<string, string>();
  private readonly type = new Map<string, string>();
  /** IP -> the first non-router MAC device that claimed it. */
  private readonly ipOwner = new Map<string, string>();
  private readonly dhcpServers = new Set<string>();
  private readonly keys = new Map<string, number>();
  private pending: AlertJson[] = [];
  private readonly idOf: (ref: DeviceRef) => string | null;
  private readonly maxPerBatch: number;
  private readonly cooldown: number;
  private readonly policy: AlertPolicy;

  constructor(o: AlertEngineOptions = {}) {
    this.learning = new LearningPeriod(o.learning);
    this.idOf = o.idOf ?? defaultIdOf;
    this.maxPerBatch = o.maxPerBatch ?? 500;
    this.cooldown = o.eventCooldownMs ?? 60_000;
    this.policy = o.policy ?? DEFAULT_POLICY;
  }

  /** Take a stored inventory as known (after a restart): its devices, firmware, types, addresses, DHCP servers. */
  seed(devices: Iterable<DeviceJson>): void {
    for (const d of devices) {
      this.known.add(d.id);
      if (d.firmware !== null) this.firmware.set(d.id, d.firmware);
      if (d.type !== null) this.type.set(d.id, d.type);
      if (d.roles.includes('dhcp-server')) this.dhcpServers.add(d.id);
      if (d.mac !== null && !d.router)
        for (const ip of d.ips) if (!this.ipOwner.has(ip)) this.ipOwner.set(ip, d.id);
    }
  }

  /** Whether the baseline is still being learned at the latest capture time. */
  get isLearning(): boolean {
    return !this.learning.done;
  }

  endLearning(ts?: number): void {
    this.learning.endNow(ts);
  }

  observe(o: Observation): void {
    this.learning.advance(o.ts);
    if (o.kind === 'event') {
      const policy = policyOf(this.policy, o.protocol, o.event);
      if (severityRank(policy.severity) < EVENT_ALERT_RANK) return;
      if (this.learning.learning(o.ts)) return;
      const id = this.idOf(o.device);
      const peer = o.peer === null ? null : this.idOf(o.peer);
      if (!this.once(`ot-event|${id}|${o.protocol}|${o.event}|${peer}`, o.ts, this.cooldown)) return;
      const detail = fill(policy.text, o.facts);
      this.raise(
        'ot-event',
        policy.severity,
        id,
        o.ts,
        `${o.protocol} ${o.event}${peer === null ? '' : ' to ' + peer}: ${detail}`,
        { protocol: o.protocol, event: o.event, detail, peer, frame: o.frame },
      );
    } else if (o.kind === 'role' && o.role === 'dhcp-server') {
      const id = this.idOf(o.device);
      if (id !== null) this.dhcpServer(id, o.ts, o.frame);
    }
  }

  /**
   * New identities past the inventory's limits on one segment (random MACs, addresses behind a
   * router): one alert per segment for the run. Raised during the learning period too: a flood is
   * not a new device to learn, and what it costs (aggregated devices) should be known at once.
   */
  flood(f: FloodEvent): void {
    if (!this.once(`inventory-flood|${f.segment}`, f.ts, Infinity)) return;
    const what = f.table === 'devices' ? 'MACs' : 'addresses';
    this.raise(
      'inventory-flood',
      'high',
      f.deviceId,
      f.ts,
      `inventory flood on ${f.segment}: new ${what} past the limit of ${f.limit} ${f.table} are aggregated into ${f.into}`,
      { segment: f.segment, table: f.table, limit: f.limit },
    );
  }

  /** Alerts raised by observations since the last call, when no batch came (nothing else changed). */
  drain(): AlertJson[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Rules over one batch of the change stream; returns every alert raised since the last call. */
  batch(b: DeltaBatch): AlertJson[] {
    const first = time(b.stats.firstSeen);
    if (first > 0) this.learning.advance(first);
    const last = time(b.stats.lastSeen);
    if (last > 0) this.learning.advance(last);
    for (const d of b.upserts) this.device(d);
    const out = this.pending;
    this.pending = [];
    return out;
  }

  private device(d: DeviceJson): void {
    const firstSeen = time(d.firstSeen);
    const lastSeen = time(d.lastSeen);
    if (!this.known.has(d.id)) {
      this.known.add(d.id);
      // Addresses behind a router are the far side of the world (every web site): not devices here.
      const remote = d.mac === null && d.routed;
      // Buckets of identities past the inventory's limits are reported once, as a flood.
      const bucket = d.roles.includes('aggregate') && d.mac === null;
      if (!remote && !bucket && !this.learning.learning(firstSeen)) {
        this.raise('new-device', 'medium', d.id, firstSeen, `new device ${label(d)}`, {
          mac: d.mac,
          ips: d.ips.join(' '),
          vendor: d.vendor,
        });
      }
    }
    this.change(this.firmware, 'firmware-change', 'high', d, d.firmware, lastSeen);
    this.change(this.type, 'type-change', 'medium', d, d.type, lastSeen);
    if (d.roles.includes('dhcp-server')) this.dhcpServer(d.id, lastSeen, null);
    if (d.mac !== null && !d.router) {
      for (const ip of d.ips) {
        const owner = this.ipOwner.get(ip);
        if (owner === undefined) {
          if (this.ipOwner.size < 1_000_000) this.ipOwner.set(ip, d.id);
        } else if (owner !== d.id && !this.learning.learning(lastSeen)) {
          const pair = owner < d.id ? `${owner}|${d.id}` : `${d.id}|${owner}`;
          if (this.once(`ip-conflict|${ip}|${pair}`, lastSeen, Infinity)) {
            this.raise('ip-conflict', 'high', d.id, lastSeen, `${ip} claimed by ${d.mac} and by ${owner}`, {
              ip,
              mac: d.mac,
              otherDevice: owner,
            });
          }
        }
      }
    }
  }

  private change(
    known: Map<string, string>,
    kind: AlertKind,
    severity: Severity,
    d: DeviceJson,
    value: string | null,
    ts: number,
  ): void {
    if (value === null) return;
    const before = known.get(d.id);
    known.set(d.id, value);
    if (before === undefined || before === value || this.learning.learning(ts)) return;
    const what = kind === 'firmware-change' ? 'firmware' : 'type';
    this.raise(kind, severity, d.id, ts, `${label(d)}: ${what} changed from ${before} to ${value}`, {
      old: before,
      new: value,
    });
  }

  private dhcpServer(id: string, ts: number, frame: number | null): void {
    if (this.dhcpServers.has(id)) return;
    const known = this.dhcpServers.size;
    this.dhcpServers.add(id);
    if (this.learning.learning(ts)) return;
    const message = known > 0 ? `another DHCP server: ${id}` : `a DHCP server appeared: ${id}`;
    this.raise('dhcp-server', known > 0 ? 'high' : 'medium', id, ts, message, {
      knownServers:
        [...this.dhcpServers]
          .filter((x) => x !== id)
          .slice(0, 8)
          .join(' ') || null,
      frame,
    });
  }

  /** True the first time `key` is seen, or again once `every` ms of capture time passed. */
  private once(key: string, ts: number, every: number): boolean {
    const at = this.keys.get(key);
    if (at !== undefined && (every === Infinity || ts - at < every)) return false;
    this.keys.delete(key);
    this.keys.set(key, ts);
    if (this.keys.size > MAX_KEYS) this.keys.delete(this.keys.keys().next().value!);
    return true;
  }

  private raise(
    kind: AlertKind,
    severity: Severity,
    deviceId: string | null,
    ts: number,
    message: string,
    detail: AlertJson['detail'],
  ): void {
    if (this.pending.length >= this.maxPerBatch) {
      this.suppressed++;
      return;
    }
    const at = isoTime(ts);
    // Deterministic ids: analysing the same capture again raises the same ids, which the store keeps once.
    const id = `${kind}|${deviceId ?? '-'}|${at}|${String(detail.ip ?? detail.event ?? detail.new ?? '')}`;
    this.pending.push({ id, at, severity, kind, deviceId, message, detail });
  }
}

function defaultIdOf(ref: DeviceRef): string | null {
  if (ref.mac !== null) return 'mac:' + ref.mac;
  if (ref.ip !== null) return 'ip:' + ref.ip;
  return null;
}

function time(s: string | null): number {
  if (s === null) return 0;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : 0;
}

function label(d: DeviceJson): string {
  const name = d.hostname ?? d.ips[0] ?? null;
  return name === null ? d.id : `${d.id} (${name})`;
}
