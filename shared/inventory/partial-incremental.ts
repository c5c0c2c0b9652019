/**
 * The inventory of a PartialAccumulator kept up to date by rebuilding only the devices (and their
 * edges) that the deltas since the last rebuild touched: the same result as inventoryFromPartial of
 * the whole merge, at the cost of what changed. A device's JSON depends on its own merged record, its
 * edits, the edges that join it (classification reads its peers' protocols) and its id; an edge's on
 * its states and its ends' ids. Where one device's change can alter another's output, it rebuilds
 * everything instead:
 * - a new device whose local id another device already has (ids then become qualified: docs/schema.md),
 * - a touched device that is or was a router, or an address behind one (routers are decided on the
 *   combined addresses and make devices of their own),
 * - a pruning at the merge's caps (devices or edges were dropped),
 * - hearsay that changed, or that waits on an address a touched device holds (it attaches to
 *   whichever device holds the address),
 * - and the first rebuild.
 */
import { INVENTORY_SCHEMA, type DeviceJson, type EdgeJson, type InventoryJson } from '../model/inventory';
import type { PartialAccumulator } from './partial-accumulator';
import {
  inventoryFromPartial,
  partialDeviceIds,
  qualifiedId,
  type FromPartialOptions,
} from './partial-inventory';
import { combine, decideRouters, type Combined } from './partial-combine';
import { cmp } from './partial-merge';
import { statsOf } from './partial-stats';
import {
  PARTIAL_VERSION,
  type PartialDevice,
  type PartialEdge,
  type PartialInventory,
} from './partial-types';

export type IncrementalOptions = Omit<FromPartialOptions, 'ids' | 'local' | 'generatedAt'>;

const edgeId = (e: { a: string; b: string }) => `${e.a}\n${e.b}`;

export class IncrementalInventory {
  /** Each device's JSON by its partial key, and its id. */
  private devices = new Map<string, DeviceJson>();
  private edges = new Map<string, EdgeJson>();
  /** Each device's id by its key, and how many devices have each local id. */
  private ids = new Map<string, string>();
  private localIds = new Map<string, number>();
  private qualified = false;
  /** Keys of routers and of the addresses behind them, as the last full rebuild decided. */
  private routerish = new Set<string>();
  /** Device keys by `site\nip` of their addresses (as last shown), for changed DNS names. */
  private byAddress = new Map<string, Set<string>>();
  private pruned = -1;
  /** Rebuilds done in full, and incrementally (for tests and the benchmark). */
  full = 0;
  partial = 0;

  constructor(
    private readonly acc: PartialAccumulator,
    private readonly o: IncrementalOptions,
  ) {}

  /** Each device's id by its partial key, as of the last rebuild. */
  get deviceIds(): ReadonlyMap<string, string> {
    return this.ids;
  }

  /** The merged inventory now: only what acc.changed() names is rebuilt, unless a case above needs all. */
  rebuild(): InventoryJson {
    const keys = new Set(this.acc.changed());
    for (const a of this.acc.changedDns()) for (const k of this.byAddress.get(a) ?? []) keys.add(k);
    if (this.acc.hearsayChanged() || !this.canFollow(keys)) return this.rebuildAll();
    this.partial++;
    const devices: PartialDevice[] = [];
    const edges = new Map<string, PartialEdge>();
    const near = new Set<string>(keys);
    for (const k of keys) {
      for (const e of this.acc.edgesAt(k)) {
        edges.set(edgeId(e), e);
        near.add(e.a);
        near.add(e.b);
      }
    }
    for (const k of [...near].sort(cmp)) {
      const d = this.acc.device(k);
      if (d !== undefined) devices.push(d);
    }
    const inv = inventoryFromPartial(
      {
        version: PARTIAL_VERSION,
        sources: [],
        devices,
        edges: [...edges.keys()].sort(cmp).map((k) => edges.get(k)!),
        dns: this.acc.dnsNames(),
        edits: this.acc.editsOf(keys),
      },
      { ...this.o, ids: this.qualified ? 'qualified' : 'local' },
    );
    const byId = new Map(inv.devices.map((d) => [d.id, d]));
    for (const k of keys) {
      const id = this.ids.get(k) ?? this.idOf(k);
      const d = byId.get(id);
      if (d !== undefined) this.show(k, d);
    }
    for (const e of inv.edges) {
      const a = this.keyOfId.get(e.a);
      const b = this.keyOfId.get(e.b);
      if ((a !== undefined && keys.has(a)) || (b !== undefined && keys.has(b))) this.edges.set(edgeId(e), e);
    }
    return this.result();
  }

  private keyOfId = new Map<string, string>();

  private idOf(key: string): string {
    const d = this.acc.device(key)!;
    const id = this.qualified ? qualifiedId(d) : d.id;
    this.ids.set(key, id);
    this.keyOfId.set(id, key);
    this.localIds.set(d.id, (this.localIds.get(d.id) ?? 0) + 1);
    return id;
  }

  /** A device's JSON now, its addresses indexed. */
  private show(key: string, d: DeviceJson): void {
    const was = this.devices.get(key);
    for (const ip of was?.ips ?? []) this.byAddress.get(`${was!.site}\n${ip}`)?.delete(key);
    this.devices.set(key, d);
    for (const ip of d.ips) {
      const a = `${d.site}\n${ip}`;
      let ks = this.byAddress.get(a);
      if (ks === undefined) this.byAddress.set(a, (ks = new Set()));
      ks.add(key);
    }
  }

  /** Whether the touched devices can be rebuilt alone (see the cases above). */
  private canFollow(touched: Iterable<string>): boolean {
    if (this.acc.pruned !== this.pruned) return false;
    for (const k of touched) {
      if (this.routerish.has(k)) return false;
      const d = this.acc.device(k);
      if (d === undefined) return false;
      if (!this.ids.has(k) && !this.qualified && this.localIds.has(d.id)) return false;
      if (this.holdsHearsay(d)) return false;
      // A device that would now be a router changes the addresses behind it.
      const c = combine(d);
      const one = new Map<string, Combined>([[k, c]]);
      decideRouters(one);
      if (c.router || one.size > 1) return false;
    }
    return true;
  }

  private holdsHearsay(d: PartialDevice): boolean {
    if (d.kind === 'ip') return this.acc.hasHearsay(d.site, d.id.slice(3));
    return d.states.some((s) => s.ips.some((u) => this.acc.hasHearsay(d.site, u.ip)));
  }

  private rebuildAll(): InventoryJson {
    this.acc.hearsayChanged();
    this.full++;
    const p = this.acc.partial();
    const inv = inventoryFromPartial(p, this.o);
    this.ids = partialDeviceIds(p);
    this.keyOfId = new Map([...this.ids].map(([k, id]) => [id, k]));
    this.localIds = new Map();
    for (const d of p.devices) this.localIds.set(d.id, (this.localIds.get(d.id) ?? 0) + 1);
    this.qualified = [...this.localIds.values()].some((n) => n > 1);
    const all = new Map<string, Combined>();
    for (const d of p.devices) all.set(d.key, combine(d));
    decideRouters(all);
    this.routerish = new Set([...all.values()].filter((c) => c.router || c.routed).map((c) => c.p.key));
    this.devices = new Map();
    this.byAddress = new Map();
    // Addresses behind routers have no partial record of their own: keyed by id, they are routerish.
    for (const d of inv.devices) this.show(this.keyOfId.get(d.id) ?? `\u0000${d.id}`, d);
    this.edges = new Map(inv.edges.map((e) => [edgeId(e), e]));
    this.acc.changedDns();
    this.pruned = this.acc.pruned;
    return inv;
  }

  private result(): InventoryJson {
    const devices = [...this.devices.values()].sort((x, y) => cmp(x.id, y.id));
    const edges = [...this.edges.values()].sort((x, y) => cmp(x.a, y.a) || cmp(x.b, y.b));
    const p: PartialInventory = {
      version: PARTIAL_VERSION,
      sources: this.acc.sourceList(),
      devices: [],
      edges: [],
      dns: [],
      edits: [],
    };
    return {
      schema: INVENTORY_SCHEMA,
      generatedAt: new Date().toISOString(),
      stats: statsOf(p, devices.length, edges.length),
      devices,
      edges,
    };
  }
}
