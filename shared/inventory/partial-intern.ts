/**
 * One copy of what repeats across a merge's records. A console's merge holds every sensor's records
 * as JSON.parse (and parsePartial) made them: each protocol, field, role, source and router key a
 * fresh string per fact and per state, each fact's device reference an object and a MAC of its own,
 * each empty list an array of its own. RecordInterner puts equal shared ones in their place as a
 * record enters the accumulator: no value changes (nor its JSON), only the bytes held. It also makes
 * parsePartial's observations again as object literals: the schema's copies get their fields one by
 * one, which leaves each with a property array besides the object (about 40 bytes more).
 */
import type { DeviceRef, Observation } from '../model/observation';
import { OBSERVATION_FIELDS } from './partial-schema';
import type {
  PartialDevice,
  PartialDeviceState,
  PartialDnsName,
  PartialEdge,
  PartialEdit,
  PartialFact,
  PartialHearsay,
} from './partial-types';

/** The empty list every record shares: frozen, so code that would fill one record's list throws. */
const EMPTY = Object.freeze([]) as unknown as never[];

/** Strings longer than this are not looked up (a value from the wire, not a name that repeats). */
const LONGEST = 64;
/** Strings per generation of the table: our vocabulary, the sources and routers, common values. */
const GENERATION = 16_384;

/**
 * A bounded string table of two generations: a string found in the old one moves to the young one,
 * and a full young one becomes the old one (the old one dropped). What keeps repeating stays; a flood
 * of distinct strings (unique values, or hostile ones) costs at most two generations and pushes out
 * only what was not seen within the last GENERATION new strings.
 */
export class StringTable {
  private young = new Map<string, string>();
  private old = new Map<string, string>();

  constructor(
    private readonly generation = GENERATION,
    private readonly longest = LONGEST,
  ) {}

  of(s: string): string {
    if (s.length > this.longest) return s;
    const t = this.young.get(s);
    if (t !== undefined) return t;
    const kept = this.old.get(s) ?? s;
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(kept, kept);
    return kept;
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}

/**
 * Interns records in place. Names (protocols, fields, kinds, roles, sources, sites, short values) go
 * through one StringTable; device keys (edge ends, routers named in `via`, edited devices) are the
 * merge's own where it holds the device; addresses and device references, which repeat within a
 * device's facts but seldom across devices, are shared within the record only (bounded by its lists).
 */
export class RecordInterner {
  private readonly names = new StringTable();
  /** Addresses and MACs of the record being interned. */
  private readonly local = new Map<string, string>();
  /** Its device references, by MAC and address. */
  private readonly refs = new Map<string, DeviceRef>();
  /** Whether its observations are made again (see device()). */
  private fresh = false;

  /** `held(key)`: the merge's own copy of a device key, if it holds that device. */
  constructor(private readonly held: (key: string) => string | undefined) {}

  /**
   * `fresh`: a record as given to the accumulator, whose observations are made again where they are
   * the schema's (what it joined them into holds those already made, and needs no new ones).
   */
  device(d: PartialDevice, fresh: boolean): void {
    this.begin(fresh);
    d.site = this.name(d.site);
    if (d.l2domain !== null) d.l2domain = this.name(d.l2domain);
    for (const s of d.states) this.state(s);
  }

  edge(e: PartialEdge): void {
    this.begin(false);
    e.a = this.key(e.a);
    e.b = this.key(e.b);
    for (const s of e.states) {
      s.source = this.name(s.source);
      s.protocols = this.list(s.protocols);
      if (s.parts === undefined) continue;
      for (const p of s.parts) {
        if (p.viaA !== null) p.viaA = this.addr(p.viaA);
        if (p.viaB !== null) p.viaB = this.addr(p.viaB);
        p.protocols = this.list(p.protocols);
      }
    }
  }

  hearsay(h: PartialHearsay, fresh: boolean): void {
    this.begin(fresh);
    h.site = this.name(h.site);
    h.ip = this.addr(h.ip);
    for (const s of h.states) {
      s.source = this.name(s.source);
      s.facts = this.facts(s.facts);
      s.protocols = this.list(s.protocols);
    }
  }

  dns(n: PartialDnsName): void {
    n.site = this.name(n.site);
  }

  edit(e: PartialEdit): void {
    e.device = this.key(e.device);
    e.author = this.name(e.author);
  }

  private begin(fresh: boolean): void {
    this.fresh = fresh;
    this.local.clear();
    this.refs.clear();
  }

  private name(s: string): string {
    return this.names.of(s);
  }

  private key(k: string): string {
    return this.held(k) ?? this.names.of(k);
  }

  private addr(s: string): string {
    const t = this.local.get(s);
    if (t !== undefined) return t;
    this.local.set(s, s);
    return s;
  }

  /** A list of names: each interned in place, or the shared empty list. */
  private list(xs: string[]): string[] {
    if (xs.length === 0) return EMPTY;
    for (let i = 0; i < xs.length; i++) xs[i] = this.names.of(xs[i]!);
    return xs;
  }

  private state(s: PartialDeviceState): void {
    s.source = this.name(s.source);
    if (s.via.length === 0) s.via = EMPTY;
    else for (let i = 0; i < s.via.length; i++) s.via[i] = this.key(s.via[i]!);
    if (s.ips.length === 0) s.ips = EMPTY;
    for (const u of s.ips) {
      u.ip = this.addr(u.ip);
      if (u.served.length === 0) u.served = EMPTY;
    }
    if (s.received !== undefined) for (const r of s.received) r.ip = this.addr(r.ip);
    s.protocols = this.list(s.protocols);
    if (s.viaProtocols !== undefined)
      for (const v of s.viaProtocols) {
        v.ip = this.addr(v.ip);
        v.protocols = this.list(v.protocols);
      }
    if (s.vlans.length === 0) s.vlans = EMPTY;
    if (s.servedTcp.length === 0) s.servedTcp = EMPTY;
    if (s.routerServedTcp?.length === 0) s.routerServedTcp = EMPTY;
    s.facts = this.facts(s.facts);
  }

  private facts(fs: PartialFact[]): PartialFact[] {
    if (fs.length === 0) return EMPTY;
    for (const f of fs) {
      if (f.via !== undefined) f.via = this.addr(f.via);
      if (this.fresh && inSchemaOrder(f.obs)) f.obs = literal(f.obs);
      this.obs(f.obs);
    }
    return fs;
  }

  /** Every string of an observation interned; its device and peer shared within the record. */
  private obs(o: Observation): void {
    const r = o as unknown as Record<string, unknown>;
    for (const k in r) {
      const v = r[k];
      if (typeof v === 'string') r[k] = this.names.of(v);
      else if (v === null || typeof v !== 'object') continue;
      else if (k === 'device' || k === 'peer') r[k] = this.ref(v as DeviceRef);
      else if (k === 'facts') {
        const facts = v as Record<string, unknown>;
        for (const f in facts) {
          const x = facts[f];
          if (typeof x === 'string') facts[f] = this.names.of(x);
        }
      }
    }
  }

  /** Checked references are `{ mac, ip }` in that order (the schema's), so equal ones are equal as JSON. */
  private ref(d: DeviceRef): DeviceRef {
    const k = `${d.mac ?? ''}\n${d.ip ?? ''}`;
    const had = this.refs.get(k);
    if (had !== undefined && had.mac === d.mac && had.ip === d.ip) return had;
    if (d.mac !== null) d.mac = this.addr(d.mac);
    if (d.ip !== null) d.ip = this.addr(d.ip);
    this.refs.set(k, d);
    return d;
  }
}

/** Whether an observation has its kind's fields, in the schema's order (parsePartial's objects do). */
function inSchemaOrder(o: Observation): boolean {
  const want = OBSERVATION_FIELDS.get(o.kind);
  if (want === undefined) return false;
  let i = 0;
  for (const k in o) if (want[i++] !== k) return false;
  return i === want.length;
}

/** The same observation as one object literal, its fields in the schema's order (inSchemaOrder). */
export function literal(o: Observation): Observation {
  const { device, protocol, field, frame, ts } = o;
  switch (o.kind) {
    case 'hostname':
    case 'name-query':
      return { device, protocol, field, frame, ts, kind: o.kind, name: o.name };
    case 'address':
      return { device, protocol, field, frame, ts, kind: o.kind, ip: o.ip, name: o.name };
    case 'identity':
      return { device, protocol, field, frame, ts, kind: o.kind, attr: o.attr, value: o.value };
    case 'software':
      return {
        device,
        protocol,
        field,
        frame,
        ts,
        kind: o.kind,
        product: o.product,
        version: o.version,
        raw: o.raw,
      };
    case 'fingerprint':
      return { device, protocol, field, frame, ts, kind: o.kind, scheme: o.scheme, value: o.value };
    case 'role':
      return { device, protocol, field, frame, ts, kind: o.kind, role: o.role, peer: o.peer };
    case 'service':
      return {
        device,
        protocol,
        field,
        frame,
        ts,
        kind: o.kind,
        transport: o.transport,
        port: o.port,
        name: o.name,
      };
    case 'attribute':
      return { device, protocol, field, frame, ts, kind: o.kind, key: o.key, value: o.value };
    case 'neighbor':
      return {
        device,
        protocol,
        field,
        frame,
        ts,
        kind: o.kind,
        chassisId: o.chassisId,
        portId: o.portId,
        portDescription: o.portDescription,
        vlan: o.vlan,
      };
    case 'event':
      return {
        device,
        protocol,
        field,
        frame,
        ts,
        kind: o.kind,
        event: o.event,
        facts: o.facts,
        peer: o.peer,
      };
    case 'finding':
      return { device, protocol, field, frame, ts, kind: o.kind, finding: o.finding, detail: o.detail };
  }
}
