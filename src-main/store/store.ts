import type Database from 'better-sqlite3';
import { sqlite } from './sqlite';
import { prepareStoreFile } from './file-mode';
import type { DeltaBatch } from '../../shared/inventory/changes';
import type { AlertJson } from '../../shared/model/alert';
import type { DeviceJson, EdgeJson, InventoryStats } from '../../shared/model/inventory';
import { severityRank } from '../../shared/alerts/severity';
import { carryDevice } from './combine';
import { CheckpointRecords } from './checkpoint-records';
import { countAlerts, queryAlerts, type AlertQuery } from './alert-query';
import { edgeJson, pairKey, pairOf, type EdgeRow } from './edge-rows';
import { Merges } from './merges';
import { CONSOLE_ROWS_KEY, migrate } from './migrations';
import { OfflineScan } from './offline';
import { prepareStatements, type DeviceRow, type Statements } from './statements';
import { diffDevice, track, type Tracked } from './timeline';
import { StoreViews } from './views';
import { Work, type CommitResult } from './work';
import { checkEdit, EditBook, type EditableField, type ManualEdits } from '../../shared/inventory/edits';
import type { StoredDevice, StoredInventory, TimelineEntry } from './types';

export type { CommitResult } from './work';

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

/**
 * The inventory on disk (SQLite, WAL): each change-stream batch in one transaction, with the
 * timeline it implies, the alerts raised on it, and manual edits. Devices keep the engine's own
 * ids; merges (merges.ts) and edits are applied when reading (views.ts), so re-analysis can
 * overwrite what the engine says without touching what a person said. This class writes; the
 * offline scan, merges and read views are its parts.
 */
export class Store {
  readonly db: Database.Database;
  /** Numbers this process's writes: counts from an earlier session are carried, not overwritten. */
  readonly session: number;
  private seqNo: number;
  private deviceCount: number;
  /** Manual edits by the (canonical) id they were made on, as on disk. */
  readonly edits = new EditBook();
  /** Devices written by this session with nothing carried from earlier ones: what the timeline compares. */
  private readonly fresh = new Map<string, Tracked>();
  /** Whether edges from earlier sessions exist (their counts must be carried under this session's). */
  private readonly carryEdges: boolean;
  private readonly q: Statements;
  private readonly merges: Merges;
  private readonly offline: OfflineScan;
  private readonly views: StoreViews;
  /** The sensors' console's checkpoint, a row per record of its merge (written through `also`). */
  readonly checkpoint: CheckpointRecords;

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
    const db = this.db;
    this.q = prepareStatements(db);
    this.merges = new Merges(db, this.q, o.autoMerge !== false);
    this.offline = new OfflineScan(this.q, o.offlineAfterMs ?? 10 * 60 * 1000);
    this.views = new StoreViews(db, this.q, this.merges, this.edits);
    this.checkpoint = new CheckpointRecords(db);
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
    for (const r of this.db.prepare('SELECT device_id, field, value FROM edits').iterate() as Iterable<{
      device_id: string;
      field: EditableField;
      value: string;
    }>)
      this.edits.set(r.device_id, r.field, r.value);
    for (const r of this.db
      .prepare('SELECT id, json, online, last_seen FROM devices')
      .iterate() as Iterable<DeviceRow>) {
      if (r.online === 1) this.offline.seen(r.id, Date.parse(r.last_seen));
      if (this.merges.auto && r.id.startsWith('mac:')) this.merges.know(JSON.parse(r.json) as DeviceJson);
    }
  }

  // ---- writing ----

  /**
   * Write one change-stream batch, with the alerts raised on it, in one transaction. `meta` pairs
   * (the alert baseline's learning state, for one) are written in the same transaction, and so is
   * what `also` writes (the console's checkpoint records).
   */
  commit(
    b: DeltaBatch,
    alerts: readonly AlertJson[] = [],
    meta: Record<string, string> = {},
    also?: () => void,
  ): CommitResult {
    return this.db
      .transaction(() => {
        const w = new Work(++this.seqNo);
        const whole = b.cumulative === true;
        for (const id of b.devicesDeleted) this.deleteDevice(id);
        for (const u of b.upserts) this.upsert(w, u, whole);
        // Before the edges are written: the batch may make a pair it found wrong anew.
        for (const e of b.edgesDeleted) this.deleteEdge(w, e);
        for (const e of b.edges) this.putEdge(w, e, whole);
        for (const id of b.removed) w.removed.add(this.canon(id));
        for (const e of b.edgesRemoved) w.edgesRemoved.push(e);
        const now = Date.parse(b.stats.lastSeen ?? '');
        if (Number.isFinite(now)) this.offline.scan(w, now, (id) => this.canon(id));
        for (const a of alerts) this.putAlert(w, a);
        this.q.setMeta.run('stats', JSON.stringify(b.stats));
        for (const [k, v] of Object.entries(meta)) this.q.setMeta.run(k, v);
        also?.();
        return this.finish(w, b.stats.lastSeen);
      })
      .immediate();
  }

  /** Keep the run's counters as they end (the last batch may predate a source's end). */
  keepStats(stats: InventoryStats): void {
    this.q.setMeta.run('stats', JSON.stringify(stats));
  }

  /** Store alerts raised outside a batch (none are lost when no device changed); `meta`, `also` as commit's. */
  commitAlerts(
    alerts: readonly AlertJson[],
    meta: Record<string, string> = {},
    also?: () => void,
  ): CommitResult {
    return this.db
      .transaction(() => {
        const w = new Work(++this.seqNo);
        for (const a of alerts) this.putAlert(w, a);
        for (const [k, v] of Object.entries(meta)) this.q.setMeta.run(k, v);
        also?.();
        return this.finish(w, null);
      })
      .immediate();
  }

  private finish(w: Work, captureAt: string | null): CommitResult {
    const upserts: StoredDevice[] = [];
    for (const id of w.touched) {
      if (this.merges.isAlias(id)) continue;
      const d = this.merges.hasAliases(id) ? undefined : w.written.get(id);
      const v = d !== undefined ? this.views.decorate(d, this.offline.has(id), []) : this.views.view(id);
      if (v !== null) upserts.push(v);
    }
    for (const id of w.groups) for (const e of this.views.groupEdges(id)) w.edges.push(e);
    const shown = w.pairs.size === 0 ? null : new Set(w.edges.map((e) => pairKey(e.a, e.b)));
    for (const p of w.pairs) {
      if (shown?.has(p) === true) continue;
      const [a, b] = pairOf(p);
      const e = this.views.pairEdge(a, b);
      // No row left between them (a deleted edge): the pair is no longer shown.
      if (e !== null) w.edges.push(e);
      else w.edgesRemoved.push({ a, b });
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
      edgesRemoved: stillGone(w),
      timeline: w.timeline,
      alerts: w.alerts,
    };
  }

  /** `whole`: `u` is the device's total over every session (a console's merge), written as it is. */
  private upsert(w: Work, u: DeviceJson, whole: boolean): void {
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
        base = whole ? null : row.session === this.session ? row.base : row.json;
        if (base !== null) stored = carryDevice(JSON.parse(base) as DeviceJson, u);
      }
    }
    for (const t of diffDevice(prev, stored)) w.timeline.push(t);
    if (prev !== null && !this.offline.has(u.id) && stored.lastSeen > prev.lastSeen)
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
    this.offline.seen(u.id, Date.parse(stored.lastSeen));
    w.touched.add(this.canon(u.id));
    w.written.set(u.id, stored);
    this.merges.autoMergeFor(w, stored, (id) => this.views.groupEdges(id, true));
  }

  /** `whole`: `e` is the edge's total over every session (a console's merge), written as it is. */
  private putEdge(w: Work, e: EdgeJson, whole: boolean): void {
    const plain = this.views.shownAsIs(e);
    const protocols = e.protocols.join(',');
    if (whole || !this.carryEdges) {
      // A console's totals replace the row; one analysis's first session has nothing to carry.
      (whole ? this.q.putWholeEdge : this.q.putNewEdge).run(
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
    const a = this.canon(e.a);
    const b = this.canon(e.b);
    if (!plain && a !== b) w.pairs.add(pairKey(a, b));
  }

  /**
   * A device a console's merge no longer holds (its id now says its site, its site was dropped, or
   * it was pruned): its row goes, with any edge row left at it, so the store shows what the merge
   * does. Its timeline stays under the old id; its edits move with the merge (MergedView).
   */
  private deleteDevice(id: string): void {
    if (this.q.delDevice.run(id).changes === 0) return;
    this.deviceCount--;
    this.fresh.delete(id);
    this.offline.forget(id);
    this.q.delEdgesOf.run(id, id);
  }

  /**
   * An edge the engine found wrong (a router's move left nothing of it): its rows go, either way
   * round and with what earlier sessions counted on the pair, so the store shows what the engine
   * does. Evicted edges are not deleted (docs/store.md).
   */
  private deleteEdge(w: Work, e: { a: string; b: string }): void {
    if (this.q.delEdge.run(e.a, e.b).changes + this.q.delEdge.run(e.b, e.a).changes === 0) return;
    const a = this.canon(e.a);
    const b = this.canon(e.b);
    // What is shown between them is summed again (merged ids may have rows of their own), or goes.
    if (a !== b) w.pairs.add(pairKey(a, b));
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

  // ---- manual edits ----

  /** Set (or with null, clear) a manual field on a device (on the device it is merged into, if any). */
  edit(id: string, field: EditableField, value: string | null): CommitResult {
    const v = checkEdit(field, value);
    const target = this.canon(id);
    if (this.q.hasDevice.get(target) === undefined) {
      // A device whose row a console's merge deleted (its id changed): its edits, moved, are cleared.
      if (v !== null || this.edits.get(target)?.[field] === undefined)
        throw new RangeError(`no device ${id}`);
      return this.db
        .transaction(() => {
          this.q.delEdit.run(target, field);
          this.edits.set(target, field, null);
          return this.finish(new Work(++this.seqNo), null);
        })
        .immediate();
    }
    return this.db
      .transaction(() => {
        const w = new Work(++this.seqNo);
        const before = this.views.view(target)!;
        const old =
          field === 'name'
            ? before.hostname
            : field === 'authorization'
              ? before.authorization
              : before[field];
        const at = new Date().toISOString();
        if (v === null) this.q.delEdit.run(target, field);
        else this.q.putEdit.run(target, field, v, at);
        this.edits.set(target, field, v);
        w.timeline.push({ deviceId: target, at, field, old: old ?? null, new: v, source: 'manual' });
        w.touched.add(target);
        return this.finish(w, null);
      })
      .immediate();
  }

  /** Manual edits by device id (the id they were made on, or merged into). */
  manualEdits(): Map<string, ManualEdits> {
    return this.edits.all();
  }

  // ---- reading (views.ts) ----

  canon(id: string): string {
    return this.merges.canon(id);
  }

  /** A device as shown: merged devices folded in, manual edits on top; null when unknown. */
  device(id: string): StoredDevice | null {
    return this.views.view(this.canon(id));
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

  /**
   * Until a console has checked them (meta `console-rows`, set by the schema's step 6 and by the
   * console's commit that deletes what its merge does not give), the ids of the rows a console wrote
   * (its devices say their site) and of the edges that touch them: what its merge must account for
   * when it restores (MergedView.restore). Null once checked: this version's console keeps its rows
   * to its checkpoint, so the scan (about a second a million rows) is paid once per file.
   */
  consoleRows(): { devices: string[]; edges: { a: string; b: string }[] } | null {
    if (this.meta(CONSOLE_ROWS_KEY) !== 'unchecked') return null;
    const devices = this.db
      .prepare("SELECT id FROM devices WHERE json_extract(json, '$.site') IS NOT NULL")
      .pluck()
      .all() as string[];
    const edges = this.db
      .prepare(
        `WITH sited AS (SELECT id FROM devices WHERE json_extract(json, '$.site') IS NOT NULL)
         SELECT a, b FROM edges WHERE a IN sited OR b IN sited`,
      )
      .all() as { a: string; b: string }[];
    return { devices, edges };
  }

  /** Every device as shown (merged ones appear once, under the id they were merged into). */
  devices(): StoredDevice[] {
    return this.views.devices();
  }

  /** Every edge as shown: endpoints mapped through merges, parallel edges summed, self-loops dropped. */
  edges(): EdgeJson[] {
    return this.views.edges();
  }

  /** A device's timeline, oldest first, merged ids included (`limit`: the first entries, or with `latest` the last). */
  timeline(id: string, o: { limit?: number; latest?: boolean } = {}): TimelineEntry[] {
    return this.views.timeline(id, o);
  }

  alerts(q: AlertQuery = {}): AlertJson[] {
    return queryAlerts(this.db, q);
  }

  /** How many stored alerts match `q` (its limit aside). */
  alertCount(q: AlertQuery = {}): number {
    return countAlerts(this.db, q);
  }

  /** Everything the store knows, as an inventory (what a restarted app shows before new traffic). */
  snapshot(): StoredInventory {
    return this.views.snapshot(this.meta('stats'));
  }
}

/** Removed edges that the same commit does not show again (merged views replace what they were). */
function stillGone(w: Work): { a: string; b: string }[] {
  if (w.edgesRemoved.length === 0) return [];
  const shown = new Set<string>();
  for (const e of w.edges) shown.add(pairKey(e.a, e.b));
  const seen = new Set<string>();
  return w.edgesRemoved.filter((e) => {
    const k = pairKey(e.a, e.b);
    if (shown.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
