/**
 * A merge that stays open: partials (a console's stream of sensor deltas) are joined into it one by
 * one at the cost of what each holds, not of everything merged so far, as mergePartials would cost.
 * Same rules as mergePartials (partial-merge.ts): what it holds equals mergeAll of what it was given,
 * in any order, with replays changing nothing.
 */
import {
  cmp,
  dnsKey,
  edgeKey,
  editKey,
  hearsayKey,
  joinDevice,
  joinHearsay,
  joinDns,
  joinEdge,
  newerEdit,
  newerSource,
} from './partial-merge';
import { MERGED_LIMITS } from './partial-limits';
import { RecordInterner } from './partial-intern';
import {
  PARTIAL_VERSION,
  type PartialDevice,
  type PartialDnsName,
  type PartialEdge,
  type PartialEdit,
  type PartialHearsay,
  type PartialInventory,
  type PartialSourceInfo,
} from './partial-types';

/**
 * Entries by key, joined, keeping the `cap` smallest keys as mergePartials does. Held up to a tenth
 * over the cap between prunings; once pruned, a key above the largest kept can never be among the
 * smallest again and is refused at once.
 */
export class Capped<V> {
  readonly map = new Map<string, V>();
  private floor: string | null = null;
  /** Prunings so far: entries were dropped, so what was built from them may be gone. */
  pruned = 0;
  /** Told each key a pruning drops (a checkpoint deletes its row). */
  onDrop: ((key: string) => void) | null = null;

  constructor(
    private readonly cap: number,
    private readonly join: (x: V, y: V) => V,
  ) {}

  /** False when the entry is past the cap (not kept). */
  add(key: string, v: V): boolean {
    const had = this.map.get(key);
    if (had !== undefined) {
      this.map.set(key, this.join(had, v));
      return true;
    }
    if (this.floor !== null && this.map.size >= this.cap && key > this.floor) return false;
    this.map.set(key, v);
    if (this.map.size > this.cap + Math.ceil(this.cap / 10)) this.prune();
    return true;
  }

  private prune(): void {
    const keys = [...this.map.keys()].sort(cmp);
    for (const k of keys.slice(this.cap)) {
      this.map.delete(k);
      this.onDrop?.(k);
    }
    this.pruned++;
    this.floor = keys[this.cap - 1] ?? null;
  }

  /** Whether every entry held is among the `cap` kept (sorted() gives them all). */
  get within(): boolean {
    return this.map.size <= this.cap;
  }

  sorted(): V[] {
    return [...this.map.entries()]
      .sort((p, q) => cmp(p[0], q[0]))
      .slice(0, this.cap)
      .map((e) => e[1]);
  }
}

/** The kinds of record a merge holds: a checkpoint keeps one row per record (src-main/store). */
export const RECORD_KINDS = ['source', 'device', 'edge', 'dns', 'edit', 'hearsay'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export interface AccumulatorOptions {
  /**
   * Track the records added, changed or dropped since unsaved() was last read (a console with a
   * store writes only those at each checkpoint). Off, nothing is kept for it.
   */
  unsaved?: boolean;
}

/** Whether some part of an edge went through an address (it may go to that address's device). */
const throughAddress = (e: PartialEdge | null): boolean =>
  e !== null && e.states.some((s) => s.parts?.some((p) => p.viaA !== null || p.viaB !== null) === true);

export class PartialAccumulator {
  private readonly sources = new Capped<PartialSourceInfo>(MERGED_LIMITS.sources, newerSource);
  private readonly devices = new Capped<PartialDevice>(MERGED_LIMITS.devices, joinDevice);
  private readonly edges = new Capped<PartialEdge>(MERGED_LIMITS.edges, joinEdge);
  private readonly dns = new Capped<PartialDnsName>(MERGED_LIMITS.dnsAddresses, joinDns);
  private readonly edits = new Capped<PartialEdit>(MERGED_LIMITS.edits, newerEdit);
  /** Device keys changed by add() since changed() was last read. */
  private readonly dirty = new Set<string>();
  /**
   * Edges with parts through an address (PartialEdgePart.via) changed by add() since changedEdges()
   * was last read, each as it was before (null: new): an incremental rebuild compares their parts,
   * which may go elsewhere. Null until trackEdges(): a merge that nobody rebuilds keeps none.
   */
  private dirtyEdges: Map<string, PartialEdge | null> | null = null;
  /** Edge keys by each device key they join: what an incremental rebuild of one device needs. */
  private readonly edgesBy = new Map<string, Set<string>>();
  /** DNS names (site and address) changed by add() since changedDns() was last read. */
  private readonly dirtyDns = new Set<string>();
  /** Edit keys by the device key they edit. */
  private readonly editsBy = new Map<string, Set<string>>();
  private readonly hearsay = new Capped<PartialHearsay>(MERGED_LIMITS.hearsay, joinHearsay);
  /** Hearsay (site and address) changed by add() since hearsayChanged() was last read. */
  private readonly hearsayMoved = new Set<string>();
  /** Per kind, keys of records changed or dropped since unsaved() was last read; null: not tracked. */
  private readonly notSaved: Record<RecordKind, Set<string>> | null;
  /** The records of each kind (a checkpoint reads them by kind). */
  private readonly byKind: Record<RecordKind, Capped<object>> = {
    source: this.sources,
    device: this.devices,
    edge: this.edges,
    dns: this.dns,
    edit: this.edits,
    hearsay: this.hearsay,
  } as unknown as Record<RecordKind, Capped<object>>;
  /** Shares what repeats across the records held (their strings, references and empty lists). */
  private readonly interner = new RecordInterner((k) => this.devices.map.get(k)?.key);

  constructor(o: AccumulatorOptions = {}) {
    this.notSaved = null;
    if (o.unsaved !== true) return;
    const n = (this.notSaved = {
      source: new Set<string>(),
      device: new Set<string>(),
      edge: new Set<string>(),
      dns: new Set<string>(),
      edit: new Set<string>(),
      hearsay: new Set<string>(),
    });
    for (const k of RECORD_KINDS) this.held(k).onDrop = (key) => n[k].add(key);
  }

  private held(kind: RecordKind): Capped<object> {
    return this.byKind[kind];
  }

  /**
   * Join a (checked, canonical: see parsePartial) partial in. Its records may be kept as they are,
   * with strings, device references and empty lists replaced by equal shared ones (RecordInterner).
   */
  add(p: PartialInventory): void {
    const u = this.notSaved;
    const i = this.interner;
    for (const s of p.sources) if (this.sources.add(s.source, s)) u?.source.add(s.source);
    for (const d of p.devices)
      if (this.keep(this.devices, d.key, d, (x, fresh) => i.device(x, fresh))) {
        this.dirty.add(d.key);
        u?.device.add(d.key);
      }
    for (const e of p.edges) {
      const k = edgeKey(e);
      const dirty = this.dirtyEdges;
      const had = dirty === null || dirty.has(k) ? null : (this.edges.map.get(k) ?? null);
      if (!this.keep(this.edges, k, e, (x) => i.edge(x))) continue;
      if (dirty !== null && !dirty.has(k) && (throughAddress(had) || throughAddress(e))) dirty.set(k, had);
      u?.edge.add(k);
      this.dirty.add(e.a);
      this.dirty.add(e.b);
      for (const end of [e.a, e.b]) {
        let ks = this.edgesBy.get(end);
        if (ks === undefined) this.edgesBy.set(end, (ks = new Set()));
        ks.add(k);
      }
    }
    for (const n of p.dns) {
      // A replay of known names changes nothing: only a real change counts.
      const k = dnsKey(n);
      const had = this.dns.map.get(k);
      const before = had === undefined ? null : JSON.stringify(had);
      if (this.keep(this.dns, k, n, (x) => i.dns(x)) && JSON.stringify(this.dns.map.get(k)) !== before) {
        this.dirtyDns.add(k);
        u?.dns.add(k);
      }
    }
    for (const e of p.edits) {
      const k = editKey(e);
      if (!this.keep(this.edits, k, e, (x) => i.edit(x))) continue;
      u?.edit.add(k);
      this.dirty.add(e.device);
      let ks = this.editsBy.get(e.device);
      if (ks === undefined) this.editsBy.set(e.device, (ks = new Set()));
      ks.add(k);
    }
    for (const h of p.hearsay ?? []) {
      const k = hearsayKey(h);
      const had = this.hearsay.map.get(k);
      const before = had === undefined ? null : JSON.stringify(had);
      if (
        this.keep(this.hearsay, k, h, (x, fresh) => i.hearsay(x, fresh)) &&
        JSON.stringify(this.hearsay.map.get(k)) !== before
      ) {
        this.hearsayMoved.add(k);
        u?.hearsay.add(k);
      }
    }
  }

  /**
   * Capped.add of a record interned as given (`fresh`), then of its join with the one held, if it
   * was joined (whose new lists and states are the join's own).
   */
  private keep<V>(c: Capped<V>, key: string, v: V, intern: (v: V, fresh: boolean) => void): boolean {
    intern(v, true);
    if (!c.add(key, v)) return false;
    const held = c.map.get(key);
    if (held !== undefined && held !== v) intern(held, false);
    return true;
  }

  /**
   * Sites and addresses (`site\nip`) whose hearsay changed since the last call (it attaches to
   * whichever device holds its address).
   */
  hearsayChanged(): string[] {
    const out = [...this.hearsayMoved];
    this.hearsayMoved.clear();
    return out;
  }

  /** The hearsay about an address of a site (`site\nip`), as merged so far. */
  hearsayAbout(k: string): PartialHearsay | undefined {
    return this.hearsay.map.get(k);
  }

  /** Whether some source's hearsay about this address of this site still waits for a device to claim it. */
  hasHearsay(site: string, ip: string): boolean {
    const h = this.hearsay.map.get(`${site}\n${ip}`);
    return h !== undefined && h.states.some((s) => !s.claimed && s.facts.length > 0);
  }

  /** Whether add() changed anything changed(), changedDns() or hearsayChanged() has not read yet. */
  get pending(): boolean {
    return this.dirty.size > 0 || this.dirtyDns.size > 0 || this.hearsayMoved.size > 0;
  }

  /** Keys of devices whose facts, edges or edits changed since the last call. */
  changed(): string[] {
    const out = [...this.dirty].sort(cmp);
    this.dirty.clear();
    return out;
  }

  /** From now on, keep what changedEdges() gives. */
  trackEdges(): void {
    this.dirtyEdges ??= new Map();
  }

  /**
   * Edges with parts through an address changed since the last call (see trackEdges), by key, each
   * with what it was before (null: it is new).
   */
  changedEdges(): Map<string, PartialEdge | null> {
    const out = this.dirtyEdges ?? new Map<string, PartialEdge | null>();
    if (this.dirtyEdges !== null) this.dirtyEdges = new Map();
    return out;
  }

  /** Prunings of devices, edges, edits and hearsay so far (an incremental rebuild cannot follow one). */
  get pruned(): number {
    return this.devices.pruned + this.edges.pruned + this.edits.pruned + this.hearsay.pruned;
  }

  /** One device as merged so far. */
  device(key: string): PartialDevice | undefined {
    return this.devices.map.get(key);
  }

  /** One edge as merged so far, by its key (edgeKey). */
  edge(key: string): PartialEdge | undefined {
    return this.edges.map.get(key);
  }

  /** The edges (as merged so far) that join this device to another. */
  edgesAt(key: string): PartialEdge[] {
    const out: PartialEdge[] = [];
    for (const k of this.edgesBy.get(key) ?? []) {
      const e = this.edges.map.get(k);
      if (e !== undefined) out.push(e);
    }
    return out;
  }

  /** The edits (as merged so far) of these devices (one per device and field: in no set order). */
  editsOf(keys: ReadonlySet<string>): PartialEdit[] {
    const out: PartialEdit[] = [];
    for (const d of keys)
      for (const k of this.editsBy.get(d) ?? []) {
        const e = this.edits.map.get(k);
        if (e !== undefined) out.push(e);
      }
    return out;
  }

  /** DNS names and sources in canonical order (as partial() gives them). */
  dnsNames(): PartialDnsName[] {
    return this.dns.sorted();
  }

  /**
   * The DNS names of these addresses (`site\nip`), in canonical order: those partial() gives (all
   * of them, past the cap until a pruning drops some).
   */
  dnsOf(addresses: Iterable<string>): PartialDnsName[] {
    const want = [...new Set(addresses)].sort(cmp);
    if (!this.dns.within) {
      const w = new Set(want);
      return this.dnsNames().filter((n) => w.has(dnsKey(n)));
    }
    const out: PartialDnsName[] = [];
    for (const a of want) {
      const n = this.dns.map.get(a);
      if (n !== undefined) out.push(n);
    }
    return out;
  }

  sourceList(): PartialSourceInfo[] {
    return this.sources.sorted();
  }

  /** Sites and addresses (`site\nip`) whose DNS names changed since the last call. */
  changedDns(): string[] {
    const out = [...this.dirtyDns];
    this.dirtyDns.clear();
    return out;
  }

  get size(): number {
    return this.devices.map.size;
  }

  /**
   * Per kind, the keys of records added, changed or dropped since the last call (with `unsaved`
   * on; else none): a checkpoint writes what record() gives for each, or deletes it when none.
   */
  unsaved(): Map<RecordKind, string[]> {
    const out = new Map<RecordKind, string[]>();
    const n = this.notSaved;
    if (n === null) return out;
    for (const k of RECORD_KINDS) {
      if (n[k].size > 0) out.set(k, [...n[k]]);
      n[k].clear();
    }
    return out;
  }

  /** Count these records as not saved again (a checkpoint must write or delete them). */
  markUnsaved(kind: RecordKind, keys: Iterable<string>): void {
    const n = this.notSaved?.[kind];
    if (n !== undefined) for (const k of keys) n.add(k);
  }

  /** One record as merged so far, by kind and key (see unsaved()). */
  record(kind: RecordKind, key: string): object | undefined {
    return this.held(kind).map.get(key);
  }

  /** The keys of every record of a kind held. */
  keys(kind: RecordKind): IterableIterator<string> {
    return this.held(kind).map.keys();
  }

  /** Everything joined so far, as one canonical partial (what mergeAll would give). */
  partial(): PartialInventory {
    return {
      version: PARTIAL_VERSION,
      sources: this.sources.sorted(),
      devices: this.devices.sorted(),
      edges: this.edges.sorted(),
      dns: this.dns.sorted(),
      edits: this.edits.sorted(),
      ...(this.hearsay.map.size > 0 ? { hearsay: this.hearsay.sorted() } : {}),
    };
  }
}
