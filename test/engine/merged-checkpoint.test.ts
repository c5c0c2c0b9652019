/**
 * The sensors' console's checkpoint (src-main/engine/merged-view.ts) on a real SQLite store: one row
 * per record of the merge, and each checkpoint writes only the records changed since the last one
 * (counted on the store's rows: each says which checkpoint last wrote it). A console restored from
 * the rows, or from the one JSON meta an earlier version wrote, shows what the one that wrote it
 * showed; one closed without its last checkpoint (a kill -9) comes back at the checkpoint before and
 * the replay of the streams gives the rest; a damaged row is said in one line and everything is
 * replayed; a dropped site's rows go. And sensors' alerts land on their merged device after rebuilds
 * that change ids (the console's device lookup, kept up to date from what each rebuild changed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  inventoryFromPartial,
  PartialAccumulator,
  withoutSite,
  type PartialInventory,
} from '../../shared/inventory/partial';
import { LiveEvents } from '../../shared/forward/live-events';
import type { ForwardEvent } from '../../shared/forward/events';
import type { AlertJson } from '../../shared/model/alert';
import type { DeviceJson } from '../../shared/model/inventory';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { loadRules } from '../../src-main/classify/load';
import { vendorOf } from '../../src-main/engine/oui';
import { StoreLink } from '../../src-main/engine/store-link';
import { InventoryView } from '../../src-main/engine/inventory-view';
import { AlertService } from '../../src-main/engine/alert-service';
import { CHECKPOINT_KEY, MergedView } from '../../src-main/engine/merged-view';
import type { RunController } from '../../src-main/engine/run-controller';
import type { MergedForwarding } from '../../src-main/forward/host-forwarding';
import { localId } from '../../src-main/sensor/merged-events';
import { Store } from '../../src-main/store/store';
import { rowSum } from '../../src-main/store/checkpoint-sum';
import { corpusAvailable } from '../helpers/corpus';
import { arpSensor, captureDeltas, message, type Delta } from '../helpers/sensor-deltas';

const rules = loadRules();
const skip = corpusAvailable() ? false : 'the capture corpus (../shared/pcaps) is not here';

/** A console on the store at `path` (a checkpoint at every tick unless told), and what it said. */
function consoleOn(path: string, o: { checkpointMs?: number; forward?: MergedForwarding } = {}) {
  const store = new Store(path);
  const hub = createEventHub();
  const said: string[] = [];
  const link = new StoreLink(store, (m) => said.push(m));
  const runs = (): RunController => assert.fail('a sensors console has no capture run');
  const view = new InventoryView(hub, runs, link, store.edits);
  const alerts = new AlertService(hub, link, () => {});
  const m = new MergedView(view, alerts, link, store.edits, {
    collectMs: 3_600_000,
    checkpointMs: o.checkpointMs ?? 0,
    rules,
    vendorOf,
    forward: o.forward,
  });
  // Each site's stream position, as the console took it.
  const seqs = new Map<string, number>();
  const take = (d: Delta | { site: string; sensor: string; alert: AlertJson }) => {
    const n = (seqs.get(d.site) ?? 0) + 1;
    seqs.set(d.site, n);
    m.take(d.site, n, message(d, n, d), Date.now());
  };
  return { m, store, said, take, seqs };
}

/** The checkpoint's number (its meta), and how many rows it wrote. */
function lastCheckpoint(store: Store): { n: number; written: number; rows: number } {
  const c = JSON.parse(store.meta(CHECKPOINT_KEY)!) as { v: number; n: number };
  assert.equal(c.v, 2);
  return { n: c.n, written: store.checkpoint.writtenBy(c.n), rows: store.checkpoint.size };
}

/** How many records a merge holds (a row each). */
function records(p: PartialInventory): number {
  return (
    p.sources.length +
    p.devices.length +
    p.edges.length +
    p.dns.length +
    p.edits.length +
    (p.hearsay?.length ?? 0)
  );
}

/** What the console shows (devices and edges, as JSON) against a full rebuild of `p`. */
function assertShows(m: MergedView, p: PartialInventory, what: string): void {
  const full = inventoryFromPartial(p, { rules, vendorOf, identity: false });
  assert.ok(full.devices.length > 0, `${what}: nothing to compare`);
  assert.deepEqual(JSON.stringify(m.current()), JSON.stringify(full.devices), `${what}: devices`);
  assert.deepEqual(JSON.stringify(m.report().edges), JSON.stringify(full.edges), `${what}: edges`);
}

function tempStore(): { path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gp-merged-checkpoint-'));
  return { path: join(dir, 'console.db'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

test('each checkpoint writes the records changed since the last one; a restart from the rows shows the same', () => {
  const { path, done } = tempStore();
  try {
    const c = consoleOn(path);
    const hq = arpSensor('hq', 's1', 1);
    const plant = arpSensor('plant', 's2', 2);
    const acc = new PartialAccumulator();
    const take = (d: Delta) => {
      c.take(d);
      acc.add(d.partial);
    };
    take(hq.see(range(0, 300), 1000));
    take(plant.see(range(0, 150), 1000));
    c.m.tick();
    const first = lastCheckpoint(c.store);
    assert.equal(first.rows, records(acc.partial()));
    assert.equal(first.rows, 450 + 2);
    assert.equal(first.written, first.rows);
    for (let i = 1; i <= 5; i++) {
      // A few hosts seen again, a second later: their records and their sensor's change.
      const d = hq.see([i, 100 + i, 200 + i], 1000 + i);
      assert.equal(d.partial.devices.length, 3);
      take(d);
      if (i % 2 === 0) take(plant.see([i], 1000 + i));
      c.m.tick();
      const now = lastCheckpoint(c.store);
      assert.equal(now.n, first.n + i);
      assert.equal(
        now.written,
        i % 2 === 0 ? 3 + 1 + 1 + 1 : 3 + 1,
        `checkpoint ${now.n} wrote more than changed`,
      );
      assert.equal(now.rows, records(acc.partial()), 'every record has its row');
    }
    // What a row holds is the record as merged now.
    const key = acc.partial().devices.find((x) => x.id.includes('02:01:00:00:05:01'))!;
    const row = c.store.db
      .prepare("SELECT json, written FROM checkpoint_records WHERE kind = 'device' AND key = ?")
      .get(key.key) as { json: string; written: number };
    assert.equal(row.json, JSON.stringify(key));
    assert.equal(row.written, first.n + 5);
    assertShows(c.m, acc.partial(), 'the console that wrote it');
    const shown = JSON.stringify(c.m.current());
    c.m.close();
    c.store.close();

    const again = consoleOn(path);
    assert.deepEqual(again.said, []);
    // Its first tick sends the UI everything, and its checkpoint writes no record: none changed.
    again.m.tick();
    assert.deepEqual(lastCheckpoint(again.store), { n: first.n + 7, written: 0, rows: first.rows });
    assert.equal(JSON.stringify(again.m.current()), shown, 'restored from the rows');
    assertShows(again.m, acc.partial(), 'restored from the rows');
    // It follows each stream from the position the checkpoint kept.
    assert.deepEqual(
      [...c.seqs],
      [
        ['hq', 6],
        ['plant', 3],
      ],
    );
    assert.equal(again.m.stream('hq', 'c1', 6), 7);
    assert.equal(again.m.stream('plant', 'c1', 3), 4);
    again.m.close();
    again.store.close();
  } finally {
    done();
  }
});

test('a store with the JSON checkpoint of an earlier version restores, then keeps its checkpoint in rows', () => {
  const { path, done } = tempStore();
  try {
    const hq = arpSensor('hq', 's1', 1);
    const acc = new PartialAccumulator();
    acc.add(hq.see(range(0, 120), 1000).partial);
    acc.add(hq.see(range(50, 60), 1001).partial);
    // As the earlier version wrote it: the whole merge in the meta.
    const old = new Store(path);
    old.setMeta(
      CHECKPOINT_KEY,
      JSON.stringify({ v: 1, seqs: { hq: 2 }, created: { hq: 'c1' }, partial: acc.partial() }),
    );
    old.close();

    const c = consoleOn(path);
    assert.deepEqual(c.said, []);
    assertShows(c.m, acc.partial(), 'restored from the JSON checkpoint');
    assert.equal(c.m.stream('hq', 'c1', 2), 3);
    const now = lastCheckpoint(c.store);
    assert.equal(now.rows, 120 + 1, 'its first checkpoint wrote every record');
    assert.equal(now.written, now.rows);
    c.m.close();
    c.store.close();

    const again = consoleOn(path);
    assert.deepEqual(again.said, []);
    assertShows(again.m, acc.partial(), 'restored from the rows written after it');
    again.m.close();
    again.store.close();
  } finally {
    done();
  }
});

test('a store from before the rows had sums restores the same; its next checkpoint writes every row with its sum', () => {
  const { path, done } = tempStore();
  try {
    const c = consoleOn(path);
    const hq = arpSensor('hq', 's1', 1);
    const acc = new PartialAccumulator();
    for (const d of [hq.see(range(0, 200), 1000), hq.see([3, 4, 150], 1001)]) {
      c.take(d);
      acc.add(d.partial);
    }
    c.m.tick();
    const rows = lastCheckpoint(c.store).rows;
    c.m.close();
    c.store.close();
    // As an earlier Glasspane left it: schema version 4, rows without sums.
    const raw = new Database(path);
    raw.exec('ALTER TABLE checkpoint_records DROP COLUMN sum');
    raw.pragma('user_version = 4');
    raw.close();

    const again = consoleOn(path);
    assert.deepEqual(again.said, []);
    again.m.tick();
    assertShows(again.m, acc.partial(), 'restored from rows without sums');
    assert.deepEqual(lastCheckpoint(again.store), { n: 3, written: rows, rows }, 'every row written again');
    for (const r of again.store.checkpoint.all()) assert.equal(r.sum, rowSum(r.kind, r.key, r.json), r.key);
    again.m.close();
    again.store.close();

    const third = consoleOn(path);
    assert.deepEqual(third.said, []);
    third.m.tick();
    assertShows(third.m, acc.partial(), 'restored from the rows with their sums');
    assert.equal(lastCheckpoint(third.store).written, 0, 'nothing left to write');
    third.m.close();
    third.store.close();
  } finally {
    done();
  }
});

test(
  'closed without its last checkpoint (kill -9): back at the one before, and the replay gives the rest',
  { skip },
  async () => {
    const { path, done } = tempStore();
    try {
      const first = [
        ...(await captureDeltas('bacnet__icsnpp-bacnet__bacnet_example.pcap', 'hq', 's1', 40)),
        ...(await captureDeltas('dhcp__zeek__dhcp.pcap', 'plant', 's3', 10)),
      ];
      const later = await captureDeltas('multi-lan-mixed__zeek__wikipedia.pcap', 'hq', 's2', 8);
      // One checkpoint at the first tick, none after (an hour apart).
      const c = consoleOn(path, { checkpointMs: 3_600_000 });
      const acc = new PartialAccumulator();
      for (const d of first) {
        c.take(d);
        acc.add(d.partial);
      }
      c.m.tick();
      const checkpointed = acc.partial();
      const at = new Map(c.seqs);
      for (const d of later) {
        c.take(d);
        acc.add(d.partial);
      }
      c.m.tick();
      assertShows(c.m, acc.partial(), 'before the kill');
      // The batches are committed, the checkpoint is not: the process dies here.
      c.store.close();

      const again = consoleOn(path, { checkpointMs: 3_600_000 });
      assert.deepEqual(again.said, []);
      assertShows(again.m, checkpointed, 'restored to the checkpoint before');
      // The streams from the position it kept: hq's later deltas come again.
      assert.equal(again.m.stream('plant', 'c1', c.seqs.get('plant')!), c.seqs.get('plant')! + 1);
      let n = again.m.stream('hq', 'c1', c.seqs.get('hq')!);
      assert.equal(n, at.get('hq')! + 1);
      for (const d of later) {
        const k = n++;
        again.m.take('hq', k, message(d, k, d), Date.now());
      }
      again.m.tick();
      assertShows(again.m, acc.partial(), 'after the replay');
      // A replay of everything changes nothing: the merge is idempotent.
      for (const d of [...first, ...later]) again.take(d);
      again.m.close();
      assertShows(again.m, acc.partial(), 'after a second replay');
      assert.equal(lastCheckpoint(again.store).rows, records(acc.partial()));
      again.store.close();
    } finally {
      done();
    }
  },
);

test(
  'a damaged row is said in one line and everything is replayed; a dropped site leaves no row',
  { skip },
  async () => {
    const { path, done } = tempStore();
    try {
      const all = [
        ...(await captureDeltas('bacnet__icsnpp-bacnet__bacnet_example.pcap', 'hq', 's1', 40)),
        ...(await captureDeltas('dhcp__zeek__dhcp.pcap', 'plant', 's3', 10)),
      ];
      const acc = new PartialAccumulator();
      const c = consoleOn(path);
      c.m.stream('plant', 'c1', 0);
      for (const d of all) {
        c.take(d);
        acc.add(d.partial);
      }
      c.m.close();
      c.store.close();
      // One device's row cut short on disk.
      const raw = new Store(path);
      const key = acc.partial().devices.find((d) => d.site === 'plant')!.key;
      raw.db
        .prepare("UPDATE checkpoint_records SET json = substr(json, 1, 40) WHERE kind = 'device' AND key = ?")
        .run(key);
      raw.close();

      const again = consoleOn(path);
      assert.equal(again.said.length, 1, again.said.join('\n'));
      assert.equal(
        again.said[0],
        `the store's merged inventory cannot be read (checkpoint record device ${key}: not JSON (` +
          again.said[0]!.split(': not JSON (')[1],
      );
      assert.match(
        again.said[0]!,
        /^the store's merged inventory cannot be read \(.*\): replaying the streams$/,
      );
      assert.equal(again.m.current().length, 0, 'nothing from a damaged checkpoint');
      // Every stream from its start.
      assert.equal(again.m.stream('hq', 'c1', 10), 1);
      assert.equal(again.m.stream('plant', 'c1', 10), 1);
      for (const d of all) again.take(d);
      again.m.tick();
      assertShows(again.m, acc.partial(), 'after the replay');
      assert.equal(lastCheckpoint(again.store).rows, records(acc.partial()), 'the rows written again');

      // plant's stream was deleted and created again: its records' rows go at the next checkpoint.
      again.m.stream('plant', 'c2', 0);
      again.m.tick();
      const rest = withoutSite(acc.partial(), 'plant');
      assertShows(again.m, rest, 'without plant');
      const cp = lastCheckpoint(again.store);
      assert.equal(cp.rows, records(rest));
      assert.equal(cp.written, 0, 'what stays was not written again');
      const left = again.store.db
        .prepare(
          'SELECT count(*) FROM checkpoint_records WHERE key LIKE \'plant%\' OR json LIKE \'%"site":"plant"%\'',
        )
        .pluck()
        .get();
      assert.equal(left, 0);
      again.m.close();
      again.store.close();

      const third = consoleOn(path);
      assert.deepEqual(third.said, []);
      assertShows(third.m, rest, 'restored without plant');
      third.m.close();
      third.store.close();
    } finally {
      done();
    }
  },
);

test('sensor alerts land on their merged device after rebuilds that change ids', () => {
  const { path, done } = tempStore();
  try {
    const said: { alert: AlertJson; device: DeviceJson | null }[] = [];
    const events: ForwardEvent[] = [];
    const live = new LiveEvents({ origin: { version: '0.1.0', host: 'console-test' }, clock: (t) => t });
    // The console's forwarding without destinations: what it is told, as events.
    const forward: MergedForwarding = {
      recorded: (r) => void events.push(...live.batch({ upserts: r.delta?.upserts ?? [], alerts: r.alerts })),
      forwardedBefore: (d) => live.forwardedBefore(d),
      renamed: (from, to) => live.rename(from, to),
      alertsOf: (list) => {
        said.push(...list);
        events.push(...live.alerts(list));
      },
      flush: () => {},
    };
    const c = consoleOn(path, { forward });
    const inc = (c.m as unknown as { inc: { full: number; partial: number } }).inc;
    // The same MACs at two sites (a sensor of each hears the same hosts): their ids become qualified.
    const hq = arpSensor('hq', 's1', 1);
    const plant = arpSensor('plant', 's2', 1);
    let k = 0;
    const idOf = (d: Delta, i: number) => d.partial.devices[i]!.id;
    const alert = (site: string, sensor: string, deviceId: string) => {
      const a: AlertJson = {
        id: `a${++k}`,
        at: new Date(1000 + k).toISOString(),
        severity: 'low',
        kind: 'test.alert',
        deviceId,
        message: `about ${deviceId}`,
        detail: {},
      };
      c.take({ site, sensor, alert: a });
    };
    /** The devices the alerts since the last look landed on, as `site sensor's id -> merged id`. */
    const landed = () => {
      const out = said.map(
        ({ alert: a, device }) => `${a.message} -> ${device?.site ?? '-'} ${device?.id ?? '-'}`,
      );
      said.length = 0;
      return out;
    };
    const d1 = hq.see(range(0, 50), 1000);
    const x = idOf(d1, 5);
    c.take(d1);
    alert('hq', 's1', x);
    c.m.tick();
    assert.deepEqual(landed(), [`about ${x} -> hq ${x}`]);

    // plant hears the same hosts: every id is qualified now (a rebuild of everything).
    const full = inc.full;
    c.take(plant.see(range(0, 10), 1000));
    alert('hq', 's1', x);
    alert('plant', 's2', x);
    c.m.tick();
    assert.equal(inc.full, full + 1);
    assert.deepEqual(landed(), [`about ${x} -> hq ${x}@hq/hq`, `about ${x} -> plant ${x}@plant/plant`]);

    // New hosts at hq, rebuilt incrementally: the lookup follows them.
    const partial = inc.partial;
    const d3 = hq.see(range(50, 60), 1001);
    const y = idOf(d3, 5);
    c.take(d3);
    alert('hq', 's1', y);
    alert('plant', 's2', idOf(d1, 3));
    c.m.tick();
    assert.equal(inc.partial, partial + 1, 'an incremental rebuild');
    assert.equal(inc.full, full + 1);
    assert.deepEqual(landed(), [
      `about ${y} -> hq ${y}@hq/hq`,
      `about ${idOf(d1, 3)} -> plant ${idOf(d1, 3)}@plant/plant`,
    ]);

    // Hosts seen again (their devices rebuilt), and alerts in a tick without a rebuild; a device
    // the merge does not hold has none.
    c.take(plant.see([7], 1002));
    c.m.tick();
    alert('plant', 's2', idOf(d1, 7));
    alert('plant', 's2', y);
    c.m.tick();
    assert.deepEqual(landed(), [
      `about ${idOf(d1, 7)} -> plant ${idOf(d1, 7)}@plant/plant`,
      `about ${y} -> - -`,
    ]);
    // Each lands where a lookup over the whole inventory puts it, and its event carries it.
    const byWhole = (site: string, id: string) =>
      c.m.current().find((d) => d.site === site && localId(d.id) === id)?.id ?? null;
    assert.equal(byWhole('plant', idOf(d1, 7)), `${idOf(d1, 7)}@plant/plant`);
    const last = events.filter((e) => e.kind === 'alert').map((e) => e.device?.id ?? null);
    assert.deepEqual(last.slice(-2), [byWhole('plant', idOf(d1, 7)), null]);
    c.m.close();
    c.store.close();
  } finally {
    done();
  }
});

test(
  'a damaged row of any kind is named on one line: a bad record (an edge), a record under another key',
  { skip },
  async () => {
    const { path, done } = tempStore();
    try {
      const all = await captureDeltas('bacnet__icsnpp-bacnet__bacnet_example.pcap', 'hq', 's1', 40);
      const c = consoleOn(path);
      for (const d of all) c.take(d);
      c.m.close();
      c.store.close();
      const rowOf = (kind: string, offset = 1) => {
        const s = new Store(path);
        const r = s.db
          .prepare('SELECT key, json FROM checkpoint_records WHERE kind = ? ORDER BY key LIMIT 1 OFFSET ?')
          .get(kind, offset) as { key: string; json: string };
        s.close();
        return r;
      };
      const edge = rowOf('edge');
      const device = rowOf('device');
      assert.ok(edge.key.includes('\n'), 'an edge is keyed by its two ends');
      const damage = (kind: string, key: string, json: string) => {
        const s = new Store(path);
        s.db
          .prepare('UPDATE checkpoint_records SET json = ? WHERE kind = ? AND key = ?')
          .run(json, kind, key);
        s.close();
      };
      // A console that reads it and stops (its close would write the rows again).
      const said = () => {
        const x = consoleOn(path);
        x.store.close();
        assert.equal(x.said.length, 1, x.said.join('\n'));
        assert.doesNotMatch(x.said[0]!, /\n/);
        return x.said[0]!;
      };
      const shown = edge.key.replace('\n', ' ');
      damage('edge', edge.key, JSON.stringify({ ...JSON.parse(edge.json), states: 'none' }));
      assert.match(
        said(),
        new RegExp(
          `^the store's merged inventory cannot be read \\(checkpoint record edge ${escape(shown)}: not a partial inventory at edges\\.1\\.states: .*\\): replaying the streams$`,
        ),
      );
      damage('edge', edge.key, edge.json);
      // Another device's record under this one's key.
      const other = JSON.parse(rowOf('device', 0).json) as { key: string };
      assert.notEqual(other.key, device.key);
      damage('device', device.key, JSON.stringify(other));
      assert.equal(
        said(),
        `the store's merged inventory cannot be read (checkpoint record device ${device.key}: the record is another's (${other.key})): replaying the streams`,
      );
    } finally {
      done();
    }
  },
);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
