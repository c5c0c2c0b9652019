/**
 * The store's automatic merges (an address-only device folded into the MAC device that uses its
 * address) and a gateway found to route: until then the gateway lists the remote addresses it
 * forwarded for as its own, so the devices they become behind it must not be folded back into it,
 * and the MAC that really uses one of them may still claim it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../src-main/store/store';
import { pairKey } from '../../src-main/store/edge-rows';
import type { InventoryJson } from '../../shared/model/inventory';
import { recordCapture } from '../helpers/record-capture';
import { corpusAvailable } from '../helpers/corpus';
import { arp, ascii, ethernet, tcpFrame, udpFrame } from '../helpers/packets';
import { Session, T0, tempDb } from './session';

const skip = corpusAvailable() ? false : 'the capture corpus (../shared/pcaps) is not here';

/** A capture recorded with automatic merges and a commit every 10 frames; the live inventory. */
async function record(file: string): Promise<{ store: Store; live: InventoryJson }> {
  const store = new Store(tempDb());
  const { a } = await recordCapture(file, store);
  return { store, live: a.snapshot() };
}

const merges = (s: Store) => s.db.prepare('SELECT alias, into_id FROM merges ORDER BY alias').all();
const pairs = (edges: readonly { a: string; b: string }[]) => edges.map((e) => pairKey(e.a, e.b)).sort();

test("wikipedia's servers behind its gateway stay devices of their own in the store", { skip }, async () => {
  const { store, live } = await record('multi-lan-mixed__zeek__wikipedia.pcap');
  const gw = live.devices.find((d) => d.router)!;
  assert.ok(live.devices.filter((d) => d.via.includes(gw.id)).length >= 3);
  assert.deepEqual(merges(store), []);
  assert.deepEqual(pairs(store.edges()), pairs(live.edges));
  assert.deepEqual(store.device(gw.id)!.aliases, []);
  store.close();
});

test(
  "telegram's DNS server is folded into the MAC that uses its address, not the gateway that forwarded for it",
  { skip },
  async () => {
    const { store, live } = await record('multi-lan-mixed__ndpi__telegram.pcap');
    const dns = live.devices.find((d) => d.id === 'ip:192.168.1.1')!;
    const gw = live.devices.find((d) => d.router)!;
    assert.deepEqual(dns.via, [gw.id]);
    const owner = live.devices.find((d) => d.mac !== null && !d.router && d.ips.includes('192.168.1.1'))!;
    assert.deepEqual(merges(store), [{ alias: dns.id, into_id: owner.id }]);
    store.close();
  },
);

test('a crafted gateway found to route: the server behind it is not merged back into it', () => {
  const GW = { mac: '02:00:00:00:0b:01', ip: '10.0.0.1' };
  const HOST = { mac: '02:00:00:00:0b:03', ip: '10.0.0.3' };
  const SERVER = { mac: GW.mac, ip: '203.0.113.10' };
  const frame = (data: Uint8Array, i: number) => ({ data, ts: T0 + i * 10 });
  const s = new Session(tempDb());
  s.feed(
    [
      ethernet(HOST.mac, GW.mac, 0x0806, arp(2, GW.mac, GW.ip, HOST.mac, HOST.ip)),
      tcpFrame({ ...HOST, port: 40000 }, { ...SERVER, port: 80 }, ascii('GET / HTTP/1.1\r\n\r\n')),
      tcpFrame({ ...SERVER, port: 80 }, { ...HOST, port: 40000 }, ascii('HTTP/1.1 200 OK\r\n\r\n')),
    ].map(frame),
  );
  s.tick();
  assert.ok(s.store.device('mac:' + GW.mac)!.ips.includes(SERVER.ip), 'the gateway lists the server');
  s.feed(
    [1, 2, 3, 4].map((i) =>
      frame(
        udpFrame({ mac: GW.mac, ip: `198.51.100.${i}`, port: 123 }, { ...HOST, port: 123 }, ascii('t')),
        i + 2,
      ),
    ),
  );
  s.tick();
  const server = s.store.device('ip:' + SERVER.ip)!;
  assert.equal(server.id, 'ip:' + SERVER.ip);
  assert.deepEqual(server.via, ['mac:' + GW.mac]);
  assert.deepEqual(pairs(s.store.edges()), pairs(s.analyzer.snapshot().edges));
  assert.ok(pairs(s.store.edges()).includes(pairKey('mac:' + HOST.mac, 'ip:' + SERVER.ip)));
  s.close();
});
