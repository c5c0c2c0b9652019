import { ByteWindow } from './window';
import { emptyStats, type DecodeStats, type LearnOnceStats } from './stats';
import { Packet } from './packet';
import {
  type Layer,
  NextLayer,
  NEXT_DONE,
  NEXT_ETHERTYPE,
  NEXT_IPPROTO,
  NEXT_LINKTYPE,
  NEXT_LLC,
  NEXT_SNAP,
  NEXT_TCP,
  NEXT_UDP,
} from './layer';
import { FlowTable, type FlowEntry } from './flows';
import { PairTable } from './pairs';
import type { AppContext, AppProtocol } from '../protocols/contract';
import type { Observation } from '../model/observation';

/** Deep enough for QinQ inside VXLAN inside GRE; a frame that nests deeper is cut off there. */
const MAX_DEPTH = 24;
/** Payload packets of a flow offered to the heuristics before it is left unrecognised. */
const HEURISTIC_TRIES = 4;
/** Payload hashes remembered for that; the table is cleared when full (bounded memory). */
const REPEAT_TABLE = 16384;

/**
 * Dispatch tables: arrays indexed by the 16-bit key (EtherType, port, SAP), consulted several times
 * per packet, where a Map lookup cost a hash each time. Keys outside 0..65535 (SNAP's OUI * 65536 +
 * PID, link types) go to a Map beside it.
 */
class Table<T> {
  /**
   * Per 16-bit key, where its value is in `values` (0: none). A typed array comes zeroed from the
   * allocator; arrays of 65536 values filled with undefined cost a fill loop and half a megabyte each,
   * every analysis as it started: a Decoder took 2.9 ms and 3.8 MB of heap to make, now 1.3 ms, 0.2 MB
   * of heap and 1 MB of slots (tsx, first in a fresh process, medians of 5).
   */
  private slots: Uint16Array | null = null;
  /** No value, then each distinct value once: the layers or dissectors registered (tens). */
  private readonly values: (T | undefined)[] = [undefined];
  private readonly large = new Map<number, T>();

  set(k: number, v: T): void {
    if (k >= 0 && k < 65536) {
      const slots = (this.slots ??= new Uint16Array(65536));
      if (slots[k] !== 0) return;
      let i = this.values.indexOf(v);
      if (i < 0) {
        // Values are the registrations (code, never traffic): a slot names 65535 of them.
        if (this.values.length > 0xffff) throw new RangeError('dispatch table: too many distinct values');
        i = this.values.push(v) - 1;
      }
      slots[k] = i;
    } else if (!this.large.has(k)) this.large.set(k, v);
  }

  get(k: number): T | undefined {
    if (k >= 0 && k < 65536) return this.slots === null ? undefined : this.values[this.slots[k]!];
    return this.large.get(k);
  }
}

/**
 * An application protocol as the pipeline holds it: one shape for all of them. Each protocol's own
 * object has a shape of its own (the fields it declares), so reading `dissect`, `name` and
 * `everyPacket` from them for every payload were megamorphic loads (V8's --log-ic: state N).
 */
class App {
  readonly name: string;
  readonly everyPacket: boolean;
  private readonly dissectFn: AppProtocol['dissect'];
  private readonly heuristicFn: ((w: ByteWindow, p: Packet) => boolean) | null;

  constructor(readonly protocol: AppProtocol) {
    this.name = protocol.name;
    this.everyPacket = protocol.everyPacket === true;
    this.dissectFn = protocol.dissect;
    this.heuristicFn = protocol.heuristic ?? null;
  }

  get heuristic(): boolean {
    return this.heuristicFn !== null;
  }

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    return this.dissectFn.call(this.protocol, w, p, ctx);
  }

  recognises(w: ByteWindow, p: Packet): boolean {
    return this.heuristicFn!.call(this.protocol, w, p);
  }
}

type AppTable = Table<App>;

/**
 * A layer as the dispatch tables hold it. Layers are object literals with different registration
 * keys, so each has its own hidden class; held in one class, the per-frame call site reads `dissect`
 * from one, and a layer first seen late (a tunnel, LLC) does not throw the optimised loop away.
 */
class HeldLayer {
  constructor(
    readonly name: string,
    readonly dissect: Layer['dissect'],
  ) {}
}

function index(
  layers: readonly Layer[],
  held: ReadonlyMap<Layer, HeldLayer>,
  pick: (l: Layer) => readonly number[] | undefined,
): Table<HeldLayer> {
  const t = new Table<HeldLayer>();
  for (const l of layers) for (const k of pick(l) ?? []) t.set(k, held.get(l)!);
  return t;
}

function indexApp(apps: readonly App[], pick: (a: AppProtocol) => readonly number[] | undefined) {
  const t: AppTable = new Table<App>();
  for (const a of apps) for (const k of pick(a.protocol) ?? []) t.set(k, a);
  return t;
}

/**
 * The decode pipeline: one Packet, a window per depth, dispatch tables built from the layers'
 * registrations. decode() runs a frame through link, network and transport layers, then hands the
 * payload to application dissectors, which emit observations into `onObservation`.
 */
export class Decoder implements AppContext {
  readonly packet = new Packet();
  readonly stats: DecodeStats = emptyStats();
  readonly flows: FlowTable;
  /** Master-device pairs: state that outlives connections (the polling period). */
  readonly pairs = new PairTable();
  onObservation: (o: Observation) => void = () => {};

  private readonly windows: ByteWindow[] = [];
  private readonly next = new NextLayer();
  private readonly linkTypes: Table<HeldLayer>;
  private readonly etherTypes: Table<HeldLayer>;
  private readonly ipProtocols: HeldLayer[] = new Array<HeldLayer>(256);
  private readonly udpTunnels: Table<HeldLayer>;
  private readonly llcLayers: Table<HeldLayer>;
  private readonly snapLayers: Table<HeldLayer>;
  private readonly appTcp: AppTable;
  private readonly appUdp: AppTable;
  private readonly appEther: AppTable;
  private readonly appLlc: AppTable;
  private readonly appSnap: AppTable;
  private readonly heuristics: App[];
  private readonly appByName = new Map<string, App>();
  private readonly seenPayloads = new Map<number, number>();
  /** The current packet's flow, once looked up (the pipeline and its dissector share one lookup). */
  private flow: FlowEntry | null = null;
  readonly learnOnce: LearnOnceStats = { flowsFinished: 0, payloadsSkipped: 0 };
  /** The dissector being called, for finished(). */
  private current: App | null = null;
  /**
   * Dissectors that finished a flow: only their UDP payloads need a flow lookup to be skipped (TCP
   * payloads have theirs already), so a datagram protocol that never finishes (DNS) pays nothing.
   */
  private readonly finishers = new Set<App>();

  /**
   * `repeatWindowMs`: identical datagram announcements from one source within this window are
   * dissected once (0, the default, dissects every packet: what fidelity tests compare frame by frame).
   * `learnOnce`: flows their dissector finished (AppContext.finished) are not dissected further (off
   * by default, for the same tests; the engine turns it on).
   */
  constructor(
    layers: readonly Layer[],
    apps: readonly AppProtocol[] = [],
    flowCapacity = 65536,
    private readonly repeatWindowMs = 0,
    readonly learnsOnce = false,
  ) {
    for (let i = 0; i <= MAX_DEPTH; i++) this.windows.push(new ByteWindow());
    const hl = new Map(layers.map((l) => [l, new HeldLayer(l.name, l.dissect)]));
    this.linkTypes = index(layers, hl, (l) => l.linkTypes);
    this.etherTypes = index(layers, hl, (l) => l.etherTypes);
    for (const l of layers) for (const k of l.ipProtocols ?? []) this.ipProtocols[k] ??= hl.get(l)!;
    this.udpTunnels = index(layers, hl, (l) => l.udpPorts);
    this.llcLayers = index(layers, hl, (l) => l.llcSaps);
    this.snapLayers = index(layers, hl, (l) => l.snap);
    const held = apps.map((a) => new App(a));
    this.appTcp = indexApp(held, (a) => a.tcpPorts);
    this.appUdp = indexApp(held, (a) => a.udpPorts);
    this.appEther = indexApp(held, (a) => a.etherTypes);
    this.appLlc = indexApp(held, (a) => a.llcSaps);
    this.appSnap = indexApp(held, (a) => a.snap);
    this.heuristics = held.filter((a) => a.heuristic);
    for (const a of held) this.appByName.set(a.name, a);
    this.flows = new FlowTable(flowCapacity);
  }

  /** Whether frames of this link type are decoded (live sources say so for each interface). */
  readsLinkType(lt: number): boolean {
    return this.linkTypes.get(lt) !== undefined;
  }

  emit(o: Observation): void {
    this.onObservation(o);
  }

  flowState<T extends object>(p: Packet, protocol: string, init: () => T): T {
    const e = (this.flow ??= this.flows.get(p, true)!);
    const m = (e.state ??= new Map());
    let s = m.get(protocol) as T | undefined;
    if (s === undefined) {
      s = init();
      m.set(protocol, s);
    }
    return s;
  }

  pairState<T extends object>(p: Packet, protocol: string, master: 'src' | 'dst', init: () => T): T {
    const m = this.pairs.get(p, master === 'src').state;
    let s = m.get(protocol) as T | undefined;
    if (s === undefined) {
      s = init();
      m.set(protocol, s);
    }
    return s;
  }

  finished(p: Packet): void {
    const a = this.current;
    if (a === null || !this.learnsOnce) return;
    const e = (this.flow ??= this.flows.get(p, true)!);
    if (e.finished !== null) return;
    e.finished = a.name;
    this.finishers.add(a);
    this.learnOnce.flowsFinished++;
  }

  /**
   * Decode one frame, `buf[start, end)`. `buf` is only borrowed: nothing may keep a reference to it
   * after return (live capture reuses one buffer for every packet, files one buffer for every chunk).
   */
  decode(
    buf: Uint8Array,
    linkType: number,
    ts: number,
    frame: number,
    wireLen: number,
    iface = 0,
    start = 0,
    end = buf.length,
  ): Packet {
    const p = this.packet;
    p.reset();
    this.flow = null;
    p.frame = frame;
    p.ts = ts;
    p.linkType = linkType;
    p.capLen = end - start;
    p.wireLen = wireLen;
    p.iface = iface;
    p.buf = buf;
    const st = this.stats;
    st.packets++;
    st.bytes += wireLen;

    try {
      this.run(buf, start, end, linkType, p);
    } catch {
      // Layer dissectors are written not to throw; this is the last line that keeps a bug from
      // costing the process.
      p.markMalformed('decoder: exception');
      st.dissectorErrors++;
    }
    if (p.laterFragment) st.laterFragments++;
    if (p.malformed !== '') {
      if (p.capLen < p.wireLen) st.snapTruncated++;
      else {
        st.malformed++;
        const layer = p.malformed.slice(0, p.malformed.indexOf(':'));
        st.malformedBy[layer] = (st.malformedBy[layer] ?? 0) + 1;
      }
    }
    return p;
  }

  private run(buf: Uint8Array, start: number, end: number, linkType: number, p: Packet): void {
    const next = this.next;
    let w = this.windows[0]!.reset(buf, start, end);
    let kind = NEXT_LINKTYPE;
    let key = linkType;
    let key2 = -1;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      let layer: HeldLayer | undefined;
      switch (kind) {
        case NEXT_LINKTYPE:
          layer = this.linkTypes.get(key);
          if (layer === undefined && depth === 0) {
            this.unknownLinkType(key);
            return;
          }
          break;
        case NEXT_ETHERTYPE:
          layer = this.etherTypes.get(key);
          if (layer === undefined) {
            this.app(this.appEther.get(key), w, p);
            return;
          }
          break;
        case NEXT_IPPROTO:
          layer = this.ipProtocols[key];
          break;
        case NEXT_UDP:
          layer = this.udpTunnels.get(key) ?? this.udpTunnels.get(key2);
          if (layer === undefined) return this.transportPayload(this.appUdp, key, key2, w, p);
          break;
        case NEXT_TCP:
          return this.transportPayload(this.appTcp, key, key2, w, p);
        case NEXT_LLC:
          layer = this.llcLayers.get(key);
          if (layer === undefined) {
            this.app(this.appLlc.get(key), w, p);
            return;
          }
          break;
        case NEXT_SNAP:
          layer = this.snapLayers.get(key);
          if (layer === undefined) {
            this.app(this.appSnap.get(key), w, p);
            return;
          }
          break;
        default:
          return;
      }
      if (layer === undefined) return;
      next.kind = NEXT_DONE;
      layer.dissect(w, p, next);
      if (w.truncated) p.markMalformed(layer.name + ': truncated');
      if (next.kind === NEXT_DONE || p.laterFragment) return;
      w = w.sub(this.windows[depth + 1]!, next.offset, next.length < 0 ? undefined : next.length);
      kind = next.kind;
      key = next.key;
      key2 = next.key2;
    }
    p.markMalformed('decoder: too many nested layers');
  }

  /** Counted in total and per type, so that hosts can say which link type went unread. */
  private unknownLinkType(lt: number): void {
    const st = this.stats;
    st.unknownLinkType++;
    const m = (st.unknownLinkTypes ??= {});
    m[lt] = (m[lt] ?? 0) + 1;
  }

  private transportPayload(table: AppTable, dst: number, src: number, w: ByteWindow, p: Packet): void {
    p.payloadStart = w.start;
    p.payloadEnd = w.end;
    if (w.length === 0) return;
    // Data TCP already delivered is not new: dissecting it again would count a request twice.
    let flow: FlowEntry | null = null;
    if (p.ipProto === 6) {
      flow = this.flow = this.flows.get(p, true)!;
      if (!this.flows.newTcpData(flow, p, w.length)) {
        this.stats.retransmissions++;
        return;
      }
    }
    // Port first (the lower port is usually the service), then a flow already pinned, then heuristics.
    const a = table.get(dst < src ? dst : src) ?? table.get(dst < src ? src : dst);
    if (a !== undefined) {
      if (this.app(a, w, p)) return;
    }
    if (this.heuristics.length === 0) return;
    // Heuristics look at a flow's first few payloads; a flow none of them recognises is left alone after.
    flow ??= this.flow ??= this.flows.get(p, true)!;
    if (flow.pinned !== null) {
      if (flow.pinned !== '') this.app(this.appByName.get(flow.pinned), w, p);
      return;
    }
    for (const h of this.heuristics) {
      if (h === a) continue;
      let hit = false;
      try {
        hit = h.recognises(w, p);
      } catch {
        this.stats.dissectorErrors++;
      }
      if (hit) {
        flow.pinned = h.name;
        this.app(h, w, p);
        return;
      }
    }
    if (++flow.tries >= HEURISTIC_TRIES) flow.pinned = '';
  }

  /** Hash of (protocol, source, source port, payload bytes), for recognising verbatim repeats. */
  private payloadHash(a: App, w: ByteWindow, p: Packet): number {
    const b = w.buf;
    let h = 0x811c9dc5 ^ w.length;
    for (let i = w.start; i < w.end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    h = Math.imul(h ^ (p.srcMac >= 0 ? p.srcMac % 4294967291 : p.src4), 0x85ebca6b) ^ a.name.length;
    // Signed: a small integer for the Map, where an unsigned key above 2^31 is boxed on every call.
    return Math.imul(h ^ (p.srcPort & 0xffff), 0xc2b2ae35) | 0;
  }

  private app(a: App | undefined, w: ByteWindow, p: Packet): boolean {
    if (a === undefined) return false;
    // A flow its dissector finished: counted as the protocol, not dissected (what dissect would say).
    let flow = this.flow;
    if (flow === null && p.ipProto === 17 && this.finishers.has(a))
      flow = this.flow = this.flows.get(p, false) ?? null;
    if (flow !== null && flow.finished === a.name) {
      this.learnOnce.payloadsSkipped++;
      p.addProto(a.name);
      return true;
    }
    // A payload is remembered only after it dissected as this protocol, so a repeat is known to be one.
    const memoized = this.repeatWindowMs > 0 && p.ipProto !== 6 && !a.everyPacket;
    let memo = 0;
    if (memoized) {
      memo = this.payloadHash(a, w, p);
      const last = this.seenPayloads.get(memo);
      if (last !== undefined && p.ts - last < this.repeatWindowMs && p.ts >= last) {
        this.stats.repeats++;
        p.addProto(a.name);
        return true;
      }
    }
    let ok = false;
    this.current = a;
    try {
      ok = a.dissect(w, p, this);
    } catch {
      this.stats.dissectorErrors++;
      p.markMalformed(a.name + ': exception');
      return true;
    } finally {
      this.current = null;
    }
    // Just finished: its state for the flow (stream buffers and all) is not needed any more.
    if (this.flow !== null && this.flow.finished === a.name) this.flow.state?.delete(a.name);
    if (ok) {
      if (memoized) {
        if (this.seenPayloads.size >= REPEAT_TABLE) this.seenPayloads.clear();
        this.seenPayloads.set(memo, p.ts);
      }
      p.addProto(a.name);
      if (w.truncated) p.markMalformed(a.name + ': truncated');
    }
    return ok;
  }
}
