/**
 * The inventory of a PartialAccumulator kept up to date by rebuilding only the devices (and their
 * edges) that the deltas since the last rebuild touched: the same result as inventoryFromPartial of
 * the whole merge, at the cost of what changed. A device's JSON depends on its own merged record, its
 * edits, the edges that join it (classification counts their protocols), the DNS names of its
 * addresses, its id and the ids of the routers it is behind; an edge's on its states and its ends' ids.
 *
 * Routers: a MAC that routes moves what it sent from and was sent at the addresses it does not own to
 * devices of their own (partial-combine.ts, decideRouters), which only it and the other routers of
 * those addresses feed. So a touched router (or a MAC that becomes one, or stops) is rebuilt with the
 * address devices whose share from it changed (or that it makes or no longer makes), each with every
 * router that feeds it; a touched address device with the routers that feed it. Which router fed which
 * address device, and with what, is remembered from the last rebuild.
 *
 * Shares (partial-combine.ts endOf): a router's edge parts that a source heard through one of its
 * addresses, not calling it a router, go to that address's device, so an address device's edges also
 * come from records at its routers. Per router the rebuild indexes which records have parts through
 * which address; a shown address device reads those records too, and what re-keys an edge (a changed
 * part, a router that starts or stops routing or owning an address, an address device that comes or
 * goes) rebuilds the devices at both of its possible ends.
 *
 * Hearsay (facts heard about an address no device of the source held: partial-hearsay.ts) attaches to
 * whichever device holds its address in the whole merge: where it changed, or waits on an address a
 * device to rebuild holds (or held, or is), every device that holds that address (as last shown, or
 * now) is rebuilt with it, so the rebuild picks the holder among all of them.
 *
 * It rebuilds everything instead where one device's change can alter others' in ways it does not follow:
 * - the first rebuild (`first`), and one after a pruning at the merge's caps (devices or edges were
 *   dropped: `pruned`);
 * - ids that become qualified or stop being so (a new device whose local id another has, or an address
 *   device a router no longer makes that was the other: docs/schema.md): `ids`;
 * - and, should the rebuild not give the devices the plan said exist, everything (`missed`: a bug).
 *
 * Each rebuild says what it changed (InventoryChanges), so the console sends the UI that much without
 * walking the whole inventory; the whole one, sorted, is made only when asked for (inventory()).
 */
import {
  INVENTORY_SCHEMA,
  type DeviceJson,
  type EdgeJson,
  type InventoryJson,
  type InventoryStats,
} from '../model/inventory';
import type { PartialAccumulator } from './partial-accumulator';
import { idsOf, inventoryFromPartial, qualifiedId, type FromPartialOptions } from './partial-inventory';
import { combine, decideRouters, type Combined } from './partial-combine';
import { cmp, edgeKey } from './partial-merge';
import { statsOf } from './partial-stats';
import { SortedKeys } from './sorted-keys';
import {
  PARTIAL_VERSION,
  type PartialDevice,
  type PartialEdge,
  type PartialEdgePart,
  type PartialInventory,
} from './partial-types';

export type IncrementalOptions = Omit<FromPartialOptions, 'ids' | 'local' | 'generatedAt' | 'only' | 'made'>;

/** Why a rebuild was done in full (see the cases above). */
export type FullReason = 'first' | 'pruned' | 'ids' | 'missed';

const edgeId = (e: { a: string; b: string }) => `${e.a}\n${e.b}`;
/** A partial with nothing in it: stats are made from its sources alone. */
const EMPTY: PartialInventory = {
  version: PARTIAL_VERSION,
  sources: [],
  devices: [],
  edges: [],
  dns: [],
  edits: [],
};
const byId = (x: DeviceJson, y: DeviceJson) => cmp(x.id, y.id);
const byEnds = (x: { a: string; b: string }, y: { a: string; b: string }) => cmp(x.a, y.a) || cmp(x.b, y.b);

/**
 * What one rebuild changed since the one before (the first: since nothing), as the difference of
 * their inventories: devices and edges rebuilt (new, or perhaps changed: one rebuilt the same is
 * still here, the caller compares), those gone, and the devices whose id changed (by partial key,
 * [old, new]). Lists are sorted as in an inventory (devices and removed ids by id, edges by ends).
 */
export interface InventoryChanges {
  /** Why everything was rebuilt (every device and edge is listed), or null: only what changed. */
  full: FullReason | null;
  generatedAt: string;
  stats: InventoryStats;
  devices: DeviceJson[];
  removed: string[];
  edges: EdgeJson[];
  edgesRemoved: { a: string; b: string }[];
  moved: [string, string][];
}

/** What a router moves, per address device key (decideRouters' `moved`); null: it does not route. */
type Moves = ReadonlyMap<string, string> | null;

/** Per address a MAC's edges have parts through (its end's via), the keys of those edges. */
type PartsVia = Map<string, Set<string>>;

/**
 * What a MAC alone moves to address devices, as a merge decides it, and, if it routes, what decides
 * where its edge parts go besides (endOf): the addresses it owns and the sources that called it a router.
 */
function routingOf(d: PartialDevice): { moves: Moves; ends: string | null } {
  const moved = new Map<string, Map<string, string>>();
  const c = combine(d);
  decideRouters(new Map<string, Combined>([[d.key, c]]), moved, false);
  const moves = moved.get(d.key) ?? null;
  if (moves === null) return { moves, ends: null };
  const own = [...c.ip4.keys(), ...(c.ip6?.keys() ?? [])].sort(cmp);
  return { moves, ends: JSON.stringify([own, [...(c.routerSources ?? [])].sort(cmp)]) };
}

/** The parts of an edge by source and the addresses its ends used, each as text (to compare). */
function partsText(e: PartialEdge | null | undefined): Map<string, { p: PartialEdgePart; text: string }> {
  const out = new Map<string, { p: PartialEdgePart; text: string }>();
  for (const s of e?.states ?? [])
    for (const p of s.parts ?? [])
      out.set(`${s.source}\n${p.viaA}\n${p.viaB}`, { p, text: JSON.stringify(p) });
  return out;
}

const siteOfKey = (key: string) => key.slice(0, key.indexOf('/'));

/** The key of an address device (`site/ip:…`) split, or null for another kind of key. */
function addressOf(key: string): { site: string; ip: string } | null {
  const i = key.indexOf('/');
  return key.startsWith('ip:', i + 1) ? { site: key.slice(0, i), ip: key.slice(i + 4) } : null;
}

/**
 * A device only named (an edge's far end): its id and place, none of its facts; a MAC keeps its
 * addresses and router flags, which say whether parts of its edges go to the addresses behind it
 * (partial-combine.ts endOf).
 */
const bare = (d: PartialDevice): PartialDevice =>
  d.kind !== 'mac'
    ? { ...d, states: [] }
    : {
        ...d,
        states: d.states.map(({ received: _r, viaProtocols: _v, routerServedTcp: _s, ...s }) => ({
          ...s,
          facts: [],
          protocols: [],
          servedTcp: [],
        })),
      };

/** An address device a router makes (it has no record of its own), without facts. */
function addressDevice(key: string): PartialDevice {
  const a = addressOf(key)!;
  return { key, kind: 'ip', site: a.site, l2domain: null, id: 'ip:' + a.ip, states: [] };
}

/** A plan's devices made (an inventory of them and the devices they need), and the edges at them. */
interface Made {
  inv: InventoryJson;
  edges: PartialEdge[];
}

interface Plan {
  /** Keys of the devices to rebuild and show again (those that no longer exist go). */
  show: Set<string>;
  /** Routers whose moves reach one of them: their records are needed, not their output. */
  routers: Set<string>;
  /** What each touched MAC moves now. */
  moves: Map<string, Moves>;
  /** Shown keys that exist after the rebuild, and those that no longer do. */
  exists: Set<string>;
  /** How many local ids more than one device has, after. */
  shared: number;
  /** Addresses (`site\nip`) whose hearsay the rebuild attaches. */
  hearsay: Set<string>;
  /** Per touched MAC, what decides where its parts go now and its parts by address; null: it does not route. */
  parts: Map<string, { ends: string; via: PartsVia } | null>;
}

export class IncrementalInventory {
  /** Each device's JSON by its partial key; each edge's by its ends' ids. */
  private devices = new Map<string, DeviceJson>();
  private edges = new Map<string, EdgeJson>();
  /** Their keys in the inventory's order (devices by id, edges by ends), updated when asked. */
  private readonly deviceOrder = new SortedKeys((x, y) => byId(this.devices.get(x)!, this.devices.get(y)!));
  private readonly edgeOrder = new SortedKeys((x, y) => byEnds(this.edges.get(x)!, this.edges.get(y)!));
  /** The last rebuild's time and stats, and its whole inventory once asked for. */
  private generatedAt = new Date().toISOString();
  private stats: InventoryStats = statsOf({ ...EMPTY }, 0, 0);
  private whole: InventoryJson | null = null;
  /** Each device's id by its key (address devices routers make included), and back. */
  private ids = new Map<string, string>();
  private keyOfId = new Map<string, string>();
  /** How many devices have each local id, and how many local ids more than one has. */
  private localIds = new Map<string, number>();
  private shared = 0;
  private qualified = false;
  /** Per router key, what it moves per address device key; per address device key, its routers. */
  private moves = new Map<string, ReadonlyMap<string, string>>();
  private feeders = new Map<string, Set<string>>();
  /**
   * Per router (as last rebuilt): what decides where its edge parts go (routingOf's `ends`) and its
   * edges with parts by the address they went through; per address device key, those routers.
   */
  private ends = new Map<string, string>();
  private viaParts = new Map<string, PartsVia>();
  private partsTo = new Map<string, Set<string>>();
  /** Per device key, its edges (by ids) that no edge record joins by its ends: made of parts moved there. */
  private rekeyed = new Map<string, Set<string>>();
  /** Per key, the devices whose records name it as a router they are behind (never shrinks). */
  private namedBy = new Map<string, Set<string>>();
  /** Device keys by `site\nip` of their addresses (as last shown), for changed DNS names. */
  private byAddress = new Map<string, Set<string>>();
  private pruned = -1;
  /** Rebuilds done in full, and incrementally (for tests and the benchmark). */
  full = 0;
  partial = 0;
  /** Of the incremental ones, those that rebuilt a router's or its address devices' share. */
  routed = 0;
  /** Full rebuilds by why. */
  readonly fullBecause: Record<FullReason, number> = {
    first: 0,
    pruned: 0,
    ids: 0,
    missed: 0,
  };

  constructor(
    private readonly acc: PartialAccumulator,
    private readonly o: IncrementalOptions,
  ) {
    acc.trackEdges();
  }

  /** Each device's id by its partial key (address devices routers make included), as of the last rebuild. */
  get deviceIds(): ReadonlyMap<string, string> {
    return this.ids;
  }

  /** How many devices the inventory holds, as of the last rebuild. */
  get size(): number {
    return this.devices.size;
  }

  /** One device's JSON by its id, as of the last rebuild. */
  device(id: string): DeviceJson | undefined {
    const k = this.keyOfId.get(id);
    return k === undefined ? undefined : this.devices.get(k);
  }

  /**
   * The whole inventory as of the last rebuild, byte for byte what inventoryFromPartial of the merge
   * gives (its generatedAt aside): made when first asked for after a rebuild, then kept.
   */
  inventory(): InventoryJson {
    this.whole ??= {
      schema: INVENTORY_SCHEMA,
      generatedAt: this.generatedAt,
      stats: this.stats,
      devices: this.deviceOrder.sorted().map((k) => this.devices.get(k)!),
      edges: this.edgeOrder.sorted().map((k) => this.edges.get(k)!),
    };
    return this.whole;
  }

  /**
   * Bring the merged inventory up to date, and say what changed: only what acc.changed() names is
   * rebuilt, unless a case above needs all.
   */
  rebuild(): InventoryChanges {
    const touched = new Set(this.acc.changed());
    for (const a of this.acc.changedDns()) for (const k of this.byAddress.get(a) ?? []) touched.add(k);
    const changedEdges = this.acc.changedEdges();
    if (this.full === 0) return this.rebuildAll('first');
    if (this.acc.pruned !== this.pruned) return this.rebuildAll('pruned');
    const plan = this.plan(touched, this.acc.hearsayChanged(), changedEdges);
    if (typeof plan === 'string') return this.rebuildAll(plan);
    const { show, routers } = plan;
    const { inv, edges } = this.make(plan, this.o);
    const made = new Map(inv.devices.map((d) => [d.id, d]));
    // The plan and the rebuild disagree (a case above missed): everything, rather than a wrong inventory.
    if (made.size !== plan.exists.size || [...plan.exists].some((k) => !made.has(this.idFor(k))))
      return this.rebuildAll('missed');
    this.partial++;
    if (routers.size > 0 || [...plan.moves.values()].some((m) => m !== null)) this.routed++;
    // What the shown devices' edges were (those of their records, and those parts made), then what they are.
    const was = new Map<string, EdgeJson>();
    const take = (id: string) => {
      const x = this.edges.get(id);
      if (x === undefined) return;
      was.set(id, x);
      this.edges.delete(id);
      this.rekey(x, false);
    };
    for (const e of edges) {
      const a = this.ids.get(e.a);
      const b = this.ids.get(e.b);
      if (a === undefined || b === undefined) continue;
      take(edgeId({ a, b }));
      take(edgeId({ a: b, b: a }));
    }
    for (const k of show) for (const id of [...(this.rekeyed.get(k) ?? [])]) take(id);
    // Ids of devices that exist keep their id here (a change of ids rebuilt everything above).
    const removed: string[] = [];
    for (const k of show) {
      if (plan.exists.has(k)) this.name(k);
      else {
        const id = this.forget(k);
        if (id !== null) removed.push(id);
      }
    }
    this.shared = plan.shared;
    for (const k of plan.exists) this.show(k, made.get(this.ids.get(k)!)!);
    for (const e of inv.edges) {
      const id = edgeId(e);
      if (!was.delete(id) && !this.edges.has(id)) this.edgeOrder.add(id);
      this.edges.set(id, e);
      this.rekey(e, true);
    }
    for (const id of was.keys()) this.edgeOrder.remove(id);
    for (const [k, m] of plan.moves) this.remember(k, m);
    for (const [k, p] of plan.parts) this.index(k, p);
    this.stamp();
    return {
      full: null,
      generatedAt: this.generatedAt,
      stats: this.stats,
      // inventoryFromPartial gives them in order.
      devices: inv.devices,
      // An id another device took in this rebuild is that device's now: changed, not gone.
      removed: removed.filter((id) => !made.has(id)).sort(cmp),
      edges: inv.edges,
      edgesRemoved: [...was.values()].map(({ a, b }) => ({ a, b })).sort(byEnds),
      moved: [],
    };
  }

  /** The devices a plan shows, made from their records and those of the devices they need. */
  private make(plan: Plan, o: IncrementalOptions): Made {
    const { show, routers } = plan;
    const edges = new Map<string, PartialEdge>();
    const at: PartialEdge[] = [];
    // The devices to show need the far ends of their edges, and the routers they name, to exist.
    const named = new Set<string>();
    const read = (e: PartialEdge) => {
      if (edges.has(edgeKey(e))) return;
      edges.set(edgeKey(e), e);
      named.add(e.a).add(e.b);
      // Where parts go, the devices of the addresses they went through (those that exist).
      const site = siteOfKey(e.a);
      for (const s of e.states)
        for (const p of s.parts ?? []) {
          if (p.viaA !== null) named.add(`${site}/ip:${p.viaA}`);
          if (p.viaB !== null) named.add(`${site}/ip:${p.viaB}`);
        }
    };
    for (const k of show) {
      for (const e of this.acc.edgesAt(k)) {
        read(e);
        at.push(e);
      }
      // An address device's edges also come from parts its routers' edges have through its address.
      const a = addressOf(k);
      if (a !== null)
        for (const r of this.routersVia(k, plan.parts))
          for (const ek of this.partsOf(r, plan.parts)?.get(a.ip) ?? []) {
            const e = this.acc.edge(ek);
            if (e !== undefined) read(e);
          }
      for (const s of this.acc.device(k)?.states ?? []) for (const v of s.via) named.add(v);
    }
    const devices: PartialDevice[] = [];
    for (const k of [...new Set([...show, ...routers, ...named])].sort(cmp)) {
      const d = this.acc.device(k);
      if (show.has(k) || routers.has(k)) {
        if (d !== undefined) devices.push(d);
      } else if (d !== undefined) devices.push(bare(d));
      // An address device a router not rebuilt makes: there, but not rebuilt.
      else if (this.ids.has(k)) devices.push(addressDevice(k));
    }
    const inv = inventoryFromPartial(
      {
        version: PARTIAL_VERSION,
        sources: [],
        devices,
        edges: [...edges.keys()].sort(cmp).map((k) => edges.get(k)!),
        // A device shows the names of its own addresses only.
        dns: this.acc.dnsOf(this.addressesOf(show)),
        edits: this.acc.editsOf(show),
        hearsay: [...plan.hearsay]
          .sort(cmp)
          .map((a) => this.acc.hearsayAbout(a))
          .filter((h) => h !== undefined),
      },
      { ...o, ids: this.qualified ? 'qualified' : 'local', only: show },
    );
    return { inv, edges: at };
  }

  /** A router's edges with parts by address: as a plan has it (a touched MAC), else as last rebuilt. */
  private partsOf(router: string, parts: Plan['parts']): PartsVia | undefined {
    const p = parts.get(router);
    return p !== undefined ? (p?.via ?? undefined) : this.viaParts.get(router);
  }

  /** The routers (now, with a plan's touched MACs) with edge parts through an address device's address. */
  private *routersVia(key: string, parts: Plan['parts']): Generator<string> {
    const ip = addressOf(key)!.ip;
    for (const r of this.partsTo.get(key) ?? []) if (!parts.has(r)) yield r;
    for (const [r, p] of parts) if (p !== null && p.via.has(ip) && siteOfKey(r) === siteOfKey(key)) yield r;
  }

  /**
   * One device as the last rebuild made it, made again with other options (its evidence, for a
   * details pane) from the records a rebuild of it alone reads, not from the whole merge. Undefined
   * for an id the last rebuild did not make; null where only a whole rebuild can tell (changes not
   * rebuilt yet, or a case that rebuilds everything).
   */
  details(id: string, o: Pick<FromPartialOptions, 'evidence' | 'identity'>): DeviceJson | null | undefined {
    const key = this.keyOfId.get(id);
    if (key === undefined) return undefined;
    if (this.full === 0 || this.acc.pending || this.acc.pruned !== this.pruned) return null;
    const plan = this.plan(new Set([key]), [], new Map());
    if (typeof plan === 'string') return null;
    return this.make(plan, { ...this.o, ...o }).inv.devices.find((d) => d.id === id) ?? null;
  }

  /** A rebuild's time and stats (as inventoryFromPartial gives them); the whole inventory to make again. */
  private stamp(): void {
    this.generatedAt = new Date().toISOString();
    this.stats = statsOf({ ...EMPTY, sources: this.acc.sourceList() }, this.devices.size, this.edges.size);
    this.whole = null;
  }

  /**
   * What to rebuild for these touched keys: them, the address devices whose share from a touched
   * router changed, and the routers that feed those; or why everything must be rebuilt instead.
   */
  private plan(
    touched: ReadonlySet<string>,
    heard: readonly string[],
    changedEdges: ReadonlyMap<string, PartialEdge | null>,
  ): Plan | FullReason {
    const show = new Set(touched);
    const moves = new Map<string, Moves>();
    const parts = new Map<string, { ends: string; via: PartsVia } | null>();
    /** Touched MACs whose parts may go elsewhere now (it starts or stops routing, or owning an address). */
    const reEnded: string[] = [];
    for (const k of touched) {
      const d = this.acc.device(k);
      if (d?.kind !== 'mac') continue;
      const { moves: now, ends } = routingOf(d);
      const was = this.moves.get(k);
      moves.set(k, now);
      if (ends !== (this.ends.get(k) ?? null)) reEnded.push(k);
      if (now === null && was === undefined) continue;
      parts.set(k, ends === null ? null : { ends, via: this.partsVia(k) });
      for (const [x, what] of now ?? []) if (was?.get(x) !== what) show.add(x);
      for (const x of was?.keys() ?? []) if (now?.has(x) !== true) show.add(x);
    }
    // An address device without a record of its own exists while a router feeds it (the untouched
    // routers as last rebuilt). A device that comes or goes changes the `via` of those naming it.
    const routing = [...moves].filter(([, m]) => m !== null) as [string, ReadonlyMap<string, string>][];
    const fed = (x: string) =>
      [...(this.feeders.get(x) ?? [])].some((r) => !moves.has(r)) || routing.some(([, m]) => m.has(x));
    const existsNow = (x: string) => this.acc.device(x) !== undefined || fed(x);
    // Where a part's end may go, before or after (endOf): the end itself, or, at a MAC that routes,
    // the device of the address it used; both are rebuilt, whichever it is.
    const routes = (k: string) => this.moves.has(k) || (moves.get(k) ?? null) !== null;
    const end = (k: string, via: string | null) => {
      show.add(k);
      if (via === null || !routes(k)) return;
      const x = `${siteOfKey(k)}/ip:${via}`;
      if (this.ids.has(x) || existsNow(x)) show.add(x);
    };
    const ends = (e: { a: string; b: string }, p: PartialEdgePart) => {
      end(e.a, p.viaA);
      end(e.b, p.viaB);
    };
    // Parts that changed, came or went (a join keeps a source's parts, but only the first
    // PARTIAL_LIMITS.partsPerEdge by key: a new one may push out another).
    for (const [k, before] of changedEdges) {
      const e = this.acc.edge(k);
      if (e === undefined) continue;
      const was = partsText(before);
      for (const [pk, { p, text }] of partsText(e)) {
        if (was.get(pk)?.text !== text) ends(e, p);
        was.delete(pk);
      }
      for (const { p } of was.values()) ends(e, p);
    }
    // Every part through an address of a MAC whose parts may go elsewhere now.
    for (const k of reEnded)
      for (const e of this.acc.edgesAt(k))
        for (const st of e.states)
          for (const p of st.parts ?? []) if ((e.a === k ? p.viaA : p.viaB) !== null) ends(e, p);
    for (const k of touched) this.noteVia(k);
    // An address device that comes or goes takes (or gives back) its routers' parts through it.
    for (const x of [...show]) {
      if (this.ids.has(x) === existsNow(x)) continue;
      for (const k of this.namedBy.get(x) ?? []) show.add(k);
      const a = addressOf(x);
      if (a === null) continue;
      for (const r of this.routersVia(x, parts))
        for (const ek of this.partsOf(r, parts)?.get(a.ip) ?? []) {
          const e = this.acc.edge(ek);
          for (const st of e?.states ?? [])
            for (const p of st.parts ?? []) if ((e!.a === r ? p.viaA : p.viaB) === a.ip) ends(e!, p);
        }
    }
    const hearsay = this.hearsayFor(show, heard);
    // Every router that feeds a shown address device, now.
    const routers = new Set<string>();
    const exists = new Set<string>();
    for (const x of show) {
      if (this.acc.device(x) !== undefined) exists.add(x);
      for (const r of this.feeders.get(x) ?? [])
        if (!moves.has(r)) {
          routers.add(r);
          exists.add(x);
        }
      for (const [r, m] of routing)
        if (m.has(x)) {
          routers.add(r);
          exists.add(x);
        }
    }
    // Ids: qualified when two devices would share one, before as after.
    let shared = this.shared;
    const delta = new Map<string, number>();
    for (const k of show) {
      const was = this.ids.has(k);
      if (was === exists.has(k)) continue;
      const local = this.acc.device(k)?.id ?? addressDevice(k).id;
      delta.set(local, (delta.get(local) ?? 0) + (was ? -1 : 1));
    }
    for (const [id, n] of delta) {
      const before = this.localIds.get(id) ?? 0;
      if (before > 1 !== before + n > 1) shared += before + n > 1 ? 1 : -1;
    }
    if (shared > 0 !== this.qualified) return 'ids';
    return { show, routers, moves, exists, shared, hearsay, parts };
  }

  /** A MAC's edges with parts through its addresses (its end's via), by address. */
  private partsVia(key: string): PartsVia {
    const out: PartsVia = new Map();
    for (const e of this.acc.edgesAt(key))
      for (const s of e.states)
        for (const p of s.parts ?? []) {
          const via = e.a === key ? p.viaA : p.viaB;
          if (via === null) continue;
          let ks = out.get(via);
          if (ks === undefined) out.set(via, (ks = new Set()));
          ks.add(edgeKey(e));
        }
    return out;
  }

  /** A MAC's parts as the plan found them (null: it does not route), in place of those before. */
  private index(key: string, now: { ends: string; via: PartsVia } | null): void {
    const site = siteOfKey(key);
    for (const ip of this.viaParts.get(key)?.keys() ?? []) {
      const x = `${site}/ip:${ip}`;
      const rs = this.partsTo.get(x);
      rs?.delete(key);
      if (rs?.size === 0) this.partsTo.delete(x);
    }
    if (now === null) {
      this.ends.delete(key);
      this.viaParts.delete(key);
      return;
    }
    this.ends.set(key, now.ends);
    this.viaParts.set(key, now.via);
    for (const ip of now.via.keys()) {
      const x = `${site}/ip:${ip}`;
      let rs = this.partsTo.get(x);
      if (rs === undefined) this.partsTo.set(x, (rs = new Set()));
      rs.add(key);
    }
  }

  /** Index an edge by its ends' keys if no edge record joins them (parts made it), or take it out. */
  private rekey(e: { a: string; b: string }, on: boolean): void {
    const a = this.keyOfId.get(e.a);
    const b = this.keyOfId.get(e.b);
    if (a === undefined || b === undefined) return;
    const id = edgeId(e);
    if (!on) {
      for (const k of [a, b]) {
        const ids = this.rekeyed.get(k);
        ids?.delete(id);
        if (ids?.size === 0) this.rekeyed.delete(k);
      }
      return;
    }
    if (this.acc.edge(edgeKey(a < b ? { a, b } : { a: b, b: a })) !== undefined) return;
    for (const k of [a, b]) {
      let ids = this.rekeyed.get(k);
      if (ids === undefined) this.rekeyed.set(k, (ids = new Set()));
      ids.add(id);
    }
  }

  /** Index the routers a device's record names (`via`): they are in its JSON while they exist. */
  private noteVia(key: string): void {
    for (const s of this.acc.device(key)?.states ?? [])
      for (const v of s.via) {
        let ks = this.namedBy.get(v);
        if (ks === undefined) this.namedBy.set(v, (ks = new Set()));
        ks.add(key);
      }
  }

  /**
   * The addresses (`site\nip`) whose hearsay the rebuild needs: those whose hearsay changed, and
   * those with hearsay waiting that a device to show holds (its record's addresses), held when last
   * shown, or is; every device holding one of them is added to `show`, and so on.
   */
  private hearsayFor(show: Set<string>, heard: readonly string[]): Set<string> {
    const out = new Set<string>();
    const pending: string[] = [];
    const add = (k: string) => {
      if (show.has(k)) return;
      show.add(k);
      pending.push(k);
    };
    const visit = (a: string) => {
      if (out.has(a)) return;
      out.add(a);
      for (const k of this.byAddress.get(a) ?? []) add(k);
      const [site, ip] = a.split('\n') as [string, string];
      const key = `${site}/ip:${ip}`;
      if (this.ids.has(key) || this.acc.device(key) !== undefined) add(key);
    };
    const waits = (site: string, ip: string) => {
      if (this.acc.hasHearsay(site, ip)) visit(`${site}\n${ip}`);
    };
    for (const a of heard) visit(a);
    pending.push(...show);
    for (let k = pending.pop(); k !== undefined; k = pending.pop()) {
      const d = this.acc.device(k);
      if (d?.kind === 'mac') for (const s of d.states) for (const u of s.ips) waits(d.site, u.ip);
      const a = addressOf(k);
      if (a !== null) waits(a.site, a.ip);
      const was = this.devices.get(k);
      for (const ip of was?.ips ?? []) waits(was!.site ?? '', ip);
    }
    return out;
  }

  /** The addresses (`site\nip`) the devices of these keys may show: their records', or their own. */
  private *addressesOf(keys: Iterable<string>): Generator<string> {
    for (const k of keys) {
      const d = this.acc.device(k);
      for (const s of d?.states ?? []) for (const u of s.ips) yield `${d!.site}\n${u.ip}`;
      const a = addressOf(k);
      if (a !== null) yield `${a.site}\n${a.ip}`;
    }
  }

  /** A device's id: the one it has, or the one it gets. */
  private idFor(key: string): string {
    const had = this.ids.get(key);
    if (had !== undefined) return had;
    const p = this.acc.device(key) ?? addressDevice(key);
    return this.qualified ? qualifiedId(p) : p.id;
  }

  /** Give a device that exists now its id, if it has none yet. */
  private name(key: string): void {
    if (this.ids.has(key)) return;
    const id = this.idFor(key);
    const local = this.acc.device(key)?.id ?? addressDevice(key).id;
    this.ids.set(key, id);
    this.keyOfId.set(id, key);
    this.localIds.set(local, (this.localIds.get(local) ?? 0) + 1);
  }

  /**
   * A device that no longer exists (an address device no router makes now): gone, with its id.
   * Returns the id it had in the inventory, or null if it was not there.
   */
  private forget(key: string): string | null {
    const id = this.ids.get(key);
    if (id === undefined) return null;
    const local = this.acc.device(key)?.id ?? addressDevice(key).id;
    const n = (this.localIds.get(local) ?? 1) - 1;
    if (n > 0) this.localIds.set(local, n);
    else this.localIds.delete(local);
    this.ids.delete(key);
    // Its id may already be another's, named in the same rebuild (an address at a second site).
    if (this.keyOfId.get(id) === key) this.keyOfId.delete(id);
    this.unindex(key);
    if (!this.devices.delete(key)) return null;
    this.deviceOrder.remove(key);
    return id;
  }

  /** What a MAC moves now, and to which address devices, in place of what it moved before. */
  private remember(key: string, now: Moves): void {
    for (const x of this.moves.get(key)?.keys() ?? []) {
      const fs = this.feeders.get(x);
      fs?.delete(key);
      if (fs?.size === 0) this.feeders.delete(x);
    }
    if (now === null) {
      this.moves.delete(key);
      return;
    }
    this.moves.set(key, now);
    for (const x of now.keys()) {
      let fs = this.feeders.get(x);
      if (fs === undefined) this.feeders.set(x, (fs = new Set()));
      fs.add(key);
    }
  }

  private unindex(key: string): void {
    const was = this.devices.get(key);
    for (const ip of was?.ips ?? []) {
      const a = `${was!.site}\n${ip}`;
      const ks = this.byAddress.get(a);
      ks?.delete(key);
      if (ks?.size === 0) this.byAddress.delete(a);
    }
  }

  /** A device's JSON now, its addresses indexed. */
  private show(key: string, d: DeviceJson): void {
    this.unindex(key);
    if (!this.devices.has(key)) this.deviceOrder.add(key);
    this.devices.set(key, d);
    for (const ip of d.ips) {
      const a = `${d.site}\n${ip}`;
      let ks = this.byAddress.get(a);
      if (ks === undefined) this.byAddress.set(a, (ks = new Set()));
      ks.add(key);
    }
  }

  private rebuildAll(why: FullReason): InventoryChanges {
    const before = { ids: this.ids, devices: this.devices, edges: this.edges };
    this.acc.hearsayChanged();
    this.acc.changedDns();
    this.acc.changedEdges();
    this.full++;
    this.fullBecause[why]++;
    const p = this.acc.partial();
    const made = { devices: [] as PartialDevice[], moved: new Map<string, Map<string, string>>() };
    const inv = inventoryFromPartial(p, { ...this.o, made });
    const { devices: list, moved } = made;
    this.ids = idsOf(list, 'auto');
    this.keyOfId = new Map([...this.ids].map(([k, id]) => [id, k]));
    this.localIds = new Map();
    for (const d of list) this.localIds.set(d.id, (this.localIds.get(d.id) ?? 0) + 1);
    this.shared = [...this.localIds.values()].filter((n) => n > 1).length;
    this.qualified = this.shared > 0;
    this.moves = new Map();
    this.feeders = new Map();
    for (const [k, m] of moved) this.remember(k, m);
    this.ends = new Map();
    this.viaParts = new Map();
    this.partsTo = new Map();
    for (const k of moved.keys()) {
      const { ends } = routingOf(this.acc.device(k)!);
      this.index(k, { ends: ends!, via: this.partsVia(k) });
    }
    this.namedBy = new Map();
    for (const d of p.devices) this.noteVia(d.key);
    this.devices = new Map();
    this.byAddress = new Map();
    for (const d of inv.devices) this.show(this.keyOfId.get(d.id)!, d);
    this.edges = new Map(inv.edges.map((e) => [edgeId(e), e]));
    this.rekeyed = new Map();
    for (const e of inv.edges) this.rekey(e, true);
    this.pruned = this.acc.pruned;
    // inventoryFromPartial gives devices by id and edges by ends: the order, as it is.
    this.deviceOrder.reset(inv.devices.map((d) => this.keyOfId.get(d.id)!));
    this.edgeOrder.reset([...this.edges.keys()]);
    this.generatedAt = inv.generatedAt;
    this.stats = inv.stats;
    this.whole = inv;
    // What changed is everything, against what there was.
    const now = new Set(inv.devices.map((d) => d.id));
    const renamed: [string, string][] = [];
    for (const [k, id] of this.ids) {
      const old = before.ids.get(k);
      if (old !== undefined && old !== id) renamed.push([old, id]);
    }
    return {
      full: why,
      generatedAt: inv.generatedAt,
      stats: inv.stats,
      devices: [...inv.devices],
      removed: [...before.devices.values()]
        .map((d) => d.id)
        .filter((id) => !now.has(id))
        .sort(cmp),
      edges: [...inv.edges],
      edgesRemoved: [...before.edges]
        .filter(([id]) => !this.edges.has(id))
        .map(([, { a, b }]) => ({ a, b }))
        .sort(byEnds),
      moved: renamed,
    };
  }
}
