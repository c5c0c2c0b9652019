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
  joinDevice,
  joinDns,
  joinEdge,
  newerEdit,
  newerSource,
} from './partial-merge';
import { MERGED_LIMITS } from './partial-limits';
import {
  PARTIAL_VERSION,
  type PartialDevice,
  type PartialDnsName,
  type PartialEdge,
  type PartialEdit,
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
    for (const k of keys.slice(this.cap)) this.map.delete(k);
    this.floor = keys[this.cap - 1] ?? null;
  }

  sorted(): V[] {
    return [...this.map.entries()]
      .sort((p, q) => cmp(p[0], q[0]))
      .slice(0, this.cap)
      .map((e) => e[1]);
  }
}

export class PartialAccumulator {
  private readonly sources = new Capped<PartialSourceInfo>(MERGED_LIMITS.sources, newerSource);
  private readonly devices = new Capped<PartialDevice>(MERGED_LIMITS.devices, joinDevice);
  private readonly edges = new Capped<PartialEdge>(MERGED_LIMITS.edges, joinEdge);
  private readonly dns = new Capped<PartialDnsName>(MERGED_LIMITS.dnsAddresses, joinDns);
  private readonly edits = new Capped<PartialEdit>(MERGED_LIMITS.edits, newerEdit);
  /** Device keys changed by add() since changed() was last read. */
  private readonly dirty = new Set<string>();

  /** Join a (checked, canonical: see parsePartial) partial in. */
  add(p: PartialInventory): void {
    for (const s of p.sources) this.sources.add(s.source, s);
    for (const d of p.devices) if (this.devices.add(d.key, d)) this.dirty.add(d.key);
    for (const e of p.edges)
      if (this.edges.add(edgeKey(e), e)) {
        this.dirty.add(e.a);
        this.dirty.add(e.b);
      }
    for (const n of p.dns) this.dns.add(dnsKey(n), n);
    for (const e of p.edits) if (this.edits.add(editKey(e), e)) this.dirty.add(e.device);
  }

  /** Keys of devices whose facts, edges or edits changed since the last call. */
  changed(): string[] {
    const out = [...this.dirty].sort(cmp);
    this.dirty.clear();
    return out;
  }

  get size(): number {
    return this.devices.map.size;
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
    };
  }
}
