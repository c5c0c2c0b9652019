import type { Device, Inventory } from '../inventory/inventory';
import type { DeviceJson } from '../model/inventory';
import { applyClassification, type ClassifiedDeviceJson } from './apply';
import { classify, type Classification } from './classify';
import type { CompiledRule } from './compile';
import { factsOf, type PeerIndex } from './facts';

/** What a device's classification was made from (see Classifier.classify), and that classification. */
interface Stamped {
  facts: number;
  dropped: number;
  served: number;
  protocols: number;
  router: boolean;
  rx4: number;
  rx6: number;
  ip4: number;
  ip6: number;
  peers: Record<string, number> | undefined;
  c: Classification;
}

/** Whether what rules read of `d` is as it was when `s` was made. */
function sameInputs(s: Stamped, d: Device, p: Record<string, number> | undefined): boolean {
  const ev = d.evidence;
  return (
    s.facts === ev.facts.size &&
    s.dropped === ev.dropped &&
    s.served === d.servedTcp.size &&
    s.protocols === d.protocols.size &&
    s.router === d.router &&
    s.rx4 === (d.rx4?.size ?? 0) &&
    s.rx6 === (d.rx6?.size ?? 0) &&
    s.ip4 === d.ip4.size &&
    s.ip6 === d.ip6.size &&
    samePeers(s.peers, p)
  );
}

/** Equal peer counts per protocol (a record rebuilt with the same counts is the same). */
function samePeers(a: Record<string, number> | undefined, b: Record<string, number> | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/**
 * Classification for a live inventory: classifies a device again only when something rules read
 * changed (a new distinct fact, a new served port or protocol, the router flag, its peers), so a
 * snapshot of thousands of devices costs a map lookup per unchanged device.
 */
export class Classifier {
  private readonly cache = new WeakMap<Device, Stamped>();

  constructor(readonly rules: readonly CompiledRule[]) {}

  classify(d: Device, inv: Inventory, peers?: PeerIndex): Classification {
    const p = peers?.get(d);
    const hit = this.cache.get(d);
    if (hit !== undefined && sameInputs(hit, d, p)) return hit.c;
    const c = classify(factsOf(d, inv, peers), this.rules);
    const ev = d.evidence;
    // Numbers and the peers' record as they were, compared one by one on the next call: a stamp
    // string made of them cost every device of every snapshot a dozen strings, hit or miss.
    this.cache.set(d, {
      facts: ev.facts.size,
      dropped: ev.dropped,
      served: d.servedTcp.size,
      protocols: d.protocols.size,
      router: d.router,
      rx4: d.rx4?.size ?? 0,
      rx6: d.rx6?.size ?? 0,
      ip4: d.ip4.size,
      ip6: d.ip6.size,
      peers: p,
      c,
    });
    return c;
  }

  apply(json: DeviceJson, d: Device, inv: Inventory, peers?: PeerIndex): ClassifiedDeviceJson {
    return applyClassification(json, this.classify(d, inv, peers));
  }
}
