/**
 * The console's inventory when it follows sensors (`serve --nats`): every sensor delta joined into
 * one PartialAccumulator (the partial-inventory merge: per source, idempotent, order-free), the
 * inventory it yields rebuilt at most once per collection interval, and what changed since the last
 * one sent to the UI as deviceDelta events through the InventoryView, as a capture run's changes are.
 * Sensor alerts go out through the AlertService carrying their site and sensor.
 *
 * With a device store, each batch is committed to it, and every `checkpointMs` (and at close) the
 * checkpoint goes in the same transaction: the records of the merge changed since the last one (a
 * row per device, edge, DNS name, hearsay, edit and source: src-main/store/checkpoint-records.ts;
 * those the merge no longer holds deleted), and the last stream sequence taken from each site (meta
 * `sites.checkpoint`). A restarted console loads that checkpoint, shows its inventory at once (the
 * broker may be down), and follows each stream from the sequence after it. Devices committed after
 * the last checkpoint come again from the stream: the merge is idempotent, so the replay changes
 * nothing.
 *
 * The store shows the merge as it is (docs/store.md, What merges where): each batch is the merge's
 * totals (`cumulative`: nothing carried from the store's earlier sessions), the devices and edges
 * the merge no longer has lose their rows (`devicesDeleted`, `edgesDeleted`; after a restart, those
 * of the checkpoint restored as well), and the store merges none of them by address.
 *
 * Manual edits are the engine's one EditBook (the store's with --db, so they come back at restart),
 * keyed by merged device id and applied over the merge wherever a device is shown: in the deltas
 * (InventoryView.publish), snapshots, details and exports. The merge itself never sees them, so no
 * sensor's delta can overwrite a manual value. A device's id is its local one until another device
 * would share it (the same MAC or private address at a second site), then every id says where it is
 * (docs/schema.md): its edits then move to its new id, in the store too, before the UI is sent it.
 *
 * With `--forward`, each rebuild's devices go to the forwarding as a recorder's batches would (one
 * `discovered` per merged device, `changed` when its identity moves; an id that becomes qualified is
 * the same device), and every alert once: the sensors' with the ids they gave them and their merged
 * device (as `inventory --nats --forward` sends them), the console's own (sensor silences, skews)
 * as raised. A restart from the checkpoint forwards none of the devices it holds again, and the
 * alerts the store holds are not sent again when a stream is replayed.
 */
import { createHash } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import {
  inventoryFromPartial,
  PartialAccumulator,
  parsePartial,
  partialDeviceIds,
  withoutSite,
  type PartialInventory,
} from '../../shared/inventory/partial';
import { RECORD_KINDS } from '../../shared/inventory/partial-accumulator';
import { streamName } from '../../shared/sensor/subjects';
import { IncrementalInventory } from '../../shared/inventory/partial-incremental';
import type { DeltaBatch } from '../../shared/inventory/changes';
import { EDITABLE, type EditBook } from '../../shared/inventory/edits';
import type { CompiledRule } from '../../shared/classify';
import type { AlertJson } from '../../shared/model/alert';
import type { DeviceJson, EdgeJson, InventoryJson, InventoryStats } from '../../shared/model/inventory';
import type { Snapshot, CaptureStatus } from '../../shared/ipc/contract';
import type { SensorMessage } from '../../shared/sensor/messages';
import { IPC_LIMITS } from '../../shared/ipc/limits';
import { CallFailure } from '../ipc/engine-api';
import type { AlertService } from './alert-service';
import type { InventoryView } from './inventory-view';
import { errorText, type StoreLink } from './store-link';
import { SensorBook, type SensorBookOptions } from './sensor-book';
import type { MergedForwarding } from '../forward/host-forwarding';
import { localId } from '../sensor/merged-events';
import { loadRecords, saveRecords, type CheckpointRecords } from '../store/checkpoint-records';
import { moreHeapAdvice } from './heap-room';
import { pairKey } from '../store/edge-rows';
import { CONSOLE_ROWS_KEY } from '../store/migrations';

/** The store's meta key of the checkpoint: the last sequence per site (and the merge, in version 1). */
export const CHECKPOINT_KEY = 'sites.checkpoint';

interface Checkpoint {
  /** 1: the whole merged partial in `partial` (written before version 2); 2: the merge in rows. */
  v: 1 | 2;
  seqs: Record<string, number>;
  /** When each site's stream was created (JetStream's `created`): a new one restarts its sequences. */
  created?: Record<string, string>;
  partial?: unknown;
  /** Version 2: the number of this checkpoint (each row says which one last wrote it). */
  n?: number;
}

export interface MergedViewOptions {
  /** How often changes are rebuilt and sent, ms. */
  collectMs: number;
  /** How often the checkpoint is written to the store, ms (default 5 s). */
  checkpointMs?: number;
  rules: readonly CompiledRule[];
  vendorOf: (mac: number) => string | null;
  /** How the sensors are judged (silence, clock skew) and their alerts worded. */
  sensors?: SensorBookOptions;
  /** Where the merged devices and every alert are forwarded (`serve --nats --forward`). */
  forward?: MergedForwarding;
}

/** Alert ids remembered as forwarded: a replayed stream repeats at most this many recent ones. */
const FORWARDED_ALERTS = 100_000;

const edgeId = (e: { a: string; b: string }) => `${e.a}\n${e.b}`;

/** 48 bits of its JSON's SHA-1: two versions that differ collide once in 2^48 comparisons. */
const digest = (x: DeviceJson | EdgeJson): number =>
  createHash('sha1').update(JSON.stringify(x)).digest().readUIntBE(0, 6);

export class MergedView {
  private acc: PartialAccumulator;
  /** The merged inventory, rebuilt where the deltas since the last rebuild touched it. */
  private inc: IncrementalInventory;
  private readonly seqs = new Map<string, number>();
  private readonly created = new Map<string, string>();
  /**
   * What the UI was last sent, each device by id and each edge by its ends: a digest of its JSON
   * (the text itself would double what the console holds, a kilobyte a device at a million).
   */
  private shown = new Map<string, number>();
  private shownEdges = new Map<string, number>();
  /**
   * Each device's id by its partial key before `inc` was made (from the checkpoint, or the merge a
   * site was dropped from): the first rebuild of a new `inc` is compared with all of what the UI was
   * sent, and moves edits by these; later ones go by what the rebuild says it changed.
   */
  private keyIds = new Map<string, string>();
  /**
   * The devices and edges of the checkpoint restored and the store's rows of a console, until the
   * first rebuild: it deletes the rows of those the merge no longer has (the UI was sent none of them).
   */
  private restored: { devices: string[]; edges: { a: string; b: string }[] } | null = null;
  /** The store's rows of a console are checked in the next commit (Store.consoleRows). */
  private markRowsChecked = false;
  private fresh = true;
  /** The share of the heap last warned about (checkHeap). */
  private heapWarned = 0;
  /** Whether the merged inventory was rebuilt yet. */
  private built = false;
  private dirty = false;
  private alertsDue: AlertJson[] = [];
  /** With forwarding: the sensors' alerts as they sent them, by the console's id for them. */
  private readonly siteAlerts = new Map<string, { site: string; alert: AlertJson }>();
  /** With forwarding: the ids of the alerts forwarded (or stored by an earlier run), oldest first. */
  private readonly forwarded = new Set<string>();
  /**
   * The merged devices by `site NUL sensor's id`, for alerts: made whole when first asked after a
   * rebuild of everything, then kept up to date with what each rebuild says it changed. An entry
   * whose device went is dropped when looked up (a removal names the id, not the site).
   */
  private bySite: Map<string, DeviceJson> | null = null;
  /** Checkpoints written (with the store's: numbers the next one). */
  private checkpoints = 0;
  /** The next checkpoint deletes every row first: the rows are not those of this merge. */
  private resetRecords = true;
  private refusedCount = 0;
  private lastCheckpoint = 0;
  private readonly timer: NodeJS.Timeout;
  private batchSeq = 0;
  /** The sensors: health, last contact, clock; their disconnections and skews as alerts. */
  readonly sensors: SensorBook;

  constructor(
    private readonly view: InventoryView,
    private readonly alerts: AlertService,
    private readonly link: StoreLink,
    private readonly edits: EditBook,
    private readonly o: MergedViewOptions,
  ) {
    this.sensors = new SensorBook((a) => this.alertsDue.push(...a), o.sensors);
    this.acc = this.merge();
    this.inc = this.follow();
    this.restore();
    this.timer = setInterval(() => this.tick(), o.collectMs);
    this.timer.unref();
  }

  /** The stream sequence to follow a site from: the one after the last taken (1 for a new site). */
  private resumeFrom(site: string): number {
    return (this.seqs.get(site) ?? 0) + 1;
  }

  /**
   * The stream a site is followed on, as the broker describes it now. A stream created since the
   * one this console read (deleted and created again: its sequences start over, so the position
   * kept means nothing there) is read again from its start, and what the old one said is dropped
   * from the merge (the merge cannot subtract it, and the old stream is gone). Says so in one line.
   * Returns the sequence to follow the site from.
   */
  stream(site: string, created: string, lastSeq: number): number {
    const was = this.created.get(site);
    const seq = this.seqs.get(site) ?? 0;
    this.created.set(site, created);
    // A checkpoint from before `created` was kept: a stream shorter than the position is a new one.
    const recreated = was !== undefined ? was !== created : lastSeq < seq;
    if (recreated && seq > 0) {
      this.link.log(
        `stream ${streamName(site)} was deleted and created again (${was !== undefined ? `created ${was}, now ${created}` : `it ends at ${lastSeq}, this console had read to ${seq}`}): dropping what site ${site}'s old stream said and reading the new one from its start`,
      );
      this.dropSite(site);
    }
    return this.resumeFrom(site);
  }

  /** A merge that tracks what a checkpoint must write when there is a store to write it to. */
  private merge(): PartialAccumulator {
    return new PartialAccumulator({ unsaved: this.link.store !== null });
  }

  /** The merge without a site, its sensors forgotten, its stream position back to the start. */
  private dropSite(site: string): void {
    const was = this.acc;
    const rest = withoutSite(was.partial(), site);
    // The ids the UI was last sent (an `inc` not rebuilt yet here has none of its own).
    if (!this.fresh) this.keyIds = new Map(this.inc.deviceIds);
    this.acc = this.merge();
    this.acc.add(rest);
    // The rows hold what stays as it was: the next checkpoint writes what was not saved yet, and
    // deletes the site's records.
    const unsaved = was.unsaved();
    this.acc.unsaved();
    for (const kind of RECORD_KINDS) {
      this.acc.markUnsaved(kind, unsaved.get(kind) ?? []);
      const gone = [];
      for (const k of was.keys(kind)) if (this.acc.record(kind, k) === undefined) gone.push(k);
      this.acc.markUnsaved(kind, gone);
    }
    this.inc = this.follow();
    this.seqs.delete(site);
    this.sensors.forget(site);
    this.dirty = true;
  }

  /** Whether the merged inventory (as last rebuilt) holds a device of this id. */
  has(id: string): boolean {
    this.tick();
    return this.shown.has(id);
  }

  /**
   * After an edit of a device: it as the person now sees it, sent to the UI as a delta of its own
   * (a rebuild sends only what the sensors changed). Null when the merge holds no such device.
   */
  edited(id: string): DeviceJson | null {
    const d = this.built ? this.inc.device(id) : undefined;
    if (d === undefined) return null;
    const shown = this.edits.apply(d);
    this.view.publishStored(shown);
    return shown;
  }

  /** The merged devices as last rebuilt (no edits: what forwarding sends). */
  current(): DeviceJson[] {
    this.tick();
    return [...(this.inv?.devices ?? [])];
  }

  /** The merged inventory as last rebuilt (made whole and sorted when asked), or null before. */
  private get inv(): InventoryJson | null {
    return this.built ? this.inc.inventory() : null;
  }

  /** Messages refused so far (malformed, or not the sending sensor's own). */
  get refused(): number {
    return this.refusedCount;
  }

  get devices(): number {
    return this.built ? this.inc.size : 0;
  }

  /** One checked message of a site's stream, at its sequence there, stored by the broker at `storedAt` ms. */
  take(site: string, seq: number, m: SensorMessage, storedAt: number): void {
    this.seqs.set(site, Math.max(seq, this.seqs.get(site) ?? 0));
    if (m.kind === 'delta') {
      this.acc.add(m.partial);
      this.dirty = true;
    } else if (m.kind === 'alert') {
      // Alert ids are the sensor's own: another sensor's may be equal, so each carries where it is from.
      const a = m.alert;
      const id = `${m.site}/${m.sensor}|${a.id}`.slice(0, IPC_LIMITS.id);
      if (this.o.forward !== undefined) this.siteAlerts.set(id, { site: m.site, alert: a });
      this.alertsDue.push({
        ...a,
        id,
        detail: { ...a.detail, site: m.site, sensor: m.sensor },
      });
    } else this.sensors.health(m, storedAt);
  }

  /** A message that failed its checks: skipped (its sequence is still behind us), counted. */
  refuse(site: string, seq: number): void {
    this.seqs.set(site, Math.max(seq, this.seqs.get(site) ?? 0));
    this.refusedCount++;
  }

  /** Rebuild when something changed, commit it (with a due checkpoint), send the difference. */
  tick(force = false): void {
    this.sensors.check();
    const alerts = this.alertsDue;
    this.alertsDue = [];
    let batch: DeltaBatch | null = null;
    let moved: [string, string][] = [];
    if (this.dirty) {
      this.dirty = false;
      [batch, moved] = this.rebuild();
      this.checkHeap();
    }
    if (this.o.forward !== undefined) this.forward(this.o.forward, batch, moved, alerts, force);
    this.commit(batch, alerts, force);
    // After the commit: the store keeps edits of devices it holds.
    for (const [from, to] of moved) this.moveEdits(from, to);
    if (batch !== null) this.view.publish(batch);
    if (alerts.length > 0) this.alerts.publish(alerts);
  }

  /**
   * Said once (again only past the next tenth): the merge and its inventory fill most of the heap V8
   * allows this process, which it would end by running out of (a million devices take about 3.3 GB
   * here; a console asks for half the machine's memory, src-main/cli/heap.ts, and the desktop app's
   * engine at most 4 GB, heap-room.ts).
   */
  private checkHeap(): void {
    const { used_heap_size: used, heap_size_limit: limit } = getHeapStatistics();
    const share = Math.floor((used / limit) * 10) / 10;
    if (share < 0.7 || share <= this.heapWarned) return;
    this.heapWarned = share;
    const gb = (n: number) => (n / 2 ** 30).toFixed(1);
    this.link.log(
      `the merged inventory of ${this.acc.size} devices uses ${gb(used)} GB of this process's ${gb(limit)} GB heap: ` +
        moreHeapAdvice(limit),
    );
  }

  /**
   * The rebuild's devices and the alerts not forwarded before, queued before the checkpoint that
   * records them is written (a kill between the two sends them again, with the same ids).
   */
  private forward(
    f: MergedForwarding,
    batch: DeltaBatch | null,
    moved: [string, string][],
    alerts: AlertJson[],
    force: boolean,
  ): void {
    for (const [from, to] of moved) f.renamed(from, to);
    if (batch !== null) f.recorded({ delta: batch, alerts: [] });
    const fresh = alerts.filter((a) => !this.forwarded.has(a.id));
    if (fresh.length > 0)
      f.alertsOf(
        fresh.map((a) => {
          this.remember(a.id);
          const s = this.siteAlerts.get(a.id);
          return s === undefined
            ? { alert: a, device: null }
            : { alert: s.alert, device: this.deviceAt(s.site, s.alert.deviceId) };
        }),
      );
    this.siteAlerts.clear();
    if (force || Date.now() - this.lastCheckpoint >= (this.o.checkpointMs ?? 5000)) f.flush();
  }

  private remember(id: string): void {
    this.forwarded.add(id);
    if (this.forwarded.size > FORWARDED_ALERTS) this.forwarded.delete(this.forwarded.values().next().value!);
  }

  /** The merged device a sensor's alert is about: its site and the id that sensor gave it. */
  private deviceAt(site: string, id: string | null): DeviceJson | null {
    if (id === null || !this.built) return null;
    if (this.bySite === null) {
      this.bySite = new Map();
      for (const at of this.inc.deviceIds.values()) this.placeDevice(this.inc.device(at));
    }
    const k = `${site}\u0000${id}`;
    const d = this.bySite.get(k);
    if (d === undefined) return null;
    // Each rebuild puts the devices it made here: one that is not the merge's now went since.
    if (this.inc.device(d.id) === d) return d;
    this.bySite.delete(k);
    return null;
  }

  private placeDevice(d: DeviceJson | undefined): void {
    if (d !== undefined) this.bySite?.set(`${d.site ?? ''}\u0000${localId(d.id)}`, d);
  }

  private commit(batch: DeltaBatch | null, alerts: AlertJson[], force: boolean): void {
    const now = Date.now();
    const due = force || now - this.lastCheckpoint >= (this.o.checkpointMs ?? 5000);
    const store = this.link.writable;
    if (store === null || (batch === null && alerts.length === 0 && !(due && force))) return;
    const meta: Record<string, string> = {};
    let records: (() => void) | undefined;
    // With the first rebuild after a restore, which deleted the rows the merge does not give.
    const checked = this.markRowsChecked && this.restored === null && batch !== null;
    if (checked) meta[CONSOLE_ROWS_KEY] = 'checked';
    if (due) {
      const c = this.checkpoint();
      meta[CHECKPOINT_KEY] = c.meta;
      records = () => c.write(store.checkpoint);
      this.lastCheckpoint = now;
    }
    try {
      if (batch !== null) store.commit(batch, alerts, meta, records);
      else store.commitAlerts(alerts, meta, records);
      if (checked) this.markRowsChecked = false;
    } catch (e) {
      this.link.stopped(e);
    }
  }

  /** A device's id changed: its edits go with it (unless it already has edits of its own). */
  private moveEdits(from: string, to: string): void {
    const e = this.edits.get(from);
    if (e === undefined || this.edits.get(to) !== undefined) return;
    for (const f of EDITABLE) {
      const v = e[f];
      if (v === undefined) continue;
      this.keepEdit(to, f, v);
      this.keepEdit(from, f, null);
    }
  }

  private keepEdit(id: string, f: (typeof EDITABLE)[number], v: string | null): void {
    const store = this.link.writable;
    try {
      if (store !== null) return void store.edit(id, f, v);
    } catch (e) {
      this.link.log(`the edit of ${id} was not stored: ${errorText(e)}`);
    }
    this.edits.set(id, f, v);
  }

  /**
   * The checkpoint's meta, and what writes its rows (in the commit's transaction, right after): the
   * records changed since the last one.
   */
  private checkpoint(): { meta: string; write: (rows: CheckpointRecords) => void } {
    const n = ++this.checkpoints;
    const c: Checkpoint = {
      v: 2,
      seqs: Object.fromEntries(this.seqs),
      created: Object.fromEntries(this.created),
      n,
    };
    const unsaved = this.acc.unsaved();
    const acc = this.acc;
    const reset = this.resetRecords;
    this.resetRecords = false;
    return {
      meta: JSON.stringify(c),
      write: (rows) => {
        if (reset) rows.clear();
        saveRecords(rows, acc, unsaved, n);
      },
    };
  }

  /**
   * The store's checkpoint, when there is one: its merge and sequences. A bad one is said and left
   * (until the next checkpoint, which writes every record again).
   */
  private restore(): void {
    const store = this.link.store;
    const raw = store?.meta(CHECKPOINT_KEY) ?? null;
    if (raw === null) return;
    try {
      const c = JSON.parse(raw) as Checkpoint;
      if (c.v === 2) {
        const unsummed = loadRecords(store!.checkpoint, this.acc);
        // What was read is what the rows hold, but for rows past the merge's caps (pruned as read).
        for (const [kind, keys] of this.acc.unsaved())
          this.acc.markUnsaved(
            kind,
            keys.filter((k) => this.acc.record(kind, k) === undefined),
          );
        // Rows without their sum (an older Glasspane's) are written again with it, to be read faster.
        for (const [kind, keys] of unsummed) this.acc.markUnsaved(kind, keys);
        this.resetRecords = false;
        this.checkpoints = Number.isSafeInteger(c.n) ? c.n! : 0;
      } else {
        if (c.v !== 1)
          throw new Error(`its checkpoint is of version ${String(c.v)}, which this Glasspane does not know`);
        // Version 1, the whole merge in the meta (a store written before version 2): read once. The
        // merge it makes is all unsaved, so the next checkpoint writes every record (after clearing
        // the rows, which a later version 1 writer would have left behind) and a version 2 meta.
        const p = parsePartial(c.partial);
        if (!p.ok) throw new Error(p.reason);
        this.acc.add(p.partial);
      }
      this.keyIds = partialDeviceIds(this.acc.partial());
      for (const [site, seq] of Object.entries(c.seqs))
        if (Number.isInteger(seq) && seq > 0) this.seqs.set(site, seq);
      for (const [site, at] of Object.entries(c.created ?? {}))
        if (typeof at === 'string') this.created.set(site, at);
      this.inc.rebuild();
      const held = this.inc.inventory();
      // Their ids only (the strings are the merge's own): a list costs a pointer a device or edge.
      this.restored = {
        devices: held.devices.map((d) => d.id),
        edges: held.edges.map((e) => ({ a: e.a, b: e.b })),
      };
      // Once per file: the rows an older Glasspane's console left under ids its merge no longer
      // gives go at the first rebuild too (null once checked, so a restart builds no sets for it).
      const rows = store!.consoleRows();
      this.markRowsChecked = rows !== null;
      if (rows !== null) {
        const ids = new Set(this.restored.devices);
        // A row may hold a pair the other way round (the store deletes both ways).
        const ends = new Set(held.edges.map((e) => pairKey(e.a, e.b)));
        for (const id of rows.devices) if (!ids.has(id)) this.restored.devices.push(id);
        for (const e of rows.edges) if (!ends.has(pairKey(e.a, e.b))) this.restored.edges.push(e);
      }
      // What the checkpoint holds was forwarded by the run that wrote it (queued before it).
      const f = this.o.forward;
      if (f !== undefined) {
        f.forwardedBefore(held.devices);
        for (const a of store!.alerts({ limit: FORWARDED_ALERTS, newestFirst: true }).reverse())
          this.remember(a.id);
      }
      // The first tick sends it all (the UI's first delta starts from nothing).
      this.dirty = true;
    } catch (e) {
      this.acc = this.merge();
      this.resetRecords = true;
      this.restored = null;
      this.inc = this.follow();
      this.seqs.clear();
      this.created.clear();
      this.link.log(`the store's merged inventory cannot be read (${errorText(e)}): replaying the streams`);
    }
  }

  private follow(): IncrementalInventory {
    this.fresh = true;
    return new IncrementalInventory(this.acc, {
      rules: this.o.rules,
      vendorOf: this.o.vendorOf,
      identity: false,
    });
  }

  private build(evidence: boolean, p: PartialInventory = this.acc.partial()): InventoryJson {
    return inventoryFromPartial(p, {
      rules: this.o.rules,
      vendorOf: this.o.vendorOf,
      evidence,
      identity: evidence,
    });
  }

  /**
   * The merged inventory again, and what differs from what the UI was last sent, as one batch; with
   * the devices whose id changed, as [old id, new id]. Only what the rebuild says it rebuilt is
   * compared (as text: a device rebuilt the same is not sent again), except after a new `inc`.
   */
  private rebuild(): [DeltaBatch, [string, string][]] {
    const ch = this.inc.rebuild();
    this.built = true;
    const fresh = this.fresh;
    this.fresh = false;
    // Made whole again when next asked after a rebuild of everything (ids may have moved).
    if (fresh || ch.full !== null) this.bySite = null;
    else for (const d of ch.devices) this.placeDevice(d);
    const devices = fresh ? this.inc.inventory().devices : ch.devices;
    const edgesNow = fresh ? this.inc.inventory().edges : ch.edges;
    let moved = ch.moved;
    let removed = ch.removed;
    let gone = ch.edgesRemoved.map(edgeId);
    // The store's rows of the checkpoint restored that the merge no longer has.
    const stale: { devices: string[]; edges: { a: string; b: string }[] } = { devices: [], edges: [] };
    if (fresh) {
      // All of it against all the UI was sent (nothing, at first; more, after a site was dropped).
      moved = [];
      for (const [key, id] of this.inc.deviceIds) {
        const was = this.keyIds.get(key);
        if (was !== undefined && was !== id) moved.push([was, id]);
      }
      this.keyIds = new Map();
      const ids = new Set(devices.map((d) => d.id));
      removed = [...this.shown.keys()].filter((id) => !ids.has(id));
      const ends = new Set(edgesNow.map(edgeId));
      gone = [...this.shownEdges.keys()].filter((k) => !ends.has(k));
      if (this.restored !== null) {
        stale.devices = this.restored.devices.filter((id) => !ids.has(id) && !this.shown.has(id));
        const pairs = new Set(edgesNow.map((e) => pairKey(e.a, e.b)));
        stale.edges = this.restored.edges.filter(
          (e) => !pairs.has(pairKey(e.a, e.b)) && !this.shownEdges.has(edgeId(e)),
        );
        this.restored = null;
      }
    }
    const upserts: DeviceJson[] = [];
    for (const d of devices) {
      const s = digest(d);
      if (this.shown.get(d.id) !== s) upserts.push(d);
      this.shown.set(d.id, s);
    }
    // Only what the UI was sent goes.
    removed = removed.filter((id) => this.shown.delete(id));
    const edges: EdgeJson[] = [];
    for (const e of edgesNow) {
      const s = digest(e);
      if (this.shownEdges.get(edgeId(e)) !== s) edges.push(e);
      this.shownEdges.set(edgeId(e), s);
    }
    gone = gone.filter((k) => this.shownEdges.delete(k));
    const edgesRemoved = gone.map((k) => {
      const [a, b] = k.split('\n') as [string, string];
      return { a, b };
    });
    const batch: DeltaBatch = {
      seq: ++this.batchSeq,
      at: ch.generatedAt,
      upserts,
      removed,
      // The same for devices: the store holds the merge's devices, under the ids it gives them now.
      devicesDeleted: stale.devices.length === 0 ? removed : [...removed, ...stale.devices],
      edges,
      edgesRemoved,
      // The store keeps what the merge holds, as its checkpoint does: an edge the merge no longer has
      // (re-keyed by a router's move or an id that changed, its site dropped, pruned at the merge's
      // caps) has its row deleted. There is no history to keep beyond the merge's own records.
      edgesDeleted: stale.edges.length === 0 ? edgesRemoved : [...edgesRemoved, ...stale.edges],
      alerts: [],
      stats: ch.stats,
      // The merge restored from the checkpoint holds what earlier runs said: nothing is carried.
      cumulative: true,
    };
    return [batch, moved];
  }

  snapshot(sequence: number, status: CaptureStatus): Snapshot {
    this.tick();
    const L = IPC_LIMITS.snapshot;
    const inv = this.inv;
    return {
      sequence,
      devices: (inv?.devices ?? []).slice(0, L).map((d) => this.edits.apply(d)),
      edges: (inv?.edges ?? []).slice(0, L),
      status,
    };
  }

  /**
   * One device with its evidence (and who heard it): made from its record and its neighbours' as the
   * last rebuild made it, or, where only a whole rebuild can tell, the merge rebuilt with evidence.
   */
  device(id: string): DeviceJson {
    this.tick();
    const quick = this.inc.details(id, { evidence: true, identity: true });
    const d = quick === undefined ? undefined : (quick ?? this.build(true).devices.find((x) => x.id === id));
    if (d === undefined) throw new CallFailure('bad-request', `no device ${id} in the merged inventory`);
    return this.edits.apply(d);
  }

  /** What an export needs: every device with edits and identity sections, and the merge's stats. */
  report(): { devices: DeviceJson[]; edges: EdgeJson[]; stats: InventoryStats } {
    this.tick();
    const inv = this.build(true);
    return {
      // Evidence stays with device details, as in a snapshot; identity sections go in reports.
      devices: inv.devices.map(({ evidence: _evidence, ...d }) => this.edits.apply(d)),
      edges: inv.edges,
      stats: inv.stats,
    };
  }

  /** The last changes sent and committed, the checkpoint written; the timer stopped. */
  close(): void {
    clearInterval(this.timer);
    this.tick(true);
  }
}
