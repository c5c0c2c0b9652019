import type { Device, Inventory } from '../inventory/inventory';
import type { DeviceJson } from '../model/inventory';
import { applyClassification, type ClassifiedDeviceJson } from './apply';
import { classify, type Classification } from './classify';
import type { CompiledRule } from './compile';
import { factsOf, type PeerIndex } from './facts';

/**
 * Classification for a live inventory: classifies a device again only when something rules read
 * changed (a new distinct fact, a new served port or protocol, the router flag, its peers), so a
 * snapshot of thousands of devices costs a map lookup per unchanged device.
 */
export class Classifier {
  private readonly cache = new WeakMap<Device, { stamp: string; c: Classification }>();

  constructor(readonly rules: readonly CompiledRule[]) {}

  classify(d: Device, inv: Inventory, peers?: PeerIndex): Classification {
    const p = peers?.get(d);
    const ev = d.evidence;
    let stamp = `${ev.facts.size}/${ev.dropped}/${d.servedTcp.size}/${d.protocols.size}/${d.router ? 1 : 0}/${d.rx4?.size ?? 0}/${d.rx6?.size ?? 0}/${d.ip4.size}/${d.ip6.size}`;
    if (p !== undefined) for (const k in p) stamp += `/${k}:${p[k]}`;
    const hit = this.cache.get(d);
    if (hit !== undefined && hit.stamp === stamp) return hit.c;
    const c = classify(factsOf(d, inv, peers), this.rules);
    this.cache.set(d, { stamp, c });
    return c;
  }

  apply(json: DeviceJson, d: Device, inv: Inventory, peers?: PeerIndex): ClassifiedDeviceJson {
    return applyClassification(json, this.classify(d, inv, peers));
  }
}
