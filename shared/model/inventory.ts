/**
 * The inventory as it leaves the engine: `glasspane analyze --format json`, exports, and the UI all
 * use these shapes. Unknown values are null. Field names are a public format: change them only with
 * a schema version bump and a note in docs/schema.md.
 */
import { emptyStats, type DecodeStats } from '../decode/stats';
import type { LimitStats } from '../inventory/limits';

export const INVENTORY_SCHEMA = 'glasspane.inventory/1';

/** The decoder's counters, then what the inventory and the sources add. */
export interface InventoryStats extends DecodeStats {
  observations: number;
  devices: number;
  edges: number;
  firstSeen: string | null;
  lastSeen: string | null;
  /** Source files and their warnings (truncated records and the like). */
  sources: { path: string; format: string; frames: number; warnings: string[] }[];
  /** What the inventory's bounds cost (shared/inventory/limits.ts): present once a limit was reached. */
  limits?: LimitStats;
  /** What a live capture (`analyze --iface`) received and lost: present for live runs only. */
  capture?: LiveCaptureStats;
}

/** Counters of a live capture, summed over its interfaces (and per interface in `interfaces`). */
export interface LiveCaptureStats {
  interfaces: LiveInterfaceStats[];
  filter: string;
  /** Wall-clock time the capture ran, ms. */
  durationMs: number;
  /** Why it stopped: the time or packet limit, a signal (Ctrl+C, SIGTERM), or a capture failure. */
  stoppedBy: 'duration' | 'packets' | 'signal' | 'error';
  /** Frames the capture helper received from libpcap (after the filter). */
  received: number;
  /** Frames analysed: `received` less any past the --packets limit. */
  analysed: number;
  /** Frames the kernel dropped before libpcap read them (pcap_stats drop + ifdrop, or an estimate). */
  kernelDrops: number;
  /** Frames our own queues dropped (the capture helper's ring) because analysis fell behind. */
  queueDrops: number;
  /** The most frames seen in one 1-second window of capture time, packets/s. */
  peakRate: number;
}

export interface LiveInterfaceStats {
  name: string;
  received: number;
  kernelDrops: number;
  queueDrops: number;
}

/** Stats of an inventory that no capture stands behind (a store's, a UI snapshot's): all zero, `over` set. */
export function emptyInventoryStats(over: Partial<InventoryStats> = {}): InventoryStats {
  return {
    ...emptyStats(),
    observations: 0,
    devices: 0,
    edges: 0,
    firstSeen: null,
    lastSeen: null,
    sources: [],
    ...over,
  };
}

export interface EvidenceJson {
  kind: string;
  protocol: string;
  field: string;
  value: string;
  firstFrame: number;
  firstSeen: string;
  lastSeen: string;
  count: number;
  /**
   * Who heard it (`site/sensor`), in a merged inventory (glasspane merge, the sensors' console);
   * absent from a local analysis.
   */
  sources?: string[];
}

/** Why an attribute has its value: one rule firing on one observation (or a device-level input). */
export interface AttributeEvidenceJson {
  rule: string;
  kind: string;
  protocol: string;
  field: string;
  value: string;
  frame: number | null;
  /** ISO time the observation was first heard; null for device-level inputs (OUI, ports, peers). */
  time: string | null;
}

/** A classified attribute: the value chosen, how sure, why, and the values it beat. */
export interface AttributeJson {
  value: string;
  confidence: number;
  evidence: AttributeEvidenceJson[];
  alternatives: { value: string; confidence: number; rules: string[] }[];
}

/** One identity fact: what it is (label), its value, the protocol that said it, first and last heard. */
export interface IdentityFactJson {
  label: string;
  value: string;
  protocol: string;
  firstSeen: string;
  lastSeen: string;
}

/**
 * The facts that say what a device is, by source ('dhcp', 'mdns', 'tls', 'enip', ...): compact
 * (deduplicated, a few values per label, newest kept). Picked by shared/inventory/identity.ts.
 */
export type IdentityJson = Record<string, IdentityFactJson[]>;

export interface DeviceJson {
  /** Stable id: "mac:<mac>" for devices with a MAC, "ip:<address>" for devices seen only by IP. */
  id: string;
  mac: string | null;
  ips: string[];
  hostname: string | null;
  /** Best vendor known; from the IEEE OUI registry until later evidence says more. */
  vendor: string | null;
  /** The IEEE OUI registry's name for the MAC prefix (who made the network interface). */
  ouiVendor: string | null;
  category: string | null;
  type: string | null;
  model: string | null;
  os: string | null;
  firmware: string | null;
  serial: string | null;
  hostnames: { name: string; source: string }[];
  roles: string[];
  protocols: string[];
  /** Ports the device was seen serving (it answered a TCP SYN from them). */
  services: { transport: 'tcp' | 'udp'; port: number }[];
  vlans: number[];
  /** Locally administered MAC (randomized or virtual). */
  localMac: boolean;
  /** This MAC sources many IP addresses: a router, gateway or upstream link. */
  router: boolean;
  /** An address seen only behind a router: no MAC of its own is visible. */
  routed: boolean;
  /** For routed devices, the id(s) of the router(s) it was seen behind. */
  via: string[];
  firstSeen: string;
  lastSeen: string;
  packets: number;
  bytes: number;
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /**
   * What the device is, by source: in snapshots, exports and device details; absent from the live
   * change stream's deltas (the UI asks for one device's details to see it).
   */
  identity?: IdentityJson;
  evidence?: EvidenceJson[];
  /** Per classified attribute (vendor, category, type, model, os, firmware, hostname): value and why. */
  attributes?: Record<string, AttributeJson>;
  /** For OT devices, the Purdue level and the reason. */
  purdue?: { level: number; reason: string } | null;
  /** A person's notes on the device. */
  notes?: string | null;
  /** Fields set by hand ('name', 'type', 'vendor', 'notes'): they outrank capture and rules. */
  edited?: string[];
  /**
   * In a merged inventory (partial inventories from sensors): the site the device is at, and the
   * sensors that saw it, sorted. Absent from a local analysis.
   */
  site?: string | null;
  sensors?: string[];
}

export interface EdgeJson {
  a: string;
  b: string;
  protocols: string[];
  packets: number;
  bytes: number;
  /** Packets and bytes from a to b, and from b to a. */
  packetsAtoB: number;
  packetsBtoA: number;
  bytesAtoB: number;
  bytesBtoA: number;
  firstSeen: string;
  lastSeen: string;
}

export interface InventoryJson {
  schema: typeof INVENTORY_SCHEMA;
  generatedAt: string;
  stats: InventoryStats;
  devices: DeviceJson[];
  edges: EdgeJson[];
}
