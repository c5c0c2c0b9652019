import type Database from 'better-sqlite3';
import {
  INVENTORY_SCHEMA,
  type DeviceJson,
  type EdgeJson,
  emptyInventoryStats,
  type InventoryStats,
} from '../../shared/model/inventory';
import { combineDevices, orientEdge, sumEdges } from './combine';
import { edgeJson, pairKey, rowKey, type EdgeRow } from './edge-rows';
import type { Merges } from './merges';
import type { DeviceRow, Statements } from './statements';
import { applyEdits, type Authorization, type EditBook } from '../../shared/inventory/edits';
import type { StoredDevice, StoredInventory, TimelineEntry } from './types';

/**
 * The store as the hosts read it: devices with the ids merged into them folded in and manual
 * edits on top, edges between shown devices summed, timelines over merged ids.
 */
export class StoreViews {
  constructor(
    private readonly db: Database.Database,
    private readonly q: Statements,
    private readonly merges: Merges,
    private readonly edits: EditBook,
  ) {}

  /** A device as shown under its canonical id; null when unknown. */
  view(canon: string): StoredDevice | null {
    const r = this.q.device.get(canon) as DeviceRow | undefined;
    if (r === undefined) return null;
    let d = JSON.parse(r.json) as DeviceJson;
    let online = r.online === 1;
    const aliases = this.merges.aliases(canon).sort();
    for (const a of aliases) {
      const ar = this.q.device.get(a) as DeviceRow | undefined;
      if (ar === undefined) continue;
      d = combineDevices(d, JSON.parse(ar.json) as DeviceJson, true);
      online ||= ar.online === 1;
    }
    return this.decorate(d, online, aliases);
  }

  decorate(d: DeviceJson, online: boolean, aliases: string[]): StoredDevice {
    const e = this.edits.get(d.id) ?? {};
    return {
      ...applyEdits(d, e),
      name: e.name ?? null,
      notes: e.notes ?? null,
      authorization: (e.authorization as Authorization | undefined) ?? 'unknown',
      online,
      aliases,
      manual: { ...e },
    };
  }

  /** Every device as shown (merged ones appear once, under the id they were merged into). */
  devices(): StoredDevice[] {
    const out: StoredDevice[] = [];
    for (const r of this.db
      .prepare('SELECT id, json, online FROM devices ORDER BY id')
      .iterate() as Iterable<DeviceRow>) {
      if (this.merges.isAlias(r.id)) continue;
      if (this.merges.hasAliases(r.id)) out.push(this.view(r.id)!);
      else out.push(this.decorate(JSON.parse(r.json) as DeviceJson, r.online === 1, []));
    }
    return out;
  }

  /** Whether an edge row is shown as it is: neither end merged. */
  private plain(r: { a: string; b: string }): boolean {
    const m = this.merges;
    return !m.isAlias(r.a) && !m.isAlias(r.b) && !m.hasAliases(r.a) && !m.hasAliases(r.b);
  }

  /** Every edge as shown: endpoints mapped through merges, parallel edges summed, self-loops dropped. */
  edges(): EdgeJson[] {
    const out: EdgeJson[] = [];
    const merged = new Map<string, EdgeJson>();
    for (const r of this.db.prepare('SELECT * FROM edges').iterate() as Iterable<EdgeRow>) {
      if (this.plain(r)) {
        out.push(edgeJson(r));
        continue;
      }
      const a = this.merges.canon(r.a);
      const b = this.merges.canon(r.b);
      if (a === b) continue;
      const key = pairKey(a, b);
      const e = orientEdge(edgeJson(r), a < b ? a : b, a < b ? b : a, a > b);
      const m = merged.get(key);
      merged.set(key, m === undefined ? e : sumEdges(m, e));
    }
    for (const e of merged.values()) out.push(e);
    return out;
  }

  /** Whether an edge is shown as written (so a commit can show it without summing anything). */
  shownAsIs(e: { a: string; b: string }): boolean {
    return this.plain(e);
  }

  /**
   * A device's timeline, oldest first, including the devices merged into it. Past `limit`, the
   * first entries are kept, or with `latest` the last ones (still oldest first).
   */
  timeline(id: string, o: { limit?: number; latest?: boolean } = {}): TimelineEntry[] {
    const ids = this.merges.members(this.merges.canon(id));
    const rows = this.db
      .prepare(
        `SELECT device_id AS deviceId, at, field, old, new, source FROM timeline WHERE device_id IN (${ids.map(() => '?').join(',')})
         ORDER BY id ${o.latest === true ? 'DESC' : ''} LIMIT ?`,
      )
      .all(...ids, o.limit ?? 10000) as TimelineEntry[];
    return o.latest === true ? rows.reverse() : rows;
  }

  /** Everything stored, as an inventory; `stats` as last committed. */
  snapshot(saved: string | null): StoredInventory {
    const stats = saved === null ? emptyInventoryStats() : (JSON.parse(saved) as InventoryStats);
    const devices = this.devices();
    stats.devices = devices.length;
    const edges = this.edges();
    stats.edges = edges.length;
    return { schema: INVENTORY_SCHEMA, generatedAt: new Date().toISOString(), stats, devices, edges };
  }

  /** The merged edges of a device and everything merged into it (`raw`: as last shown, before this change). */
  groupEdges(canon: string, raw = false): EdgeJson[] {
    const byPair = new Map<string, EdgeJson>();
    for (const m of this.merges.members(canon)) {
      for (const r of this.q.edgesOf.all(m, m) as EdgeRow[]) {
        if (raw) {
          byPair.set(rowKey(r), edgeJson(r));
          continue;
        }
        const a = this.merges.canon(r.a);
        const b = this.merges.canon(r.b);
        if (a === b) continue;
        const key = pairKey(a, b);
        if (byPair.has(key)) continue;
        const e = this.pairEdge(a, b);
        if (e !== null) byPair.set(key, e);
      }
    }
    return [...byPair.values()];
  }

  /** The one edge shown between two devices: every stored edge between their merged ids, summed. */
  pairEdge(x: string, y: string): EdgeJson | null {
    const a = x < y ? x : y;
    const b = x < y ? y : x;
    let out: EdgeJson | null = null;
    for (const m of this.merges.members(a)) {
      for (const n of this.merges.members(b)) {
        for (const [p, q, rev] of [
          [m, n, false],
          [n, m, true],
        ] as const) {
          const r = this.q.edge.get(p, q) as EdgeRow | undefined;
          if (r === undefined) continue;
          const e = orientEdge(edgeJson(r), a, b, rev);
          out = out === null ? e : sumEdges(out, e);
        }
      }
    }
    return out;
  }
}
