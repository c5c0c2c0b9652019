import { Decoder } from '../decode/decoder';
import type { Layer } from '../decode/layer';
import { TCP_SYN, type Packet } from '../decode/packet';
import { Inventory, iso } from '../inventory/inventory';
import type { AppProtocol } from '../protocols/contract';
import type { Observation } from '../model/observation';
import { INVENTORY_SCHEMA, type InventoryJson, type InventoryStats } from '../model/inventory';

export interface AnalyzerOptions {
  layers: readonly Layer[];
  apps?: readonly AppProtocol[];
  /** Per-packet observers that are not port-based (TCP SYN signatures); called for SYN segments only. */
  synObservers?: readonly ((p: Packet) => Observation | null)[];
  vendorOf?: (mac: number) => string | null;
  /** See Decoder: verbatim repeated announcements within this window are dissected once (0: never skip). */
  repeatWindowMs?: number;
}

/** A minute: announcements repeat every few seconds; what they say changes far more rarely. */
export const REPEAT_WINDOW_MS = 60_000;

export interface SourceInfo {
  path: string;
  format: string;
  frames: number;
  warnings: string[];
}

/**
 * The engine's core, free of Node and the DOM: frames in, inventory out. Hosts (CLI, Electron
 * utility process, WebSocket host, sensor) feed frames from files or live capture and read snapshots.
 */
export class Analyzer {
  readonly decoder: Decoder;
  readonly inventory: Inventory;
  readonly sources: SourceInfo[] = [];
  private frameNo = 0;
  private first = Infinity;
  private last = -Infinity;
  private readonly synObservers: readonly ((p: Packet) => Observation | null)[];

  constructor(o: AnalyzerOptions) {
    this.decoder = new Decoder(o.layers, o.apps ?? [], 65536, o.repeatWindowMs ?? REPEAT_WINDOW_MS);
    this.inventory = new Inventory({ vendorOf: o.vendorOf });
    this.decoder.onObservation = (ob) => this.inventory.observe(ob);
    this.synObservers = o.synObservers ?? [];
  }

  /** Frame numbers restart at 1 for every source, as in Wireshark. */
  beginSource(): void {
    this.frameNo = 0;
  }

  endSource(info: SourceInfo): void {
    this.sources.push(info);
  }

  frame(buf: Uint8Array, linkType: number, ts: number, wireLen: number, iface: number): void {
    const p = this.decoder.decode(buf, linkType, ts, ++this.frameNo, wireLen, iface);
    if (ts > 0) {
      if (ts < this.first) this.first = ts;
      if (ts > this.last) this.last = ts;
    }
    this.inventory.packet(p);
    if ((p.tcpFlags & TCP_SYN) !== 0 && p.laterFragment === false) {
      for (const f of this.synObservers) {
        let o: Observation | null = null;
        try {
          o = f(p);
        } catch {
          this.decoder.stats.dissectorErrors++;
        }
        if (o !== null) this.inventory.observe(o);
      }
    }
  }

  stats(): InventoryStats {
    const s = this.decoder.stats;
    return {
      packets: s.packets,
      bytes: s.bytes,
      malformed: s.malformed,
      snapTruncated: s.snapTruncated,
      laterFragments: s.laterFragments,
      unknownLinkType: s.unknownLinkType,
      dissectorErrors: s.dissectorErrors,
      repeats: s.repeats,
      malformedBy: { ...s.malformedBy },
      observations: this.inventory.observations,
      devices: this.inventory.size,
      edges: this.inventory.edges.size,
      firstSeen: Number.isFinite(this.first) ? iso(this.first) : null,
      lastSeen: Number.isFinite(this.last) ? iso(this.last) : null,
      sources: this.sources.map((x) => ({ ...x, warnings: [...x.warnings] })),
    };
  }

  snapshot(o: { evidence?: boolean } = {}): InventoryJson {
    const inv = this.inventory;
    const devices = [...inv.devices()].map((d) => inv.deviceJson(d, o.evidence === true));
    devices.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const edges = [...inv.edges.values()].map((e) => inv.edgeJson(e));
    return {
      schema: INVENTORY_SCHEMA,
      generatedAt: new Date().toISOString(),
      stats: this.stats(),
      devices,
      edges,
    };
  }
}
