import type { Observation } from '../model/observation';
import type { Fact } from './evidence';
import type { Edge } from './inventory';
import type { EdgeTraffic } from './partial-types';
import { StackMemo } from './stack-memo';

/**
 * Part of an edge: the frames between its ends that went through one share of each end (null: an
 * end that keeps none, being a router or an address device), with when and the innermost protocols.
 * `a` is the edge's `a`. An edge with parts is their sum.
 */
export interface EdgePart extends EdgeTraffic {
  sa: Share | null;
  sb: Share | null;
  /** A few names: an array costs less than a set, per edge. */
  protocols: string[];
  /**
   * The innermost protocols of the last two frames through it (or ''), which `protocols` holds unless
   * silent (names are never taken out of it): most frames repeat one, and the list is not read.
   */
  lastProto: string;
  prevProto: string;
  /**
   * When it began, as Inventory.born stamps (the edge's own when they began in one frame, else last
   * of its frame): the edge it moves to is made then, so workers that number frames alike agree.
   */
  born: number;
}

/** A fact as heard through one share: its first observation, how often, when, and in which order. */
export interface FactPart {
  obs: Observation;
  count: number;
  first: number;
  last: number;
  /** The inventory's attach counter when first heard: the order one device's facts are listed in. */
  seq: number;
}

/** Facts kept per share, as Evidence keeps per device. */
const MAX_FACT_PARTS = 512;

/** Share numbers stay below this, so two make one exact number (an edge part's key). */
export const SHARE_IDS = 2 ** 26;

/**
 * One part of a MAC device's edges, protocols and facts, kept while it is not known to route: either
 * what went through one of its addresses (sent from it, sent to it, said of it), which moves to that
 * address's own device if the MAC turns out to route, as the address's counters do; or (`address`
 * null) what stays the MAC's whatever it turns out to be: frames without an address, and addresses it
 * owns by ARP or that are link-local. A router's device then holds what one analysis gives when it is
 * known to route from the start: the first remote servers' fingerprints, roles and edges are theirs,
 * not the gateway's. Partials carry the parts of MACs their source did not call routers, so a merge
 * that finds one routing moves them as well (partial-combine.ts).
 */
export class Share {
  /** Edges with parts through it. */
  readonly edges = new Set<Edge>();
  readonly protocols = new Set<string>();
  /** The protocol stacks of the last frames sent through it, to skip re-adding the same names. */
  readonly stacks = new StackMemo();
  /** By the device's own fact (Evidence), which names it without building its key. */
  readonly facts = new Map<Fact, FactPart>();

  constructor(
    /** Numbered from 1 per inventory (see SHARE_IDS). */
    readonly id: number,
    /** The address, keyed as Device.ip4 (IPv4) or as text (IPv6); null for what stays the MAC's. */
    readonly address: number | string | null,
  ) {}

  fact(k: Fact, o: Observation, count: number, first: number, last: number, seq: number): void {
    const f = this.facts.get(k);
    if (f !== undefined) {
      f.count += count;
      if (first < f.first) f.first = first;
      if (last > f.last) f.last = last;
    } else if (this.facts.size < MAX_FACT_PARTS) this.facts.set(k, { obs: o, count, first, last, seq });
  }

  /** The facts and protocols of `other` added to this one (an address the MAC proved its own by ARP). */
  absorbFacts(other: Share): void {
    for (const p of other.protocols) this.protocols.add(p);
    this.stacks.clear();
    for (const [k, f] of other.facts) {
      const mine = this.facts.get(k);
      if (mine === undefined) {
        if (this.facts.size < MAX_FACT_PARTS) this.facts.set(k, f);
        continue;
      }
      mine.count += f.count;
      if (f.first < mine.first) mine.first = f.first;
      if (f.last > mine.last) mine.last = f.last;
      if (f.seq < mine.seq) {
        mine.seq = f.seq;
        mine.obs = f.obs;
      }
    }
  }

  /** The facts in the order first heard. */
  factsInOrder(): FactPart[] {
    return [...this.facts.values()].sort((x, y) => x.seq - y.seq);
  }
}

/** Another part's frames added to `to` (both with `a` on the same end). */
export function addPart(to: EdgePart, p: EdgePart, flip: boolean): void {
  addTraffic(to, p, flip);
  for (const x of p.protocols) if (!to.protocols.includes(x)) to.protocols.push(x);
  if (p.born < to.born) to.born = p.born;
}

export function emptyPart(sa: Share | null, sb: Share | null, born = Infinity): EdgePart {
  return { sa, sb, ...noTraffic(), protocols: [], lastProto: '', prevProto: '', born };
}

/** Nothing carried yet. */
export const noTraffic = (): EdgeTraffic => ({
  packetsAtoB: 0,
  packetsBtoA: 0,
  bytesAtoB: 0,
  bytesBtoA: 0,
  first: Infinity,
  last: -Infinity,
});

/** What `from` carried added to `to` (`flip`: `from`'s `a` is `to`'s `b`). */
export function addTraffic(to: EdgeTraffic, from: EdgeTraffic, flip: boolean): void {
  to.packetsAtoB += flip ? from.packetsBtoA : from.packetsAtoB;
  to.packetsBtoA += flip ? from.packetsAtoB : from.packetsBtoA;
  to.bytesAtoB += flip ? from.bytesBtoA : from.bytesAtoB;
  to.bytesBtoA += flip ? from.bytesAtoB : from.bytesBtoA;
  if (from.first < to.first) to.first = from.first;
  if (from.last > to.last) to.last = from.last;
}

/** An edge's parts: the first in place (most edges only ever have one), any others in a map. */
export interface Parted {
  part: EdgePart | null;
  /** The first part's key (partKey), -1 with none. */
  partKey: number;
  parts: Map<number, EdgePart> | null;
}

export function findPart(e: Parted, k: number): EdgePart | undefined {
  if (e.partKey === k) return e.part!;
  return e.parts === null ? undefined : e.parts.get(k);
}

export function putPart(e: Parted, k: number, p: EdgePart): void {
  if (e.part === null) {
    e.part = p;
    e.partKey = k;
  } else (e.parts ??= new Map()).set(k, p);
}

export function partList(e: Parted): EdgePart[] {
  const out = e.part === null ? [] : [e.part];
  if (e.parts !== null) for (const p of e.parts.values()) out.push(p);
  return out;
}

/** Take out the parts `take` picks, and return them. */
export function takeParts(e: Parted, take: (p: EdgePart) => boolean): EdgePart[] {
  const all = partList(e);
  const out: EdgePart[] = [];
  e.part = null;
  e.partKey = -1;
  e.parts = null;
  for (const p of all)
    if (take(p)) out.push(p);
    else putPart(e, partKey(p.sa, p.sb), p);
  return out;
}

export const partKey = (sa: Share | null, sb: Share | null): number =>
  (sa?.id ?? 0) * SHARE_IDS + (sb?.id ?? 0);
