/**
 * Bounds on a partial inventory. Partials arrive over the network from sensors, so each list has a
 * cap; the per-device caps are those the inventory itself keeps (inventory.ts, evidence.ts, limits.ts),
 * with room for a merge of several sources.
 */
export const PARTIAL_LIMITS = {
  /** Devices in one partial: the inventory's own limits (100k MAC + 100k address devices) and aggregates. */
  devices: 250_000,
  edges: 500_000,
  sources: 4096,
  /** Per-source states of one device or edge. */
  statesPerEntry: 1024,
  dnsAddresses: 65_536,
  namesPerAddress: 16,
  /** Addresses with hearsay, and distinct facts per address and source (the inventory holds 8). */
  hearsayAddresses: 65_536,
  hearsayFacts: 8,
  edits: 100_000,
  ipsPerDevice: 64,
  servedPerIp: 16,
  factsPerDevice: 512,
  /**
   * Fact entries in one source's state of a device: a MAC not known to route lists a fact once per
   * address it came through (PartialFact.via), so a gateway seen one way, sent frames for many
   * addresses, lists more entries than distinct facts. At a few hundred bytes each, a device stays
   * within one message of the broker's 1 MB.
   */
  factEntriesPerDevice: 2048,
  protocolsPerDevice: 256,
  vlansPerDevice: 64,
  servedPerDevice: 256,
  viaPerDevice: 16,
  /** An edge's parts by the addresses its ends used (a MAC not known to route: shares.ts). */
  partsPerEdge: 256,
  /** Characters in a name (site, sensor, protocol), a key, and a value heard on the wire. */
  name: 64,
  key: 1024,
  value: 4096,
  /** Files named in one source's stats, and warnings per file. */
  files: 1024,
  warnings: 64,
} as const;

/**
 * Bounds on a merge of many partials (a console over many sites): larger than one partial's, and
 * past them the entries with the smallest keys are kept (partial-merge.ts).
 */
export const MERGED_LIMITS = {
  devices: 2_000_000,
  edges: 4_000_000,
  sources: 4096,
  dnsAddresses: 1_000_000,
  edits: 1_000_000,
  hearsay: 1_000_000,
} as const;
