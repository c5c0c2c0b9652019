/**
 * A gateway is found to route only on its fifth address: what it forwarded before (a remote web
 * server's banner and role, its protocols and its conversation with a host) goes to that server's
 * address, as if the gateway had been known to route from the first frame (shared/inventory/shares.ts).
 * The same through partials: a first half that never calls the gateway a router, merged with a second
 * that does, and deltas from either side of the decision, shuffled, give the inventory of one analysis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Analyzer } from '../../shared/engine/analyzer';
import { analyzerPartial } from '../../shared/engine/analyzer-partial';
import { LAYERS } from '../../shared/decode/layers';
import { APP_PROTOCOLS, SYN_OBSERVERS } from '../../shared/protocols';
import {
  inventoryFromPartial,
  mergeAll,
  mergePartials,
  parsePartial,
  partialMarker,
  type PartialInventory,
  type PartialMarker,
} from '../../shared/inventory/partial';
import type { InventoryJson } from '../../shared/model/inventory';
import { loadRules } from '../../src-main/classify/load';
import { vendorOf } from '../../src-main/engine/oui';
import { arp, ascii, ethernet, tcpFrame, udpFrame } from '../helpers/packets';

const rules = loadRules();
const GATEWAY = { mac: '02:00:00:00:0b:01', ip: '10.0.0.1', port: 53 };
const HOST = { mac: '02:00:00:00:0b:03', ip: '10.0.0.3', port: 40000 };
const SERVER = { mac: GATEWAY.mac, ip: '203.0.113.10', port: 80 };
const T0 = Date.UTC(2026, 0, 1);

/**
 * The capture: the gateway's own address (ARP, a datagram), then a host's request to a remote web
 * server and its answer, then four more remote addresses: one analysis finds it routing on the third.
 */
function frames(): Uint8Array[] {
  const out: Uint8Array[] = [];
  out.push(ethernet(HOST.mac, GATEWAY.mac, 0x0806, arp(2, GATEWAY.mac, GATEWAY.ip, HOST.mac, HOST.ip)));
  out.push(udpFrame(GATEWAY, { ...HOST, port: 5353 }, ascii('own')));
  out.push(tcpFrame(HOST, SERVER, ascii('GET / HTTP/1.1\r\nHost: shop.example\r\n\r\n')));
  out.push(
    tcpFrame(SERVER, HOST, ascii('HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Length: 0\r\n\r\n')),
  );
  for (let i = 1; i <= 4; i++)
    out.push(
      udpFrame({ mac: GATEWAY.mac, ip: `198.51.100.${i}`, port: 123 }, { ...HOST, port: 123 }, ascii('t')),
    );
  return out;
}

const analyzer = () =>
  new Analyzer({
    layers: LAYERS,
    apps: APP_PROTOCOLS,
    synObservers: SYN_OBSERVERS,
    vendorOf,
    rules,
    repeatWindowMs: 0,
  });

function feed(a: Analyzer, list: Uint8Array[], from = 0): void {
  list.forEach((f, i) => a.frame(f, 1, T0 + (from + i) * 10, f.length, 0));
}

const device = (inv: InventoryJson, id: string) => inv.devices.find((d) => d.id === id)!;
const edge = (inv: InventoryJson, x: string, y: string) =>
  inv.edges.find((e) => (e.a === x && e.b === y) || (e.a === y && e.b === x));

/** What an analysis and a merge must agree on (not a merge's own fields: site, sensors, sources). */
function comparable(inv: InventoryJson) {
  const { sources: _s, ...stats } = inv.stats;
  const key = (e: { a: string; b: string }) => [e.a, e.b].sort().join(' ');
  return {
    stats,
    devices: inv.devices.map(({ site: _x, sensors: _y, ...d }) => ({
      ...d,
      evidence: d.evidence?.map(({ sources: _z, ...ev }) => ev),
    })),
    edges: inv.edges
      .map((e) => ({ key: key(e), packets: e.packets, bytes: e.bytes, protocols: e.protocols }))
      .sort((x, y) => (x.key < y.key ? -1 : 1)),
  };
}

test('what a gateway forwarded before it was found to route is the server behind it, not the gateway', () => {
  const a = analyzer();
  a.beginSource(0);
  feed(a, frames());
  const inv = a.snapshot({ evidence: true });
  const gw = device(inv, `mac:${GATEWAY.mac}`);
  const server = device(inv, `ip:${SERVER.ip}`);
  assert.equal(gw.router, true);
  assert.ok(server.routed && server.via.includes(gw.id));
  // The banner, the role and the protocol are the server's.
  assert.ok(server.roles.includes('http-server'), JSON.stringify(server.roles));
  assert.ok(server.evidence!.some((e) => e.field === 'Server' && e.value.includes('nginx')));
  assert.ok(server.protocols.includes('http'));
  assert.ok(!gw.roles.includes('http-server'), JSON.stringify(gw.roles));
  assert.ok(!gw.evidence!.some((e) => e.protocol === 'http'), JSON.stringify(gw.evidence));
  assert.ok(!gw.protocols.includes('http') && !gw.protocols.includes('tcp'), JSON.stringify(gw.protocols));
  // Its own address's frames and its ARP stay its own.
  assert.ok(gw.ips.includes(GATEWAY.ip) && gw.protocols.includes('arp') && gw.protocols.includes('udp'));
  // The conversation is the host's with the server; the gateway's edge to the host holds its own frames.
  assert.equal(edge(inv, `mac:${HOST.mac}`, server.id)?.packets, 2);
  assert.deepEqual(edge(inv, `mac:${HOST.mac}`, server.id)?.protocols, ['http']);
  const own = edge(inv, `mac:${HOST.mac}`, gw.id)!;
  assert.equal(own.packets, 2, 'the ARP reply and the gateway own datagram');
  assert.ok(!own.protocols.includes('http'));
});

/** The first `n` frames to one analyzer and the rest to another, each a source, merged. */
function split(n: number): PartialInventory {
  const list = frames();
  const [x, y] = [analyzer(), analyzer()];
  x.beginSource(0);
  y.beginSource(n);
  feed(x, list.slice(0, n));
  feed(y, list.slice(n), n);
  const partial = (a: Analyzer, sensor: string) => {
    const r = parsePartial(JSON.stringify(analyzerPartial(a, { site: 'lab', sensor })));
    assert.ok(r.ok, r.ok ? '' : r.reason);
    return r.partial;
  };
  return mergePartials(partial(y, 'second'), partial(x, 'first'));
}

test('a half that never calls the gateway a router, merged with one that does: the analysis whole', () => {
  const whole = analyzer();
  whole.beginSource(0);
  feed(whole, frames());
  const want = comparable(whole.snapshot({ evidence: true }));
  for (const n of [4, 5, 6]) {
    const p = split(n);
    const first = p.devices
      .find((d) => d.id === `mac:${GATEWAY.mac}`)!
      .states.find((s) => s.source === 'lab/first')!;
    assert.equal(first.router, false, `the first ${n} frames do not show it routing`);
    assert.ok(
      first.facts.some((f) => f.via === SERVER.ip),
      'the first half keeps the banner by address',
    );
    const got = comparable(inventoryFromPartial(p, { rules, vendorOf, evidence: true }));
    assert.deepEqual(got, want, `cut after ${n} frames`);
  }
});

test('deltas from before and after the decision, merged in any order and twice, give the full partial', () => {
  const a = analyzer();
  const deltas: PartialInventory[] = [];
  let mark: PartialMarker | undefined;
  a.beginSource(0);
  frames().forEach((f, i) => {
    feed(a, [f], i);
    deltas.push(analyzerPartial(a, { site: 'lab', sensor: 's' }, { since: mark }));
    mark = partialMarker(a.inventory);
  });
  const o = { rules, vendorOf, evidence: true, generatedAt: 'now' };
  const full = inventoryFromPartial(analyzerPartial(a, { site: 'lab', sensor: 's' }), o);
  assert.ok(device(full, `ip:${SERVER.ip}`).roles.includes('http-server'));
  for (const order of [deltas, [...deltas].reverse(), [...deltas, ...deltas.slice(0, 3)]])
    assert.deepEqual(inventoryFromPartial(mergeAll(order), o), full);
});

test("a new router's addresses get their devices in the order of their ids, whatever order it used them in", () => {
  // The workers of one capture each move the addresses they saw, so one analysis makes the devices
  // in an order each worker can make alike: by id. An edge is written from the device made first.
  const a = analyzer();
  a.beginSource(0);
  const from = (ip: string) => ({ mac: GATEWAY.mac, ip, port: 123 });
  feed(a, [
    ...['198.51.100.9', '198.51.100.10', '198.51.100.11', '198.51.100.12', '198.51.100.13'].map((ip) =>
      udpFrame(from(ip), { ...HOST, port: 123 }, ascii('t')),
    ),
    // Forwarded between two of them (a frame the gateway sends itself: both ends are behind it).
    udpFrame(from('198.51.100.9'), { ...from('198.51.100.10'), port: 5060 }, ascii('x')),
  ]);
  const inv = a.snapshot();
  assert.equal(device(inv, `mac:${GATEWAY.mac}`).router, true);
  const e = edge(inv, 'ip:198.51.100.9', 'ip:198.51.100.10')!;
  assert.equal(e.a, 'ip:198.51.100.10');
  assert.equal(e.packetsBtoA, 1);
});
