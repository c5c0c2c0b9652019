import type Database from 'better-sqlite3';
import { sqlite } from './sqlite';
import { prepareStoreFile } from './file-mode';
import type { DeltaBatch } from '../../shared/inventory/changes';
import type { AlertJson } from '../../shared/model/alert';
import {
  INVENTORY_SCHEMA,
  type DeviceJson,
  type EdgeJson,
  emptyInventoryStats,
  type InventoryStats,
} from '../../shared/model/inventory';
import { severityRank } from '../../shared/alerts/severity';
import { isoTime } from '../../shared/util/time';
import { carryDevice, combineDevices, orientEdge, sumEdges } from './combine';
import { countAlerts, queryAlerts, type AlertQuery } from './alert-query';
import { migrate } from './migrations';
import { diffDevice, track, type Tracked } from './timeline';
import {
  AUTHORIZATIONS,
  EDITABLE,
  type Authorization,
  type EditableField,
  type ManualEdits,
  type StoredDevice,
  type StoredInventory,
  type TimelineEntry,
} from './types';

export interface StoreOptions {
  /**
   * 'normal' (default) survives a killed process with every committed batch (WAL pages reach the
   * OS at commit); 'full' also survives power loss, at an fsync per commit.
   */
  synchronous?: 'normal' | 'full';
  /** Capture time without a packet after which a device is offline (default ten minutes). */
  offlineAfterMs?: number;
  /** Fold an address-only device into the MAC device that later shows its address (default on). */
  autoMerge?: boolean;
}

/** What one commit changed, as the hosts should show it (merged and edited views). */
export interface CommitResult {
  seq: number;
  upserts: StoredDevice[];
  /** Ids no longer shown on their own (merged into another). */
  removed: string[];
  edges: EdgeJson[];
  edgesRemoved: { a: string; b: string }[];
  timeline: TimelineEntry[];
  /** Alerts stored by this commit (ones already stored are not repeated). */
  alerts: AlertJson[];
}

interface DeviceRow {
  id: string;
  json: string;
  base: string | null;
  session: number;
  online: number;
  last_seen: string;
}

interface EdgeRow {
  a: string;
  b: string;
  protocols: string;
  pab: number;
  pba: number;
  bab: number;
  bba: number;
  first: string;
  last: string;
  base_protocols: string;
  base_pab: number;
  base_pba: number;
  base_bab: number;
  base_bba: number;
  base_overlap: number;
}

const MAX_EDIT_LENGTH = 2048;

/** A batch in the making: everything one transaction touches. */
class Work {
  readonly touched = new Set<string>();
  readonly removed = new Set<string>();
  readonly edges: EdgeJson[] = [];
  readonly pairs = new Set<string>();
  readonly groups = new Set<string>();
  readonly edgesRemoved: { a: string; b: string }[] = [];
  readonly timeline: TimelineEntry[] = [];
  readonly alerts: AlertJson[] = [];
  /** Devices as just written (saves reading them back for the views). */
  readonly written = new Map<string, DeviceJson>();
  constructor(readonly seq: number) {}
}

/**
 * The inventory on disk (SQLite, WAL): each change-stream batch in one transaction, with the
 * timeline it implies, the alerts raised on it, manual edits and merges. Devices keep the engine's
 * own ids; merges and edits are applied when reading, so re-analysis can overwrite what the engine
 * says without touching what a person said.
 */
export class Store {
  readonly db: Database.Database;
  /** Numbers this process's writes: counts from an earlier session are carried, not overwritten. */
  readonly session: number;
  private seqNo: number;
  private deviceCount: number;
  private readonly offlineAfter: number;
  private readonly autoMerge: boolean;
  private readonly canonOf = new Map<string, string>();
  private readonly aliasesOf = new Map<string, Set<string>>();
  private readonly editsOf = new Map<string, ManualEdits>();
  /** Online devices and the capture time (ms) they were last seen. */
  private readonly online = new Map<string, number>();
  /** Address -> the MAC device that uses it, for automatic merges. */
  private readonly macOfIp = new Map<string, string>();
  private lastScan = -Infinity;
  /** Devices written by this session with nothing carried from earlier ones: what the timeline compares. */
  private readonly fresh = new Map<string, Tracked>();
  /** Whether edges from earlier sessions exist (their counts must be carried under this session's). */
  private readonly carryEdges: boolean;
  private readonly q;

  constructor(
    readonly path: string,
    o: StoreOptions = {},
  ) {
    if (path !== ':memory:') prepareStoreFile(path);
    this.db = new (sqlite())(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${o.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    // Edge keys arrive in no useful order: a bigger page cache keeps b-tree inserts off the disk (64 MB).
    this.db.pragma('cache_size = -65536');
    migrate(this.db);
    this.offlineAfter = o.offlineAfterMs ?? 10 * 60 * 1000;
    this.autoMerge = o.autoMerge !== false;
    const db = this.db;
    this.q = {
      meta: db.prepare<[string]>('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: db.prepare<[string, string]>(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      device: db.prepare<[string]>(
        'SELECT id, json, base, session, online, last_seen FROM devices WHERE id = ?',
      ),
      hasDevice: db.prepare<[string]>('SELECT 1 FROM devices WHERE id = ?').pluck(),
      putDevice: db.prepare<[string, string, string | null, number, string, number]>(
        `INSERT INTO devices (id, json, base, session, last_seen, online, seq) VALUES (?, ?, ?, ?, ?, 1, ?)
         ON CONFLICT (id) DO UPDATE SET json = excluded.json, base = excluded.base, session = excluded.session,
           last_seen = excluded.last_seen, online = 1, seq = excluded.seq`,
      ),
      setOffline: db.prepare<[string]>('UPDATE devices SET online = 0 WHERE id = ?'),
      putEdge: db.prepare<[Record<string, string | number>]>(
        `INSERT INTO edges (a, b, protocols, pab, pba, bab, bba, first, last, session, seq)
         VALUES (@a, @b, @protocols, @pab, @pba, @bab, @bba, @first, @last, @session, @seq)
         ON CONFLICT (a, b) DO UPDATE SET
           base_protocols = CASE WHEN session = excluded.session THEN base_protocols ELSE base_protocols || ',' || protocols END,
           base_overlap = CASE WHEN session = excluded.session THEN base_overlap ELSE excluded.first <= last END,
           base_pab = CASE WHEN session = excluded.session THEN base_pab WHEN base_overlap THEN max(base_pab, pab) ELSE base_pab + pab END,
           base_pba = CASE WHEN session = excluded.session THEN base_pba WHEN base_overlap THEN max(base_pba, pba) ELSE base_pba + pba END,
           base_bab = CASE WHEN session = excluded.session THEN base_bab WHEN base_overlap THEN max(base_bab, bab) ELSE base_bab + bab END,
           base_bba = CASE WHEN session = excluded.session THEN base_bba WHEN base_overlap THEN max(base_bba, bba) ELSE base_bba + bba END,
           protocols = excluded.protocols, pab = excluded.pab, pba = excluded.pba, bab = excluded.bab, bba = excluded.bba,
           first = min(first, excluded.first), last = max(last, excluded.last),
           session = excluded.session, seq = excluded.seq
         RETURNING *`,
      ),
      // A database with no edges when this session began has nothing to carry: a plain write will do.
      putNewEdge: db.prepare<
        [string, string, string, number, number, number, number, string, string, number, number]
      >(
        `INSERT INTO edges (a, b, protocols, pab, pba, bab, bba, first, last, session, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (a, b) DO UPDATE SET protocols = excluded.protocols, pab = excluded.pab, pba = excluded.pba,
           bab = excluded.bab, bba = excluded.bba, first = min(first, excluded.first), last = max(last, excluded.last),
           seq = excluded.seq`,
      ),
      edge: db.prepare<[string, string]>('SELECT * FROM edges WHERE a = ? AND b = ?'),
      edgesOf: db.prepare<[string, string]>(
        'SELECT * FROM edges WHERE a = ? UNION ALL SELECT * FROM edges WHERE b = ? AND a <> b',
      ),
      timeline: db.prepare<[string, string, string, string | null, string | null, string, number]>(
        'INSERT INTO timeline (device_id, at, field, old, new, source, seq) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      alert: db.prepare<[string, string, string, number, string, string | null, string, string, number]>(
        'INSERT OR IGNORE INTO alerts (id, at, severity, rank, kind, device_id, message, detail, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      batch: db.prepare<[number, string, string | null, number, number, number, number]>(
        'INSERT INTO batches (seq, committed_at, capture_at, upserts, edges, alerts, devices_total) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      putEdit: db.prepare<[string, string, string, string]>(
        'INSERT INTO edits (device_id, field, value, at) VALUES (?, ?, ?, ?) ON CONFLICT (device_id, field) DO UPDATE SET value = excluded.value, at = excluded.at',
      ),
      delEdit: db.prepare<[string, string]>('DELETE FROM edits WHERE device_id = ? AND field = ?'),
      putMerge: db.prepare<[string, string, string, string]>(
        'INSERT INTO merges (alias, into_id, kind, at) VALUES (?, ?, ?, ?) ON CONFLICT (alias) DO UPDATE SET into_id = excluded.into_id',
      ),
    };

    this.session = Number(this.q.meta.get('sessions') ?? 0) + 1;
    this.q.setMeta.run('sessions', String(this.session));
    this.seqNo = Number(this.q.meta.get('seq') ?? 0);
    this.deviceCount = Number(db.prepare('SELECT count(*) FROM devices').pluck().get());
    this.carryEdges = db.prepare('SELECT 1 FROM edges LIMIT 1').pluck().get() !== undefined;
    this.load();
  }

  /** The last committed sequence number (it survives restarts). */
  get seq(): number {
    return this.seqNo;
  }

  get devicesTotal(): number {
    return this.deviceCount;
  }

  meta(key: string): string | null {
    return (this.q.meta.get(key) as string | undefined) ?? null;
  }

  setMeta(key: string, value: string): void {
    this.q.setMeta.run(key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private load(): void {
    for (const r of this.db.prepare('SELECT alias, into_id FROM merges').iterate() as Iterable<{
      alias: string;
      into_id: string;
    }>)
      this.link(r.alias, r.into_id);
    for (const r of this.db.prepare('SELECT device_id, field, value FROM edits').iterate() as Iterable<{
      device_id: string;
      field: EditableField;
      value: string;
    }>) {
      const e = this.editsOf.get(r.device_id) ?? {};
      e[r.field] = r.value;
      this.editsOf.set(r.device_id, e);
    }
    for (const r of this.db
      .prepare('SELECT id, json, online, last_seen FROM devices')
      .iterate() as Iterable<DeviceRow>) {
      if (r.online === 1) this.online.set(r.id, Date.parse(r.last_seen));
      if (this.autoMerge && r.id.startsWith('mac:')) {
        const d = JSON.parse(r.json) as DeviceJson;
        if (!d.router) for (const ip of d.ips) if (!this.macOfIp.has(ip)) this.macOfIp.set(ip, d.id);
      }
    }
  }

  // ---- writing ----

  /**
   * Write one change-stream batch, with the alerts raised on it, in one transaction. `meta` pairs
   * (the alert baseline's learning state, for one) are written in the same transaction.
   */
  commit(b: DeltaBatch, alerts: readonly AlertJson[] = [], meta: Record<string, string> = {}): CommitResult {
    return this.db
      .transaction(() => {
        const w = new Work(++this.seqNo);
        for (const u of b.upserts) this.upsert(w, u);
        for (const e of b.edges) this.putEdge(w, e);
        for (const id of b.removed) w.removed.add(this.canon(id));
        for (const e of b.edgesRemoved) w.edgesRemoved.push(e);
        const now = Date.parse(b.stats.lastSeen ?? '');
        if (Number.isFinite(now)) this.scanOffline(w, now);
        for (const a of alerts) this.putAlert(w, a);
        this.q.setMeta.run('stats', JSON.stringify(b.stats));
        for (const [k, v] of Object.entries(meta)) this.q.setMeta.run(k, v);
        return this.finish(w, b.stats.lastSeen);
      })
      .immediate();
  }

  /** Store alerts raised outside a batch (none are lost when no device changed). */
  commitAlerts(alerts: readonly AlertJson[], meta: Record<string, string> = {}): CommitResult {
    return this.db
      .transaction(() => {
        const w = new Work(++this.seqNo);
        for (const a of alerts) this.putAlert(w, a);
        for (const [k, v] of Object.entries(meta)) this.q.setMeta.run(k, v);
        return this.finish(w, null);
      })
      .immediate();
  }

  private finish(w: Work, captureAt: string | null): CommitResult {
    const upserts: StoredDevice[] = [];
    for (const id of w.touched) {
      if (this.canonOf.has(id)) continue;
      const d = this.aliasesOf.has(id) ? undefined : w.written.get(id);
      const v = d !== undefined ? this.decorate(d, this.online.has(id), []) : this.view(id);
      if (v !== null) upserts.push(v);
    }
    for (const id of w.groups) for (const e of this.groupEdges(id)) w.edges.push(e);
    for (const p of w.pairs) {
      const [a, b] = p.split('\u0000') as [string, string];
      const e = this.pairEdge(a, b);
      if (e !== null) w.edges.push(e);
    }
    for (const t of w.timeline) this.q.timeline.run(t.deviceId, t.at, t.field, t.old, t.new, t.source, w.seq);
    this.q.batch.run(
      w.seq,
      new Date().toISOString(),
      captureAt,
      w.touched.size,
      w.edges.length,
      w.alerts.length,
      this.deviceCount,
    );
    this.q.setMeta.run('seq', String(w.seq));
    return {
      seq: w.seq,
      upserts,
      removed: [...w.removed],
      edges: w.edges,
      edgesRemoved: this.stillGone(w),
      timeline: w.timeline,
      alerts: w.alerts,
    };
  }

  /** Removed edges that the same commit does not show again (merged views replace what they were). */
  private stillGone(w: Work): { a: string; b: string }[] {
    if (w.edgesRemoved.length === 0) return [];
    const shown = new Set<string>();
    for (const e of w.edges) shown.add(e.a < e.b ? e.a + '\u0000' + e.b : e.b + '\u0000' + e.a);
    const seen = new Set<string>();
    return w.edgesRemoved.filter((e) => {
      const k = e.a < e.b ? e.a + '\u0000' + e.b : e.b + '\u0000' + e.a;
      if (shown.has(k) || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  private upsert(w: Work, u: DeviceJson): void {
    let stored = u;
    let base: string | null = null;
    let prev: Tracked | null = this.fresh.get(u.id) ?? null;
    // Rows this session wrote with nothing carried need not be read back: the tracked fields are in memory.
    if (prev === null) {
      const row = this.q.device.get(u.id) as DeviceRow | undefined;
      if (row === undefined) {
        this.deviceCount++;
      } else {
        prev = JSON.parse(row.json) as DeviceJson;
        base = row.session === this.session ? row.base : row.json;
        if (base !== null) stored = carryDevice(JSON.parse(base) as DeviceJson, u);
      }
    }
    for (const t of diffDevice(prev, stored)) w.timeline.push(t);
    if (prev !== null && !this.online.has(u.id) && stored.lastSeen > prev.lastSeen)
      w.timeline.push({
        deviceId: u.id,
        at: stored.lastSeen,
        field: 'status',
        old: 'offline',
        new: 'online',
        source: 'capture',
      });
    this.q.putDevice.run(u.id, JSON.stringify(stored), base, this.session, stored.lastSeen, w.seq);
    if (base === null) this.fresh.set(u.id, track(stored));
    this.online.set(u.id, Date.parse(stored.lastSeen));
    w.touched.add(this.canon(u.id));
    w.written.set(u.id, stored);
    if (this.autoMerge) this.autoMergeFor(w, stored);
  }

  /** The same device seen through two paths: an address-only device whose address a MAC device uses. */
  private autoMergeFor(w: Work, d: DeviceJson): void {
    if (d.mac !== null) {
      if (d.router) return;
      for (const ip of d.ips) {
        if (!this.macOfIp.has(ip)) this.macOfIp.set(ip, d.id);
        const other = 'ip:' + ip;
        if (
          this.macOfIp.get(ip) === d.id &&
          !this.canonOf.has(other) &&
          this.q.hasDevice.get(other) !== undefined
        )
          this.mergeIn(w, d.id, other);
      }
    } else if (d.id.startsWith('ip:') && !this.canonOf.has(d.id)) {
      const owner = this.macOfIp.get(d.id.slice(3));
      if (owner !== undefined) this.mergeIn(w, owner, d.id);
    }
  }

  private putEdge(w: Work, e: EdgeJson): void {
    const a = this.canon(e.a);
    const b = this.canon(e.b);
    const plain = a === e.a && b === e.b && !this.aliasesOf.has(a) && !this.aliasesOf.has(b);
    const protocols = e.protocols.join(',');
    if (!this.carryEdges) {
      this.q.putNewEdge.run(
        e.a,
        e.b,
        protocols,
        e.packetsAtoB,
        e.packetsBtoA,
        e.bytesAtoB,
        e.bytesBtoA,
        e.firstSeen,
        e.lastSeen,
        this.session,
        w.seq,
      );
      if (plain) w.edges.push(e);
    } else {
      const row = this.q.putEdge.get({
        a: e.a,
        b: e.b,
        protocols,
        pab: e.packetsAtoB,
        pba: e.packetsBtoA,
        bab: e.bytesAtoB,
        bba: e.bytesBtoA,
        first: e.firstSeen,
        last: e.lastSeen,
        session: this.session,
        seq: w.seq,
      }) as EdgeRow;
      if (plain) w.edges.push(edgeJson(row));
    }
    if (!plain && a !== b) w.pairs.add(a < b ? a + '\u0000' + b : b + '\u0000' + a);
  }

  private putAlert(w: Work, a: AlertJson): void {
    const r = this.q.alert.run(
      a.id,
      a.at,
      a.severity,
      severityRank(a.severity),
      a.kind,
      a.deviceId,
      a.message,
      JSON.stringify(a.detail),
      w.seq,
    );
    if (r.changes > 0) w.alerts.push(a);
  }

  /** Devices unseen for the offline threshold of capture time go offline (once per second of capture time at most). */
  private scanOffline(w: Work, now: number): void {
    if (now - this.lastScan < 1000) return;
    this.lastScan = now;
    const limit = now - this.offlineAfter;
    for (const [id, last] of this.online) {
      if (last > limit) continue;
      this.online.delete(id);
      this.q.setOffline.run(id);
      const at = isoTime(last + this.offlineAfter);
      w.timeline.push({
        deviceId: id,
        at,
        field: 'status',
        old: 'online',
        new: 'offline',
        source: 'capture',
      });
      w.touched.add(this.canon(id));
    }
  }

  // ---- manual edits ----

  /** Set (or with null, clear) a manual field on a device (on the device it is merged into, if any). */
  edit(id: string, field: EditableField, value: string | null): CommitResult {
    if (!EDITABLE.includes(field))
      throw new RangeError(`'${field}' cannot be edited: use one of ${EDITABLE.join(', ')}`);
    if (field === 'authorization' && value !== null && !AUTHORIZATIONS.includes(value as Authorization))
      throw new RangeError(`authorization must be one of ${AUTHORIZATIONS.join(', ')}`);
    const target = this.canon(id);
    if (this.q.hasDevice.get(target) === undefined) throw new RangeError(`no device ${id}`);
    const v = value === null ? null : value.slice(0, MAX_EDIT_LENGTH);
    return this.db
      .transaction(() => {
        const w = new Work(++this.seqNo);
        const before = this.view(target)!;
        const old =
          field === 'name'
            ? before.hostname
            : field === 'authorization'
              ? before.authorization
              : before[field];
        const at = new Date().toISOString();
        const e = { ...(this.editsOf.get(target) ?? {}) };
        if (v === null) {
          delete e[field];
          this.q.delEdit.run(target, field);
        } else {
          e[field] = v;
          this.q.putEdit.run(target, field, v, at);
        }
        if (Object.keys(e).length === 0) this.editsOf.delete(target);
        else this.editsOf.set(target, e);
        w.timeline.push({ deviceId: target, at, field, old: old ?? null, new: v, source: 'manual' });
        w.touched.add(target);
        return this.finish(w, null);
      })
      .immediate();
  }

  private mergeIn(w: Work, intoId: string, alias: string): void {
    const into = this.canon(intoId);
    if (into === alias) return;
    const at = new Date().toISOString();
    // What was shown before: the alias's edges and the target's; both are replaced by the merged ones.
    for (const e of this.groupEdges(alias, true)) w.edgesRemoved.push({ a: e.a, b: e.b });
    for (const e of this.groupEdges(into, true)) w.edgesRemoved.push({ a: e.a, b: e.b });
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

  // ---- reading ----

  canon(id: string): string {
    return this.canonOf.get(id) ?? id;
  }

  /** A device as shown: merged devices folded in, manual edits on top; null when unknown. */
  device(id: string): StoredDevice | null {
    return this.view(this.canon(id));
  }

  /** The engine's own last word on a device, without merges or edits. */
  rawDevice(id: string): DeviceJson | null {
    const r = this.q.device.get(id) as DeviceRow | undefined;
    return r === undefined ? null : (JSON.parse(r.json) as DeviceJson);
  }

  *rawDevices(): IterableIterator<DeviceJson> {
    for (const r of this.db.prepare('SELECT json FROM devices').pluck().iterate() as Iterable<string>)
      yield JSON.parse(r) as DeviceJson;
  }

  /** Every device as shown (merged ones appear once, under the id they were merged into). */
  devices(): StoredDevice[] {
    const out: StoredDevice[] = [];
    for (const r of this.db
      .prepare('SELECT id, json, online FROM devices ORDER BY id')
      .iterate() as Iterable<DeviceRow>) {
      if (this.canonOf.has(r.id)) continue;
      if (this.aliasesOf.has(r.id)) out.push(this.view(r.id)!);
      else out.push(this.decorate(JSON.parse(r.json) as DeviceJson, r.online === 1, []));
    }
    return out;
  }

  /** Every edge as shown: endpoints mapped through merges, parallel edges summed, self-loops dropped. */
  edges(): EdgeJson[] {
    const out: EdgeJson[] = [];
    const merged = new Map<string, EdgeJson>();
    for (const r of this.db.prepare('SELECT * FROM edges').iterate() as Iterable<EdgeRow>) {
      const a = this.canon(r.a);
      const b = this.canon(r.b);
      if (a === r.a && b === r.b && !this.aliasesOf.has(a) && !this.aliasesOf.has(b)) {
        out.push(edgeJson(r));
        continue;
      }
      if (a === b) continue;
      const key = a < b ? a + '\u0000' + b : b + '\u0000' + a;
      const e = orientEdge(edgeJson(r), a < b ? a : b, a < b ? b : a, a > b);
      const m = merged.get(key);
      merged.set(key, m === undefined ? e : sumEdges(m, e));
    }
    for (const e of merged.values()) out.push(e);
    return out;
  }

  /**
   * A device's timeline, oldest first, including the devices merged into it. Past `limit`, the
   * first entries are kept, or with `latest` the last ones (still oldest first).
   */
  timeline(id: string, o: { limit?: number; latest?: boolean } = {}): TimelineEntry[] {
    const canon = this.canon(id);
    const ids = [canon, ...(this.aliasesOf.get(canon) ?? [])];
    const rows = this.db
      .prepare(
        `SELECT device_id AS deviceId, at, field, old, new, source FROM timeline WHERE device_id IN (${ids.map(() => '?').join(',')})
         ORDER BY id ${o.latest === true ? 'DESC' : ''} LIMIT ?`,
      )
      .all(...ids, o.limit ?? 10000) as TimelineEntry[];
    return o.latest === true ? rows.reverse() : rows;
  }

  alerts(q: AlertQuery = {}): AlertJson[] {
    return queryAlerts(this.db, q);
  }

  /** How many stored alerts match `q` (its limit aside). */
  alertCount(q: AlertQuery = {}): number {
    return countAlerts(this.db, q);
  }

  /** Manual edits by device id (the id they were made on, or merged into). */
  manualEdits(): Map<string, ManualEdits> {
    return new Map([...this.editsOf].map(([id, e]) => [id, { ...e }]));
  }

  /** Everything the store knows, as an inventory (what a restarted app shows before new traffic). */
  snapshot(): StoredInventory {
    const s = this.meta('stats');
    const stats = s === null ? emptyInventoryStats() : (JSON.parse(s) as InventoryStats);
    const devices = this.devices();
    stats.devices = devices.length;
    const edges = this.edges();
    stats.edges = edges.length;
    return { schema: INVENTORY_SCHEMA, generatedAt: new Date().toISOString(), stats, devices, edges };
  }

  private view(canon: string): StoredDevice | null {
    const r = this.q.device.get(canon) as DeviceRow | undefined;
    if (r === undefined) return null;
    let d = JSON.parse(r.json) as DeviceJson;
    let online = r.online === 1;
    const aliases = [...(this.aliasesOf.get(canon) ?? [])].sort();
    for (const a of aliases) {
      const ar = this.q.device.get(a) as DeviceRow | undefined;
      if (ar === undefined) continue;
      d = combineDevices(d, JSON.parse(ar.json) as DeviceJson, true);
      online ||= ar.online === 1;
    }
    return this.decorate(d, online, aliases);
  }

  private decorate(d: DeviceJson, online: boolean, aliases: string[]): StoredDevice {
    const e = this.editsOf.get(d.id) ?? {};
    const v: StoredDevice = {
      ...d,
      name: e.name ?? null,
      notes: e.notes ?? null,
      authorization: (e.authorization as Authorization | undefined) ?? 'unknown',
      online,
      aliases,
      manual: { ...e },
    };
    if (e.name !== undefined) v.hostname = e.name;
    if (e.type !== undefined) v.type = e.type;
    if (e.vendor !== undefined) v.vendor = e.vendor;
    return v;
  }

  /** The merged edges of a device and everything merged into it (`raw`: as last shown, before this change). */
  private groupEdges(canon: string, raw = false): EdgeJson[] {
    const members = [canon, ...(this.aliasesOf.get(canon) ?? [])];
    const byPair = new Map<string, EdgeJson>();
    for (const m of members) {
      for (const r of this.q.edgesOf.all(m, m) as EdgeRow[]) {
        if (raw) {
          byPair.set(r.a + '\u0000' + r.b, edgeJson(r));
          continue;
        }
        const a = this.canon(r.a);
        const b = this.canon(r.b);
        if (a === b) continue;
        const key = a < b ? a + '\u0000' + b : b + '\u0000' + a;
        if (byPair.has(key)) continue;
        const e = this.pairEdge(a, b);
        if (e !== null) byPair.set(key, e);
      }
    }
    return [...byPair.values()];
  }

  /** The one edge shown between two devices: every stored edge between their merged ids, summed. */
  private pairEdge(x: string, y: string): EdgeJson | null {
    const a = x < y ? x : y;
    const b = x < y ? y : x;
    const ga = [a, ...(this.aliasesOf.get(a) ?? [])];
    const gb = [b, ...(this.aliasesOf.get(b) ?? [])];
    let out: EdgeJson | null = null;
    for (const m of ga) {
      for (const n of gb) {
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

function edgeJson(r: EdgeRow): EdgeJson {
  const total = (base: number, cur: number) => (r.base_overlap ? Math.max(base, cur) : base + cur);
  const pab = total(r.base_pab, r.pab);
  const pba = total(r.base_pba, r.pba);
  const bab = total(r.base_bab, r.bab);
  const bba = total(r.base_bba, r.bba);
  const protocols =
    r.base_protocols === ''
      ? r.protocols
      : [...new Set((r.base_protocols + ',' + r.protocols).split(','))]
          .filter((x) => x !== '')
          .sort()
          .join(',');
  return {
    a: r.a,
    b: r.b,
    protocols: protocols === '' ? [] : protocols.split(','),
    packets: pab + pba,
    bytes: bab + bba,
    packetsAtoB: pab,
    packetsBtoA: pba,
    bytesAtoB: bab,
    bytesBtoA: bba,
    firstSeen: r.first,
    lastSeen: r.last,
  };
}
