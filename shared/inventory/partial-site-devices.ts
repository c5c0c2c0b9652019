/**
 * A site's devices as combined records (partial-combine.ts), each combined when first asked for
 * rather than all at once. Only a MAC that may route (mayRoute) changes other devices: decideRouters
 * moves what it heard through addresses it does not own to those addresses' devices. So those are
 * combined up front, and any other device when decideRouters, hearsay or the build asks for it by
 * key; the build takes each one (take) and lets it go. A site's combined records cost several times
 * its JSON: held whole to the site's end they were much of a full rebuild's heap and, living through
 * many scavenges, of its collection time.
 *
 * As a Map it holds the devices combined so far, so iterating it (decideRouters looking for routers,
 * which are all combined up front) sees only those; `has` and `get` know every device, and `heads`
 * lists every device's record, in the order given, then the address devices routers made.
 */
import { bornOf, combine, mayRoute, settleFacts, type Combined } from './partial-combine';
import type { PartialDevice } from './partial-types';

export class SiteDevices extends Map<string, Combined> {
  /** Devices not combined yet, by key. */
  private readonly later = new Map<string, PartialDevice>();
  /** Every device's record: those given, then those added (address devices a router made). */
  readonly heads: PartialDevice[] = [];
  /** Once facts are settled (decideRouters), a device combined later is settled as it is combined. */
  settled = false;

  constructor(
    devices: readonly PartialDevice[],
    private readonly byFrame: boolean,
  ) {
    super();
    for (const d of devices) {
      this.heads.push(d);
      if (mayRoute(d)) super.set(d.key, combine(d, byFrame));
      else this.later.set(d.key, d);
    }
  }

  override get(key: string): Combined | undefined {
    const c = super.get(key);
    if (c !== undefined) return c;
    const p = this.later.get(key);
    if (p === undefined) return undefined;
    this.later.delete(key);
    const made = combine(p, this.byFrame);
    if (this.settled) settleFacts(made);
    super.set(key, made);
    return made;
  }

  override has(key: string): boolean {
    return super.has(key) || this.later.has(key);
  }

  override set(key: string, c: Combined): this {
    if (!this.has(key)) this.heads.push(c.p);
    return super.set(key, c);
  }

  /** A device combined so far, without combining it: one not combined yet does not route. */
  peek(key: string): Combined | undefined {
    return super.get(key);
  }

  /** When the device was made (Combined.born), without combining it. */
  born(key: string): number {
    const c = super.get(key);
    if (c !== undefined) return c.born;
    const p = this.later.get(key);
    return p === undefined ? Infinity : bornOf(p);
  }

  /** Combine the MACs whose sources list any of these addresses (`site\nip`): hearsay looks for them. */
  holding(addresses: ReadonlySet<string>): void {
    if (addresses.size === 0) return;
    for (const [key, p] of [...this.later])
      if (p.kind === 'mac' && p.states.some((s) => s.ips.some((u) => addresses.has(`${p.site}\n${u.ip}`))))
        this.get(key);
  }

  /** A device's combined record for the build, no longer held here. */
  take(key: string): Combined | undefined {
    const c = this.get(key);
    super.delete(key);
    return c;
  }
}
