import { RecordHeader } from '../capture/parser';
import { Decoder } from '../decode/decoder';
import { linkTypeLabel } from '../decode/linktypes';
import { byName } from '../decode/stats';
import { ipv4ToString, macToString } from '../util/addr';
import type { Layer } from '../decode/layer';
import { TCP_SYN, type Packet } from '../decode/packet';
import { Inventory } from '../inventory/inventory';
import { SynRepeats } from './syn-repeats';
import { isCaptureTime, isoTime } from '../util/time';
import type { AppProtocol } from '../protocols/contract';
import type { SynObserver } from '../protocols/it/tcp-signature';
import type { Observation } from '../model/observation';
import type { Device } from '../inventory/inventory';
import type { DeviceJson, EdgeJson } from '../model/inventory';
import { Classifier, peerIndex, type CompiledRule, type PeerIndex } from '../classify';
import { INVENTORY_SCHEMA, type InventoryJson, type InventoryStats } from '../model/inventory';
import type { FloodEvent, InventoryLimits } from '../inventory/limits';

export interface AnalyzerOptions {
  layers: readonly Layer[];
  apps?: readonly AppProtocol[];
  /** Per-packet observers that are not port-based (TCP SYN signatures); called for SYN segments only. */
  synObservers?: readonly SynObserver[];
  vendorOf?: (mac: number) => string | null;
  /** See Decoder: verbatim repeated announcements within this window are dissected once (0: never skip). */
  repeatWindowMs?: number;
  /** Classification rules (assets/rules, compiled); without them devices carry only what the wire said. */
  rules?: readonly CompiledRule[];
  /** Bounds on the inventory (devices, address devices, aggregates, edges); defaults for any not given. */
  limits?: Partial<InventoryLimits>;
  /** Stop dissecting flows their dissector finished (AppContext.finished); default true. */
  learnOnce?: boolean;
}

function firstHand(o: Observation, p: Packet): boolean {
  const ip = o.device.ip;
  if (o.device.mac !== null || ip === null) return true;
  // About the sender's own address, from a frame with a sender MAC: the frame's accounting binds that
  // address (to the MAC, or behind a router to its own device) right after, so if nothing holds it
  // yet the fact waits for that, as hearsay does, rather than making a device of the address alone.
  const fromMac = p.srcMac >= 0 && p.srcMac !== 0xffffffffffff;
  if (p.ipVersion === 6) return (ip === p.src6 && !fromMac) || ip === p.dst6;
  if (p.ipVersion === 4) return (!fromMac && ip === ipv4ToString(p.src4)) || ip === ipv4ToString(p.dst4);
  return false;
}

/**
 * A fact a frame states about its sender's own address (a DHCP server naming itself the router) is
 * about the sender: its MAC, as a fact the dissector names by the frame's source is, and so where the
 * frame's accounting binds that address. By the address alone it would go to whichever device took
 * that address last, which depends on the frames seen before (an analysis split among workers sees
 * others), and is wrong where another MAC used the address in between (a fuzzed or spoofed frame).
 */
function bySender(o: Observation, p: Packet): Observation {
  const ip = o.device.ip;
  if (o.device.mac !== null || ip === null || p.srcMac < 0 || p.srcMac === 0xffffffffffff) return o;
  const own = p.ipVersion === 4 ? ip === ipv4ToString(p.src4) : p.ipVersion === 6 && ip === p.src6;
  return own ? { ...o, device: { mac: macToString(p.srcMac), ip } } : o;
}

/** TCP/UDP flow state kept this long without a packet (capture time). */
const FLOW_IDLE_MS = 5 * 60_000;

/** pcapng interface ids the parser keeps (and live interfaces, u16): bounds the per-interface times. */
const MAX_IFACES = 65536;

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
  private readonly synObservers: readonly SynObserver[];
  private readonly synSink = { emit: (o: Observation) => this.observed(o) };
  readonly classifier: Classifier | null;
  private readonly repeatWindowMs: number;
  private readonly syns: SynRepeats;
  /**
   * Set before frame() by a worker of a shared capture: whether this frame's SYN repeats, as the
   * reader, which sees every SYN of the capture, decided (null: decide here).
   */
  synVerdict: boolean | null = null;
  /** Last good time per interface of the current source, and of the source as a whole. */
  private goodTime: number[] = [];
  private goodTimeAny = 0;

  constructor(o: AnalyzerOptions) {
    this.repeatWindowMs = o.repeatWindowMs ?? REPEAT_WINDOW_MS;
    this.syns = new SynRepeats(this.repeatWindowMs);
    this.decoder = new Decoder(o.layers, o.apps ?? [], 65536, this.repeatWindowMs, o.learnOnce ?? true);
    this.inventory = new Inventory({
      vendorOf: o.vendorOf,
      limits: o.limits,
      partOf: new Map(
        (o.apps ?? []).flatMap((app) => (app.parts ?? []).map((part) => [part, app.name] as const)),
      ),
      onFlood: (f) => {
        for (const g of this.floodObservers) g(f);
      },
    });
    // A fact about an address that is neither end of the packet is hearsay (a DHCP server naming
    // the router): it describes a device only once that device is seen.
    this.decoder.onObservation = (ob) => this.observed(ob);
    this.synObservers = o.synObservers ?? [];
    this.classifier = o.rules !== undefined && o.rules.length > 0 ? new Classifier(o.rules) : null;
  }

  /** Every observation, after the inventory took it (the alert rules listen here). */
  readonly observers: ((o: Observation) => void)[] = [];
  /** Each flooded segment, once: the first identity past a limit on it was aggregated (alerts listen). */
  readonly floodObservers: ((f: FloodEvent) => void)[] = [];

  private observed(o: Observation): void {
    const p = this.decoder.packet;
    const about = bySender(o, p);
    this.inventory.observe(about, firstHand(about, p));
    for (const f of this.observers) f(o);
  }

  /** A device as it leaves the engine: what the wire said, classified when rules are loaded. */
  deviceJson(d: Device, evidence: boolean, peers?: PeerIndex, identity = true): DeviceJson {
    const j = this.inventory.deviceJson(d, evidence, identity);
    return this.classifier === null ? j : this.classifier.apply(j, d, this.inventory, peers);
  }

  /** Peers per protocol for every device: compute once when classifying many devices. */
  peers(): PeerIndex | undefined {
    if (this.classifier === null) return undefined;
    // Rebuilt only when who-talks-to-whom changed, not on every change-stream tick of a live run.
    if (this.peerCache === null || this.peerCacheShape !== this.inventory.edgeShape) {
      this.peerCache = peerIndex(this.inventory);
      this.peerCacheShape = this.inventory.edgeShape;
    }
    return this.peerCache;
  }
  private peerCache: PeerIndex | null = null;
  private peerCacheShape = -1;

  /** Unread link types counted when the current source began (see endSource). */
  private unknownAtStart: Record<string, number> = {};

  /**
   * Frame numbers restart at 1 for every source, as in Wireshark; `frameBase` continues another
   * count instead (the second part of a capture split between analyzers numbers from where it starts).
   */
  beginSource(frameBase = 0): void {
    this.frameNo = frameBase;
    this.goodTime = [];
    this.goodTimeAny = 0;
    this.unknownAtStart = { ...this.decoder.stats.unknownLinkTypes };
  }

  /**
   * The number the next frame takes: a worker analysing a share of a capture's frames numbers them
   * as the whole capture does, so first frames agree when the workers' partials are merged.
   */
  nextFrameNumber(n: number): void {
    this.frameNo = n - 1;
  }

  /**
   * Run once by the next frame(), after its decoding (and the observations made there), when the
   * inventory accounts it, once it has the frame's MAC devices and before it binds their addresses:
   * where one analysis decides what the frame's addresses make of its MAC (Inventory.packet).
   */
  beforeAccounting: (() => void) | null = null;

  /**
   * A worker's reader found `mac` routing from frame `n` on, owning `owned` by ARP; or (`decided`
   * false) the router answering ARP for `owned[0]` in frame `n` (shared/engine/router-watch.ts).
   * One analysis decides that while it accounts frame `n`: a worker that has frame `n` calls this
   * from beforeAccounting, the others before their next frame.
   */
  routerNews(mac: number, owned: readonly number[], decided: boolean, n: number): void {
    this.inventory.frame = n;
    if (decided) this.inventory.routes(mac, owned);
    else if (owned.length > 0) this.inventory.ownsByArp(mac, owned[0]!);
  }

  /**
   * The source is done: frames of link types the decoder does not read become one warning per type
   * in `info.warnings` (never a silent empty inventory). Returns the warnings added.
   */
  endSource(info: SourceInfo): string[] {
    const added: string[] = [];
    for (const [lt, n] of Object.entries(this.decoder.stats.unknownLinkTypes ?? {})) {
      const skipped = n - (this.unknownAtStart[lt] ?? 0);
      if (skipped > 0)
        added.push(
          `link type ${linkTypeLabel(Number(lt))} is not read: ${skipped} frame${skipped === 1 ? '' : 's'} skipped`,
        );
    }
    info.warnings.push(...added);
    this.sources.push(info);
    return added;
  }

  /** One frame: `buf[start, end)` (the whole of `buf` by default), borrowed for the call only. */
  frame(
    buf: Uint8Array,
    linkType: number,
    ts: number,
    wireLen: number,
    iface: number,
    start = 0,
    end = buf.length,
  ): void {
    const h = this.header;
    h.linkType = linkType;
    h.ts = ts;
    h.wireLen = wireLen;
    h.iface = iface;
    this.record(buf, start, end, h);
  }
  private readonly header = new RecordHeader();

  /**
   * One frame as the capture parser gives it, `buf[start, end)` with its header (both borrowed for
   * the call only): the time stays a field, never a boxed double argument (an allocation per frame).
   */
  record(buf: Uint8Array, start: number, end: number, h: RecordHeader): void {
    const iface = h.iface;
    const linkType = h.linkType;
    const wireLen = h.wireLen;
    let ts = h.ts;
    if (!isCaptureTime(ts)) ts = this.badTime(iface);
    else if (ts > 0) {
      if (iface < MAX_IFACES) this.goodTime[iface] = ts;
      this.goodTimeAny = ts;
    }
    const no = ++this.frameNo;
    this.inventory.frame = no;
    const p = this.decoder.decode(buf, linkType, ts, no, wireLen, iface, start, end);
    // Now and then, in capture time: flows idle for long age out, edges beyond the cap are evicted.
    if ((this.decoder.stats.packets & 0xffff) === 0 && this.autoHousekeeping) this.housekeeping(ts);
    if (ts > 0) {
      if (ts < this.first) this.first = ts;
      if (ts > this.last) this.last = ts;
    }
    const told = this.beforeAccounting;
    this.beforeAccounting = null;
    this.inventory.packet(p, told);
    if (
      (p.tcpFlags & TCP_SYN) !== 0 &&
      p.laterFragment === false &&
      this.synObservers.length > 0 &&
      !(this.synVerdict ?? this.syns.repeat(p))
    ) {
      for (const f of this.synObservers) {
        try {
          f(p, this.synSink);
        } catch {
          this.decoder.stats.dissectorErrors++;
        }
      }
    }
  }

  /**
   * A time outside 1970..9999 is the interface's clock gone wrong (a 64-bit pcapng timestamp, an
   * absurd resolution or offset), not news about when the frame was seen: it is counted and the frame
   * takes the last good time of its interface, else of the source, else none (0). Dropping the frame
   * would lose what it says; keeping the time would make every first/last-seen and flow age meaningless.
   */
  private badTime(iface: number): number {
    this.decoder.stats.badTimestamps++;
    return (iface < MAX_IFACES ? this.goodTime[iface] : undefined) ?? this.goodTimeAny;
  }

  /**
   * false: the host calls housekeeping() itself. A worker sharing a capture is told when the whole
   * capture's frame count says so, so its flows age out at the moments one analysis's would.
   */
  autoHousekeeping = true;

  housekeeping(ts: number): void {
    this.decoder.flows.expire(ts, FLOW_IDLE_MS);
    this.inventory.trimEdges(ts);
  }

  stats(): InventoryStats {
    const s = this.decoder.stats;
    const limits = this.inventory.limitStats();
    const out: InventoryStats = {
      ...s,
      malformedBy: byName(s.malformedBy),
      ...(s.unknownLinkTypes !== undefined ? { unknownLinkTypes: { ...s.unknownLinkTypes } } : {}),
      observations: this.inventory.observations,
      devices: this.inventory.size,
      edges: this.inventory.edges.size,
      firstSeen: Number.isFinite(this.first) ? isoTime(this.first) : null,
      lastSeen: Number.isFinite(this.last) ? isoTime(this.last) : null,
      sources: this.sources.map((x) => ({ ...x, warnings: [...x.warnings] })),
    };
    // Only once a limit was reached: the stats of every capture that fits read as they always did.
    if (limits !== null) out.limits = limits;
    return out;
  }

  /** `identity: false` leaves out the identity sections (the UI's snapshot, in step with its deltas). */
  snapshot(o: { evidence?: boolean; identity?: boolean } = {}): InventoryJson {
    const p = this.snapshotParts(o);
    return { ...p.head, devices: [...p.devices], edges: [...p.edges] };
  }

  /**
   * The snapshot one device and one edge at a time, in snapshot()'s order: a host writing a large
   * inventory out holds one device's JSON at once rather than all of them and their text.
   */
  snapshotParts(o: { evidence?: boolean; identity?: boolean } = {}): {
    head: Omit<InventoryJson, 'devices' | 'edges'>;
    devices: Iterable<DeviceJson>;
    edges: Iterable<EdgeJson>;
  } {
    const inv = this.inventory;
    const peers = this.peers();
    const sorted = [...inv.devices()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const head: Omit<InventoryJson, 'devices' | 'edges'> = {
      schema: INVENTORY_SCHEMA,
      generatedAt: new Date().toISOString(),
      stats: this.stats(),
    };
    const evidence = o.evidence === true;
    const identity = o.identity !== false;
    // Edges in the order made; those a router's shares made (or changed) as if made when they began.
    const edges = [...inv.edges.values()];
    if (inv.edgesMoved) edges.sort((x, y) => x.born - y.born);
    return {
      head,
      devices: (function* (self) {
        for (const d of sorted) yield self.deviceJson(d, evidence, peers, identity);
      })(this),
      edges: (function* () {
        for (const e of edges) yield inv.edgeJson(e);
      })(),
    };
  }
}
