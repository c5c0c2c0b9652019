/**
 * Automatic merges and sites: a device that says its site is a console's merge's, and the store
 * merges none of them (not across sites, not within one, not with a device of one analysis in the
 * same file); devices of one analysis merge by address as before (edits-merge.test.ts). Real device
 * JSON from the engine, given a site as the console's merge gives it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LINKTYPE_RAW } from '../../shared/decode/linktypes';
import type { DeltaBatch } from '../../shared/inventory/changes';
import type { DeviceJson } from '../../shared/model/inventory';
import { addressOf } from '../../src-main/store/merges';
import { Store } from '../../src-main/store/store';
import { ipv4, udp } from '../helpers/packets';
import { MIN, Session, T0, announce, host, tempDb } from './session';

const A = host(10);

/** The engine's own JSON of `mac:A` (which uses A's address) and of `ip:A` (known by address alone). */
function engineDevices(): { mac: DeviceJson; ip: DeviceJson } {
  const s = new Session(tempDb(), { autoMerge: false });
  s.feed([
    {
      data: ipv4(A.ip, '10.0.0.250', 17, udp(5000, 5001, Uint8Array.from([1, 2]))),
      ts: T0,
      linkType: LINKTYPE_RAW,
    },
  ]);
  s.feed([announce(A, T0 + MIN)]);
  s.tick();
  const mac = s.store.rawDevice('mac:' + A.mac)!;
  const ip = s.store.rawDevice('ip:' + A.ip)!;
  s.close();
  assert.ok(mac.ips.includes(A.ip) && ip.mac === null);
  return { mac, ip };
}

const batch = (upserts: DeviceJson[]): DeltaBatch => ({
  seq: 1,
  at: new Date(T0).toISOString(),
  upserts,
  removed: [],
  devicesDeleted: [],
  edges: [],
  edgesRemoved: [],
  edgesDeleted: [],
  alerts: [],
  stats: { devices: upserts.length } as DeltaBatch['stats'],
});

const shown = (s: Store) => s.devices().map((d) => [d.id, d.aliases]);

test('devices that say their site are never merged by address; one analysis still is', () => {
  const { mac, ip } = engineDevices();
  const at = (d: DeviceJson, site: string, id = d.id): DeviceJson => ({ ...d, id, site, sensors: ['s'] });
  const cases: [string, DeviceJson[], DeviceJson[]][] = [
    ['two sites', [at(mac, 'a')], [at(ip, 'b')]],
    ['one site', [at(mac, 'a')], [at(ip, 'a')]],
    ['ids qualified', [at(mac, 'a', `${mac.id}@a/a`)], [at(ip, 'b', `${ip.id}@b`)]],
    ['a site and one analysis', [at(mac, 'a')], [ip]],
    ['one analysis and a site', [mac], [at(ip, 'b', `${ip.id}@b`)]],
    ['a site, then one analysis', [at(ip, 'b')], [mac]],
  ];
  for (const [what, first, later] of cases) {
    const path = tempDb();
    const s = new Store(path);
    s.commit(batch(first));
    s.commit(batch(later));
    const ids = [...first, ...later].map((d) => [d.id, []]).sort();
    assert.deepEqual(shown(s), ids, what);
    s.close();
    // Reopened: the MAC's address is known again, and still claims nothing of a site's.
    const again = new Store(path);
    again.commit(batch(later));
    assert.deepEqual(shown(again), ids, `${what}, reopened`);
    again.close();
  }

  // Without sites: the address device is folded into the MAC that uses its address, as before.
  const s = new Store(tempDb());
  s.commit(batch([mac]));
  s.commit(batch([ip]));
  assert.deepEqual(shown(s), [[mac.id, [ip.id]]]);
  s.close();
});

test("an address device's id gives its address, qualified by site or not", () => {
  assert.equal(addressOf('ip:10.0.0.1'), '10.0.0.1');
  assert.equal(addressOf('ip:10.0.0.1@hq'), '10.0.0.1');
  assert.equal(addressOf('ip:fe80::1'), 'fe80::1');
  assert.equal(addressOf('ip:fe80::1@plant-2'), 'fe80::1');
});
