/**
 * A partial inventory: what one source (a sensor, or one worker thread of an analysis) knows, as
 * plain JSON, in a form that merges with others deterministically and in any order.
 *
 * Facts are kept PER SOURCE, and a source's counters are cumulative: merging takes, per source, the
 * maximum of each counter (a G-counter), the earliest first and the latest last time, and the union
 * of sets. The totals an inventory shows are sums over sources. Merging is then commutative,
 * associative and idempotent: a replayed or re-ordered delta changes nothing.
 *
 * Partials hold the raw facts the inventory accumulates, never classified output: classification and
 * the identity section run on the merged facts (partial-inventory.ts), as for a capture analysed whole.
 *
 * Every array is kept in one canonical order (by key), so two equal partials are equal as JSON.
 */
import type { Observation } from '../model/observation';
import type { DecodeStats } from '../decode/stats';
import type { LimitStats } from './limits';

export const PARTIAL_VERSION = 'glasspane.partial/1';

/**
 * Who knows the facts. `run` tells apart runs of one sensor: counters are cumulative per source, so
 * a sensor that restarts from nothing must take a new run (else its new counts hide under its old).
 */
export interface PartialSource {
  site: string;
  sensor: string;
  /** A worker thread of one analysis. */
  worker?: string;
  run?: string;
}

/** `site/sensor[/worker][#run]`: names are checked to hold no '/', '#' or '@' (see partial-schema.ts). */
export type SourceId = string;

/** One address a device used, as one source saw it. */
export interface PartialIpUse {
  ip: string;
  /** Order in which the source's device took the address (lists of addresses keep it). */
  seq: number;
  packets: number;
  bytes: number;
  /** null: never (an address device made before any packet from it). */
  first: number | null;
  last: number | null;
  /** Bound by ARP (the device answered for it): its own, even on a router. */
  arp: boolean;
  /** TCP ports served from this address (they follow it if the MAC turns out to be a router). */
  served: number[];
  /** The frame in which the source's device took it (where hearsay it claims in a merge goes). */
  frame?: number;
}

/** Frames addressed to a MAC for one destination address, as one source saw them. */
export interface PartialRxUse {
  ip: string;
  packets: number;
  bytes: number;
  first: number;
  last: number;
}

/** One distinct fact (kind, protocol, field, value) about a device, as one source heard it. */
export interface PartialFact {
  /** Order first heard by the source. */
  seq: number;
  firstFrame: number;
  first: number;
  last: number;
  count: number;
  /** The observation as first heard (rules, the identity section and the UI read it). */
  obs: Observation;
  /**
   * The address it was heard through, on a MAC its source did not call a router: it moves to that
   * address's device if a merge finds the MAC routes (the inventory's shares.ts). Absent: its own.
   * A source lists one fact once per address it came through.
   */
  via?: string;
}

/** Protocols a MAC its source did not call a router used through one of its addresses (see PartialFact.via). */
export interface PartialViaProtocols {
  ip: string;
  protocols: string[];
}

/** What one source knows of one device. Counters and times are cumulative for that source. */
export interface PartialDeviceState {
  source: SourceId;
  /** Capture times, ms; null: not seen on the wire (only named by an observation). */
  first: number | null;
  last: number | null;
  /** Every frame it sent, including what routedPackets/routedBytes say moved to routed devices. */
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /**
   * What a router sent from addresses it routes for before the source knew it routed: counted in
   * packetsSent/bytesSent (so they only grow), shown on the routed devices instead. Absent: none.
   */
  routedPackets?: number;
  routedBytes?: number;
  /** The same for what was addressed to it (counted in packetsReceived/bytesReceived). */
  routedReceivedPackets?: number;
  routedReceivedBytes?: number;
  /**
   * What was addressed to it per destination address while the source did not know it routed (see
   * Inventory's Device.rx4): what moves to the routed devices if the merge finds it routes. Absent: none.
   */
  received?: PartialRxUse[];
  /** The source decided it routes (it is decided again on the merged facts). */
  router: boolean;
  routed: boolean;
  /** Keys of the routers it was seen behind. */
  via: string[];
  ips: PartialIpUse[];
  /** With viaProtocols: what stays its own; those move with their addresses as facts do. */
  protocols: string[];
  viaProtocols?: PartialViaProtocols[];
  vlans: number[];
  /** TCP ports it served while not a router (a router's own are in routerServedTcp). */
  servedTcp: number[];
  /**
   * TCP ports it served as a router (its own addresses'): kept apart because becoming a router
   * drops the ports of addresses that were not its own, which a join of sets cannot do.
   */
  routerServedTcp?: number[];
  facts: PartialFact[];
  /** Facts the source could not keep (its per-device bound). */
  factsDropped: number;
  /**
   * When the source made it (Inventory.born: frame * 4096 + order within the frame). Workers of one
   * capture number frames alike, so the merge makes devices in the order one analysis would have.
   */
  born?: number;
}

export type PartialDeviceKind = 'mac' | 'ip' | 'aggregate';

/**
 * A device across sources. Keys: `site/l2domain/mac` (a MAC is one device within one layer-2
 * domain), `site/ip` (routed or MAC-less devices, one per address within a site), and
 * `site/sensor/id` for aggregates (overflow buckets are a sensor's own).
 */
export interface PartialDevice {
  key: string;
  kind: PartialDeviceKind;
  site: string;
  /** For MAC devices: the layer-2 domain (the site's name unless the site declares several). */
  l2domain: string | null;
  /** The id a single analysis gives it: "mac:…", "ip:…", "overflow:…", "routed:…". */
  id: string;
  /** By source id, ascending. */
  states: PartialDeviceState[];
}

/** What an edge carried: from device `a` to `b` (the edge's keys, in order) and back, and when. */
export interface EdgeTraffic {
  packetsAtoB: number;
  packetsBtoA: number;
  bytesAtoB: number;
  bytesBtoA: number;
  first: number;
  last: number;
}

export interface PartialEdgeState extends EdgeTraffic {
  source: SourceId;
  protocols: string[];
  /** When the source made it, as PartialDeviceState.born. */
  born?: number;
  /**
   * While an end is a MAC the source did not call a router: the frames by the address each end used
   * (see PartialFact.via), which a merge that finds that MAC routing moves to the address's device.
   * The counters above are then their sum, for readers that do not move them.
   */
  parts?: PartialEdgePart[];
}

export interface PartialEdgePart extends EdgeTraffic {
  /** The address `a`'s end used; null: none that would move. */
  viaA: string | null;
  viaB: string | null;
  protocols: string[];
}

export interface PartialEdge {
  /** Device keys, a < b. */
  a: string;
  b: string;
  states: PartialEdgeState[];
}

/** Names DNS answers gave for an address, within a site. */
export interface PartialDnsName {
  site: string;
  ip: string;
  /** Earliest learnt first (by `born`, then by name), at most PARTIAL_LIMITS.namesPerAddress. */
  names: string[];
  /**
   * When the source learnt each name (Inventory.born stamps, beside `names`; UNKNOWN_BORN for a name
   * from a source that did not say), so one analysis's workers merge them in the order it learnt them.
   * Absent when no name's is known.
   */
  born?: number[];
}

/**
 * What one source heard others state about an address while no device it knew held it (a DHCP server
 * naming the router): the merge attaches it to the device that holds the address there.
 */
export interface PartialHearsayState {
  source: SourceId;
  /**
   * The source's own device took the address, and the facts are in that device's state: an earlier
   * delta's unclaimed facts are not attached a second time (true outranks false, facts go).
   */
  claimed: boolean;
  /** Distinct facts, in the order heard, at most PARTIAL_LIMITS.hearsayFacts. */
  facts: PartialFact[];
  /** The protocols the facts add to the device that claims them (as the source names them). */
  protocols: string[];
}

export interface PartialHearsay {
  site: string;
  ip: string;
  /** By source id, ascending. */
  states: PartialHearsayState[];
}

export type EditableField = 'name' | 'type' | 'vendor' | 'notes';

/** A person's edit: the newest per device and field wins (ties: author, then value), over every fact. */
export interface PartialEdit {
  device: string;
  field: EditableField;
  /** null clears the field. */
  value: string | null;
  /** Milliseconds since the epoch. */
  time: number;
  author: string;
}

/** A source's decode counters (cumulative; the one with more packets is the newer). */
export interface PartialSourceInfo {
  source: SourceId;
  site: string;
  sensor: string;
  worker: string | null;
  run: string | null;
  stats: PartialStats;
}

export interface PartialStats extends DecodeStats {
  observations: number;
  /** Capture times, ms; null while nothing was seen. */
  first: number | null;
  last: number | null;
  files: { path: string; format: string; frames: number; warnings: string[] }[];
  /** What the source's inventory limits cost, once one was reached (as InventoryStats.limits). */
  limits?: LimitStats;
}

export interface PartialInventory {
  version: typeof PARTIAL_VERSION;
  sources: PartialSourceInfo[];
  devices: PartialDevice[];
  edges: PartialEdge[];
  dns: PartialDnsName[];
  edits: PartialEdit[];
  /** Hearsay no device of its source held (absent when none), by site and address. */
  hearsay?: PartialHearsay[];
}

/** What a later partialOf(…, { since }) compares with, to send only what changed. Opaque; in memory. */
export interface PartialMarker {
  readonly devices: ReadonlyMap<string, string>;
  readonly edges: ReadonlyMap<string, string>;
  readonly dns: ReadonlyMap<string, number>;
  /** Per address with hearsay: facts held, or -1 once claimed. */
  readonly hearsay?: ReadonlyMap<string, number>;
}
