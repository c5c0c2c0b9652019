/**
 * How much the inventory holds, whatever the traffic. A flood of random source MACs or of random
 * addresses behind one router must not grow memory without bound: past a limit new identities are
 * aggregated (their traffic still counted, on a bucket device) rather than kept one by one.
 */
export interface InventoryLimits {
  /** Devices with a MAC of their own; past it, new MACs go to their segment's overflow device. */
  maxDevices: number;
  /**
   * Devices known by address alone (behind a router, or on links without MACs); past it, new
   * addresses go to an aggregate: their IPv6 /64, else the router they came through, else the segment.
   */
  maxAddressDevices: number;
  /** Aggregate devices (/64 prefixes); past it IPv6 addresses aggregate per router or segment. */
  maxAggregates: number;
  /** Edges held in memory; beyond it the longest idle are evicted (the store keeps them on disk). */
  maxEdges: number;
}

/**
 * Sized for the 100k-device scale the store is benchmarked at (src-main/store/bench.ts): a real
 * network this large still fits, one table of 100k devices stays within a few hundred MB.
 */
export const DEFAULT_LIMITS: InventoryLimits = {
  maxDevices: 100_000,
  maxAddressDevices: 100_000,
  maxAggregates: 4096,
  maxEdges: 250_000,
};

/** Per-device tables: enough for any real device, small against floods. */
export const MAX_VLANS_PER_DEVICE = 64;
export const MAX_VIA_PER_DEVICE = 16;
/** Segments (interface and VLAN) and routers named in flood reports; the rest share one name. */
export const MAX_SEGMENTS = 256;

/** What the limits cost, in stats: present only once a limit was reached (see Inventory.limitStats). */
export interface LimitStats {
  /** Sightings of MACs past maxDevices (frames and bindings), accounted to an overflow device. */
  devicesAggregated: number;
  /** Sightings of addresses past maxAddressDevices, accounted to a /64, router or segment aggregate. */
  addressesAggregated: number;
  /** Aggregate devices now held (overflow, /64, per-router). */
  aggregates: number;
  /** Edges evicted as the idlest past maxEdges. */
  edgesEvicted: number;
  /** Facts not kept because their device already held its maximum. */
  factsDropped: number;
  /** Values not kept in a full per-device table (own addresses, VLANs, routers, served ports). */
  tableEntriesDropped: number;
  /** Where the inventory was flooded: "interface 0", "interface 0 vlan 10", "router mac:…". */
  floods: string[];
}

/** One flood: raised once per segment, when the first identity on it is aggregated. */
export interface FloodEvent {
  segment: string;
  /** Capture time (ms) of the first aggregated identity. */
  ts: number;
  /** Which limit: devices (MACs) or address devices. */
  table: 'devices' | 'addresses';
  limit: number;
  /** The device the flood is about: the segment's overflow device, or the router it came through. */
  deviceId: string;
  /** Where the identities go: the overflow device, or "per /64, then routed:<router>". */
  into: string;
}
