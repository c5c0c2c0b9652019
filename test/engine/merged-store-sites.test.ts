/**
 * The sensors' console's store shows what its merge holds, site by site (issue 16): the store's own
 * view (devices with the ids merged into them, edges between shown devices: what `report --db` and a
 * reopened console read) equals the merged inventory, and nothing of one site is folded into another
 * site's device. One analysis's store still folds an address-only device into the MAC that uses its
 * address, as before.
 *
 * mqtt's broker LAN has a MAC that uses 192.168.0.1; the D-Link camera's capture knows 192.168.0.1
 * (its gateway's address) by address alone. At two sites that is two devices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MergedView } from '../../src-main/engine/merged-view';
import Database from 'better-sqlite3';
import { Store } from '../../src-main/store/store';
import { pairKey } from '../../src-main/store/edge-rows';
import type { StoredDevice } from '../../src-main/store/types';
import type { DeviceJson, EdgeJson } from '../../shared/model/inventory';
import { recordCapture } from '../helpers/record-capture';
import { consoleOn as storeConsole } from '../helpers/store-console';
import { corpusAvailable } from '../helpers/corpus';
import { captureDeltas, type Delta } from '../helpers/sensor-deltas';

const skip = corpusAvailable() ? false : 'the capture corpus (../shared/pcaps) is not here';

const MQTT = 'mqtt__ndpi__mqtt.pcap';
const CAM = 'iot-setup__iot-sentinel__D-LinkCam_Setup-A-2-STA.pcap';
const WIKI = 'multi-lan-mixed__zeek__wikipedia.pcap';
const SHARED = '192.168.0.1';

/** A console on the store at `path`; `take` merges deltas in order, a tick after each. */
function consoleOn(path: string) {
  const c = storeConsole(path);
  const take = (ds: readonly Delta[]) => {
    for (const d of ds) {
      c.take(d);
      c.m.tick();
    }
  };
  const close = () => {
    c.m.close();
    c.store.close();
  };
  return { m: c.m, store: c.store, take, close };
}

/** A device as the merge made it: the store's own fields (edits, online, aliases) taken off. */
function asMerged(d: StoredDevice): DeviceJson {
  const {
    name: _name,
    notes: _notes,
    authorization: _authorization,
    online: _online,
    aliases: _aliases,
    manual: _manual,
    ...rest
  } = d;
  return rest;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const edgeKey = (e: EdgeJson) => pairKey(e.a, e.b);
const byPair = (a: EdgeJson, b: EdgeJson) => (edgeKey(a) < edgeKey(b) ? -1 : 1);

/** Devices and edges by site (an edge goes under its first end's site). */
function perSite(devices: readonly DeviceJson[], edges: readonly EdgeJson[]) {
  const siteOf = new Map(devices.map((d) => [d.id, d.site ?? '(none)']));
  const out = new Map<string, { devices: DeviceJson[]; edges: EdgeJson[] }>();
  const at = (s: string) => out.get(s) ?? out.set(s, { devices: [], edges: [] }).get(s)!;
  for (const d of [...devices].sort(byId)) at(d.site ?? '(none)').devices.push(d);
  for (const e of [...edges].sort(byPair)) at(siteOf.get(e.a) ?? `(no device ${e.a})`).edges.push(e);
  return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The store's view equals the merge (with the console's edits over it, as it shows them), site by
 * site, and no device of it has another folded in.
 */
function assertStoreIsMerge(store: Store, m: MergedView, when: string): void {
  const shown = store.devices();
  assert.deepEqual(
    shown.filter((d) => d.aliases.length > 0).map((d) => [d.id, d.aliases]),
    [],
    `${when}: nothing folded`,
  );
  const merged = m.current();
  assert.ok(merged.length > 0 && merged.every((d) => typeof d.site === 'string'));
  assert.deepEqual(
    perSite(shown.map(asMerged), store.edges()),
    perSite(
      merged.map((d) => {
        // Notes are one of the store's own fields (taken off its side too).
        const { notes: _notes, ...shown } = store.edits.apply(d);
        return shown;
      }),
      m.report().edges,
    ),
    `${when}: the store shows the merge`,
  );
}

test(
  "two sites with the same private address: the console's store keeps them apart, reopened too",
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-merged-sites-'));
    const path = join(dir, 'console.db');
    try {
      const wiki = await captureDeltas(WIKI, 'hq', 's1', 10);
      // wikipedia's gateway is found to route in its sixth delta (of 14) at one every 10 frames.
      const half = 5;

      // Session 1: the MAC at site plant uses 192.168.0.1; site office knows 192.168.0.1 by address.
      const c = consoleOn(path);
      c.take(await captureDeltas(MQTT, 'plant', 'p1', 10));
      c.take(await captureDeltas(CAM, 'office', 'o1', 10));
      c.take(wiki.slice(0, half));
      const merged = c.m.current();
      const owner = merged.find((d) => d.mac !== null && d.ips.includes(SHARED))!;
      const behind = merged.find((d) => d.id === 'ip:' + SHARED)!;
      assert.equal(owner.site, 'plant', 'the case is exercised: a MAC at one site uses the address');
      assert.equal(behind.site, 'office', '... and the other site knows it by address alone (ids local)');
      assert.ok(!merged.some((d) => d.router && d.site === 'hq'), 'hq is not yet known to route');
      assertStoreIsMerge(c.store, c.m, 'session 1');
      c.close();

      // Read as `report --db` reads it.
      const read = new Store(path);
      assert.deepEqual(
        read.devices().map((d) => [d.id, d.site, d.aliases]),
        merged.sort(byId).map((d) => [d.id, d.site, []]),
        'reopened: the devices of the merge, each at its site',
      );
      read.close();

      // Session 2: a restarted console hears the rest of hq; its gateway turns out to route, so
      // devices lose addresses and edges: the store shows the merge now, not a union with session 1.
      const again = consoleOn(path);
      again.take(wiki.slice(half));
      assert.ok(again.m.current().some((d) => d.router && d.site === 'hq'));
      assertStoreIsMerge(again.store, again.m, 'session 2');

      // A name given to hq's gateway, as the console's editor stores it.
      const gw = again.m.current().find((d) => d.router && d.site === 'hq')!;
      again.store.edit(gw.id, 'name', 'hq-gateway');

      // The same capture at a second site: ids become qualified by site and the local ones go; the
      // gateway's name goes with it to its new id.
      again.take(await captureDeltas(WIKI, 'branch', 's2', 40));
      assert.ok(again.m.current().some((d) => d.id === `ip:${SHARED}@office`));
      assertStoreIsMerge(again.store, again.m, 'ids qualified');
      again.close();
      const edits = new Store(path);
      assert.deepEqual([...edits.manualEdits()], [[`${gw.id}@hq/hq`, { name: 'hq-gateway' }]]);
      assert.equal(edits.device(`${gw.id}@hq/hq`)!.name, 'hq-gateway');
      edits.close();

      const third = consoleOn(path);
      third.m.tick();
      assertStoreIsMerge(third.store, third.m, 'reopened console');
      third.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'one analysis: the store still folds the address-only device into the MAC that uses its address',
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-merged-sites-'));
    const path = join(dir, 'one.db');
    try {
      // `analyze --db` of each capture in turn, into one store: devices without a site.
      for (const file of [MQTT, CAM]) {
        const store = new Store(path);
        await recordCapture(file, store);
        store.close();
      }
      const store = new Store(path);
      const owner = store.device('ip:' + SHARED)!;
      assert.ok(owner.id.startsWith('mac:') && owner.site === undefined, owner.id);
      assert.deepEqual(owner.aliases, ['ip:' + SHARED]);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "an older Glasspane's console store is repaired when a console opens it: its merges by address undone, rows its merge no longer gives deleted",
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-merged-sites-'));
    const path = join(dir, 'old.db');
    try {
      const c = consoleOn(path);
      c.take(await captureDeltas(MQTT, 'plant', 'p1', 10));
      c.take(await captureDeltas(CAM, 'office', 'o1', 10));
      const owner = c.m.current().find((d) => d.mac !== null && d.ips.includes(SHARED))!;
      const behind = c.m.current().find((d) => d.id === 'ip:' + SHARED)!;
      assert.equal(owner.site, 'plant');
      assert.equal(behind.site, 'office');
      c.close();

      // What an older Glasspane left (schema 5): the office's address folded into the plant's MAC by
      // address alone, and a row, with an edge, under an id that this merge does not give.
      const db = new Database(path);
      db.prepare("INSERT INTO merges (alias, into_id, kind, at) VALUES (?, ?, 'auto', ?)").run(
        behind.id,
        owner.id,
        new Date().toISOString(),
      );
      const row = db.prepare('SELECT * FROM devices WHERE id = ?').get(behind.id) as Record<string, unknown>;
      const ghost = 'ip:192.168.0.77';
      const json = JSON.stringify({ ...(JSON.parse(row.json as string) as DeviceJson), id: ghost });
      db.prepare(
        'INSERT INTO devices (id, json, base, session, last_seen, online, seq) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(ghost, json, row.base, row.session, row.last_seen, row.online, row.seq);
      const edge = db
        .prepare('SELECT * FROM edges WHERE a = ? OR b = ? LIMIT 1')
        .get(behind.id, behind.id) as Record<string, unknown>;
      db.prepare(
        'INSERT INTO edges (a, b, protocols, pab, pba, bab, bba, first, last, session, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(
        ghost,
        edge.b === behind.id ? edge.a : edge.b,
        edge.protocols,
        1,
        1,
        60,
        60,
        edge.first,
        edge.last,
        edge.session,
        edge.seq,
      );
      db.pragma('user_version = 5');
      db.close();

      const again = consoleOn(path);
      // The old store as a reader saw it before the console's first rebuild: the merge undone by the
      // schema's step 6, the row not yet.
      assert.deepEqual(again.store.device(owner.id)?.aliases, []);
      assert.ok(again.store.device(ghost) !== null, 'the case is exercised: a row the merge does not give');
      again.m.tick();
      assertStoreIsMerge(again.store, again.m, 'repaired');
      assert.equal(again.store.device(ghost), null);
      assert.ok(!again.store.edges().some((e) => e.a === ghost || e.b === ghost));
      // Checked once per file: the next start reads no rows for it.
      assert.equal(again.store.meta('console-rows'), 'checked');
      assert.equal(again.store.consoleRows(), null);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
