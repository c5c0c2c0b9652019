import type { Device, Inventory } from '../inventory/inventory';
import type { Observation } from '../model/observation';
import { macIsLocal, macToString } from '../util/addr';
import type { CaseSpec } from './schema';
import { eventText } from '../alerts/policy';

/** One deduplicated fact about a device, flattened for matching: every kind has a key and a value. */
export interface FactIn {
  kind: string;
  protocol: string;
  field: string;
  /** identity attr, fingerprint scheme, attribute key, role name, software product, service name, ... */
  key: string;
  /** The raw value as heard (identity value, fingerprint string, software banner, host name, ...). */
  value: string;
  frame: number | null;
  ts: number | null;
  count: number;
}

/** Everything classification reads about one device: its facts plus device-level inputs. */
export interface DeviceFacts {
  id: string;
  mac: string | null;
  /** IEEE registry name of the MAC prefix. */
  oui: string | null;
  localMac: boolean;
  router: boolean;
  /**
   * Unicast addresses, not its own, that frames to this MAC were addressed to while it was not known
   * to route: a gateway seen from one side (a SPAN that carries only its inbound traffic) forwards
   * for them, though it never sources them. Bounded by the inventory's MAX_OWN_IPS.
   */
  forwards: number;
  protocols: string[];
  /** TCP ports it accepted connections on, and ports of services it announced. */
  served: number[];
  /** Roles stated by observations. */
  roles: string[];
  /** Distinct peers per protocol (from the inventory's edges). */
  peers: Record<string, number>;
  facts: FactIn[];
}

/** See DeviceFacts.forwards. */
export function forwardedFor(d: Device): number {
  let n = 0;
  if (d.rx4 !== null) for (const ip of d.rx4.keys()) if (!d.ip4.has(ip)) n++;
  if (d.rx6 !== null) for (const ip of d.rx6.keys()) if (!d.ip6.has(ip)) n++;
  return n;
}

/**
 * Key and raw value of an observation, per kind, written into `f` (a FactIn being made): factsOf
 * runs this for every fact of every device classified, and an object returned per call was garbage
 * at once.
 */
export function setKeyValue(f: { key: string; value: string }, o: Observation): void {
  switch (o.kind) {
    case 'hostname':
    case 'name-query':
      f.key = '';
      f.value = o.name;
      return;
    case 'address':
      f.key = o.ip;
      f.value = o.name ?? o.ip;
      return;
    case 'identity':
      f.key = o.attr;
      f.value = o.value;
      return;
    case 'software':
      f.key = o.product;
      f.value = o.raw;
      return;
    case 'fingerprint':
      f.key = o.scheme;
      f.value = o.value;
      return;
    case 'role':
      f.key = o.role;
      f.value = o.role;
      return;
    case 'service':
      f.key = o.name;
      f.value = `${o.transport}/${o.port}`;
      return;
    case 'attribute':
      f.key = o.key;
      f.value = o.value;
      return;
    case 'neighbor':
      f.key = o.chassisId;
      f.value = o.portDescription ?? o.portId ?? o.chassisId;
      return;
    case 'event':
      f.key = o.event;
      f.value = eventText(o);
      return;
    case 'finding':
      f.key = o.finding;
      f.value = o.detail;
      return;
    default:
      // Every kind is above: a new one fails to compile here.
      return o satisfies never;
  }
}

/** Peers per protocol for every device, from one pass over the edges: build once per snapshot. */
export type PeerIndex = Map<Device, Record<string, number>>;

export function peerIndex(inv: Inventory): PeerIndex {
  const out: PeerIndex = new Map();
  const add = (d: Device, p: string) => {
    let r = out.get(d);
    if (r === undefined) out.set(d, (r = {}));
    r[p] = (r[p] ?? 0) + 1;
  };
  for (const e of inv.edges.values()) {
    for (const p of e.protocols) {
      add(e.a, p);
      add(e.b, p);
    }
  }
  return out;
}

/** Most facts read per device; the inventory already bounds them, this bounds the work again. */
const MAX_FACTS = 1024;

/**
 * A device's facts for classification. Pass a `peerIndex(inv)` when classifying many devices; without
 * it the edges are scanned for this one device.
 */
export function factsOf(device: Device, inv: Inventory, peers?: PeerIndex): DeviceFacts {
  const facts: FactIn[] = [];
  const roles = new Set<string>();
  const served = new Set<number>(device.servedTcp);
  for (const f of device.evidence.facts.values()) {
    if (facts.length >= MAX_FACTS) break;
    const fi: FactIn = {
      kind: f.kind,
      protocol: f.protocol,
      field: f.field,
      key: '',
      value: '',
      frame: f.firstFrame,
      ts: Number.isFinite(f.first) ? f.first : null,
      count: f.count,
    };
    setKeyValue(fi, f.obs);
    facts.push(fi);
    if (f.obs.kind === 'role') roles.add(f.obs.role);
    if (f.obs.kind === 'service' && f.obs.transport !== 'l2' && served.size < 256) served.add(f.obs.port);
  }
  let p: Record<string, number> | undefined;
  if (peers !== undefined) p = peers.get(device);
  else {
    p = {};
    for (const e of inv.edges.values()) {
      if (e.a !== device && e.b !== device) continue;
      for (const x of e.protocols) p[x] = (p[x] ?? 0) + 1;
    }
  }
  const mac = device.mac >= 0 ? device.mac : null;
  return {
    id: device.id,
    mac: mac === null ? null : macToString(mac),
    oui: mac === null ? null : ouiOf(inv, mac),
    localMac: mac !== null && macIsLocal(mac),
    router: device.router,
    forwards: forwardedFor(device),
    protocols: [...device.protocols],
    served: [...served],
    roles: [...roles],
    peers: p ?? {},
    facts,
  };
}

/** A device described by a rule test case ("kind/protocol/field/key": value). */
export function factsFromCase(c: CaseSpec, id = 'case'): DeviceFacts {
  const facts: FactIn[] = [];
  const roles = new Set(c.roles ?? []);
  let frame = 1;
  for (const [k, v] of Object.entries(c.facts ?? {})) {
    const [kind = '', protocol = '', field = '', ...rest] = k.split('/');
    const key = rest.join('/');
    for (const value of Array.isArray(v) ? v : [v]) {
      facts.push({ kind, protocol, field, key, value, frame: frame++, ts: 0, count: 1 });
      if (kind === 'role') roles.add(key || value);
    }
  }
  return {
    id,
    mac: c.mac ?? null,
    oui: c.oui ?? null,
    localMac: false,
    router: c.router ?? false,
    forwards: c.forwards ?? 0,
    protocols: c.protocols ?? [...new Set(facts.map((f) => f.protocol))],
    served: c.served ?? [],
    roles: [...roles],
    peers: c.peers ?? {},
    facts,
  };
}

function ouiOf(inv: Inventory, mac: number): string | null {
  return inv.vendorOf(mac);
}
