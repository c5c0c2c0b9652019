import type Database from 'better-sqlite3';
import type { DeviceJson, EdgeJson } from '../../shared/model/inventory';
import type { DeviceRow, Statements } from './statements';
import type { Work } from './work';

/**
 * Which stored devices are shown as one: an alias answers under the id it was merged into. Merges
 * are automatic (an address-only device folded into the MAC device that later shows its address)
 * and applied when reading, so the rows keep what the engine said about each id.
 *
 * Only devices of one analysis (no `site`) merge. A console's devices carry their site and are its
 * merge's, which already made one device of each MAC per layer-2 domain and each address per site:
 * the store shows them as the merge does, and an address at one site never claims another's.
 */
export class Merges {
  private readonly canonOf = new Map<string, string>();
  private readonly aliasesOf = new Map<string, Set<string>>();
  /** Address -> the MAC device (of one analysis: no site) that uses it, for automatic merges. */
  private readonly macOfIp = new Map<string, string>();
  /** MAC devices known to route, whose claims on addresses are gone. */
  private readonly routers = new Set<string>();

  constructor(
    db: Database.Database,
    private readonly q: Statements,
    readonly auto: boolean,
  ) {
    for (const r of db.prepare('SELECT alias, into_id FROM merges').iterate() as Iterable<{
      alias: string;
      into_id: string;
    }>)
      this.link(r.alias, r.into_id);
  }

  /** The id a device is shown under. */
  canon(id: string): string {
    return this.canonOf.get(id) ?? id;
  }

  /** Whether `id` is shown under another id. */
  isAlias(id: string): boolean {
    return this.canonOf.has(id);
  }

  /** Whether other ids are shown under `id`. */
  hasAliases(id: string): boolean {
    return this.aliasesOf.has(id);
  }

  /** The ids shown under `canon` (itself excluded). */
  aliases(canon: string): string[] {
    return [...(this.aliasesOf.get(canon) ?? [])];
  }

  /** `canon` and the ids shown under it. */
  members(canon: string): string[] {
    return [canon, ...(this.aliasesOf.get(canon) ?? [])];
  }

  /** Learn the addresses a MAC device already uses (a device read back when the store opens). */
  know(d: DeviceJson): void {
    if (this.auto && d.id.startsWith('mac:') && !d.router && !sited(d))
      for (const ip of d.ips) if (!this.macOfIp.has(ip)) this.macOfIp.set(ip, d.id);
  }

  /**
   * The same device seen through two paths: an address-only device whose address a MAC device uses.
   * `groupEdges` gives a device's edges as last shown (the merge replaces them).
   */
  autoMergeFor(w: Work, d: DeviceJson, groupEdges: (canon: string) => EdgeJson[]): void {
    if (!this.auto || sited(d)) return;
    if (d.mac !== null) {
      if (d.router) {
        // What it claimed before it was found to route includes the remote addresses it forwarded
        // for: a router claims none (as when read back), and the devices that use them may.
        if (!this.routers.has(d.id)) {
          this.routers.add(d.id);
          for (const [ip, mac] of this.macOfIp) if (mac === d.id) this.macOfIp.delete(ip);
        }
        return;
      }
      for (const ip of d.ips) {
        if (!this.macOfIp.has(ip)) this.macOfIp.set(ip, d.id);
        const other = 'ip:' + ip;
        if (this.macOfIp.get(ip) === d.id && !this.canonOf.has(other) && this.storedLocal(other))
          this.mergeIn(w, d.id, other, groupEdges);
      }
    } else if (d.id.startsWith('ip:') && !this.canonOf.has(d.id)) {
      const owner = this.macOfIp.get(addressOf(d.id));
      // An address seen behind a MAC is not that MAC: a gateway lists the remote addresses it
      // forwarded for until it is found to route, and then they become devices behind it.
      if (owner !== undefined && !d.via.includes(owner)) this.mergeIn(w, owner, d.id, groupEdges);
    }
  }

  /** Whether a device of this id is stored and is one analysis's (a console's may have the same id). */
  private storedLocal(id: string): boolean {
    const r = this.q.device.get(id) as DeviceRow | undefined;
    return r !== undefined && !sited(JSON.parse(r.json) as DeviceJson);
  }

  private mergeIn(w: Work, intoId: string, alias: string, groupEdges: (canon: string) => EdgeJson[]): void {
    const into = this.canon(intoId);
    if (into === alias) return;
    const at = new Date().toISOString();
    // What was shown before: the alias's edges and the target's; both are replaced by the merged ones.
    for (const e of groupEdges(alias)) w.edgesRemoved.push({ a: e.a, b: e.b });
    for (const e of groupEdges(into)) w.edgesRemoved.push({ a: e.a, b: e.b });
    const moved = [...(this.aliasesOf.get(alias) ?? [])];
    this.aliasesOf.delete(alias);
    for (const a of [alias, ...moved]) {
      this.q.putMerge.run(a, into, 'auto', at);
      this.link(a, into);
    }
    w.timeline.push({ deviceId: into, at, field: 'merge', old: null, new: alias, source: 'capture' });
    w.timeline.push({ deviceId: alias, at, field: 'merged-into', old: null, new: into, source: 'capture' });
    w.removed.add(alias);
    w.touched.delete(alias);
    w.touched.add(into);
    w.groups.add(into);
  }

  private link(alias: string, into: string): void {
    this.canonOf.set(alias, into);
    let s = this.aliasesOf.get(into);
    if (s === undefined) this.aliasesOf.set(into, (s = new Set()));
    s.add(alias);
  }
}

/** A device of a console's merge (it says its site), not of one analysis. */
function sited(d: DeviceJson): boolean {
  return typeof d.site === 'string';
}

/** The address of an address device's id: `ip:10.0.0.1`, or qualified by site, `ip:10.0.0.1@hq`. */
export function addressOf(id: string): string {
  const at = id.indexOf('@');
  return id.slice(3, at < 0 ? id.length : at);
}
