/**
 * The inventory under hostile floods, in process and small (limits lowered by option): random
 * source MACs, random IPv6 sources behind one router MAC, random TCP SYNs. Past a limit new
 * identities are aggregated with their traffic counted, stats say what it cost, and each flooded
 * segment is reported once. The million-frame runs of the built CLI are in test/cli/flood.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { Analyzer } from '../../shared/engine/analyzer';
import { LAYERS } from '../../shared/decode/layers';
import { AlertEngine } from '../../shared/alerts/engine';
import { ChangeStream } from '../../shared/inventory/changes';
import type { FloodEvent, InventoryLimits } from '../../shared/inventory/limits';
import {
  FLOOD_ROUTER_MAC,
  FLOOD_SERVER_MAC,
  writeIpv6Flood,
  writeMacFlood,
  writeSynFlood,
} from '../helpers/flood-pcap';
import { ethernet, udp, udpFrame, vlanTag, ipv4 } from '../helpers/packets';

const tmp = mkdtempSync(join(tmpdir(), 'gp-flood-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** An analyzer with the given limits, its flood reports collected, and an alert engine fed as hosts feed it. */
function analyzer(limits: Partial<InventoryLimits>) {
  const a = new Analyzer({ layers: LAYERS, limits });
  const floods: FloodEvent[] = [];
  const alerts = new AlertEngine({ idOf: (ref) => a.inventory.deviceFor(ref)?.id ?? null });
  a.floodObservers.push(
    (f) => floods.push(f),
    (f) => alerts.flood(f),
  );
  return { a, floods, alerts };
}

/** Feed every record of a classic little-endian pcap (what the flood writers produce). */
function feedPcap(a: Analyzer, path: string): number {
  const b = readFileSync(path);
  let off = 24;
  let n = 0;
  while (off + 16 <= b.length) {
    const ts = b.readUInt32LE(off) * 1000 + b.readUInt32LE(off + 4) / 1000;
    const len = b.readUInt32LE(off + 8);
    a.frame(b, 1, ts, b.readUInt32LE(off + 12), 0, off + 16, off + 16 + len);
    off += 16 + len;
    n++;
  }
  return n;
}

test('random source MACs past maxDevices go to one overflow device, traffic counted, one flood', () => {
  const { a, floods, alerts } = analyzer({ maxDevices: 1000 });
  const cs = new ChangeStream(a);
  const path = writeMacFlood(join(tmp, 'mac.pcap'), 20_000);
  assert.equal(feedPcap(a, path), 20_000);
  const inv = a.snapshot();
  // 999 flooding MACs and the server kept one by one; the rest in the overflow device.
  assert.equal(a.inventory.byMac.size, 1000);
  const over = inv.devices.find((d) => d.id === 'overflow:interface 0');
  assert.ok(over, 'an overflow device for the segment');
  assert.deepEqual(over.roles, ['aggregate']);
  assert.equal(over.packetsSent, 20_000 - 999);
  const sent = inv.devices.reduce((n, d) => n + d.packetsSent, 0);
  assert.equal(sent, 20_000, 'every frame is still accounted to a device');
  const server = inv.devices.find((d) => d.mac === FLOOD_SERVER_MAC)!;
  assert.equal(server.packetsReceived, 20_000);
  assert.equal(inv.devices.length, 1001);
  assert.deepEqual(inv.stats.limits, {
    devicesAggregated: 20_000 - 999,
    addressesAggregated: 0,
    aggregates: 1,
    edgesEvicted: 0,
    factsDropped: 0,
    tableEntriesDropped: 0,
    floods: ['interface 0'],
  });
  assert.equal(floods.length, 1);
  assert.equal(floods[0]!.table, 'devices');
  const raised = alerts.batch(cs.collect()!);
  const flood = raised.filter((x) => x.kind === 'inventory-flood');
  assert.equal(flood.length, 1, 'one alert for the flood, none per frame');
  assert.match(flood[0]!.message, /^inventory flood on interface 0: /);
  // Raised inside the learning period (one hour by default; this capture lasts a fifth of a second).
  assert.ok(alerts.isLearning);
  assert.equal(flood[0]!.deviceId, 'overflow:interface 0');
  // The bucket is no new device of its own, after learning either.
  alerts.endLearning(0);
  writeMacFlood(join(tmp, 'mac2.pcap'), 100, 7);
  feedPcap(a, join(tmp, 'mac2.pcap'));
  assert.deepEqual(
    alerts.batch(cs.collect()!).filter((x) => x.deviceId === 'overflow:interface 0'),
    [],
  );
});

test('random IPv6 sources behind one router: kept up to the limit, then per /64, then per router', () => {
  const { a, floods } = analyzer({ maxAddressDevices: 500, maxAggregates: 100 });
  feedPcap(a, writeIpv6Flood(join(tmp, 'v6.pcap'), 10_000));
  const inv = a.snapshot();
  const router = inv.devices.find((d) => d.mac === FLOOD_ROUTER_MAC)!;
  assert.equal(router.router, true);
  const routed = inv.devices.filter((d) => d.routed && !d.roles.includes('aggregate'));
  assert.equal(routed.length, 500);
  const prefixes = inv.devices.filter((d) => /^ip:2001:db8:[0-9a-f]+:[0-9a-f]+::\/64$/.test(d.id));
  assert.equal(prefixes.length, 100);
  const behind = inv.devices.find((d) => d.id === `routed:mac:${FLOOD_ROUTER_MAC}`)!;
  assert.ok(behind, "the router's far side as one device");
  assert.deepEqual(behind.via, [`mac:${FLOOD_ROUTER_MAC}`]);
  // Random /64s rarely repeat: nearly all of the rest land on the router's bucket.
  const aggregated = [...prefixes, behind].reduce((n, d) => n + d.packetsSent, 0);
  assert.equal(aggregated, 10_000 - 500);
  assert.equal(inv.stats.limits!.addressesAggregated, 10_000 - 500);
  assert.equal(inv.stats.limits!.aggregates, 101);
  assert.deepEqual(inv.stats.limits!.floods, [`router mac:${FLOOD_ROUTER_MAC}`]);
  assert.equal(floods.length, 1);
  assert.equal(floods[0]!.table, 'addresses');
  // The flood is about the router it came through; its far side takes what the /64s cannot.
  assert.equal(floods[0]!.deviceId, `mac:${FLOOD_ROUTER_MAC}`);
  assert.equal(floods[0]!.into, `their IPv6 /64s, then routed:mac:${FLOOD_ROUTER_MAC}`);
});

test('each VLAN is its own segment: one flood report each', () => {
  const { a, floods } = analyzer({ maxDevices: 2 });
  const frame = (vlan: number, i: number) =>
    ethernet(
      FLOOD_SERVER_MAC,
      `02:00:00:${vlan.toString(16).padStart(2, '0')}:00:${i.toString(16).padStart(2, '0')}`,
      0x8100,
      vlanTag(vlan, 0x0800, ipv4('10.0.0.9', '10.0.0.1', 17, udp(1, 2, new Uint8Array(1)))),
    );
  let t = 1_700_000_000_000;
  for (const vlan of [10, 20])
    for (let i = 0; i < 5; i++) {
      const f = frame(vlan, i);
      a.frame(f, 1, t++, f.length, 0);
    }
  assert.deepEqual(
    floods.map((f) => f.segment),
    ['interface 0 vlan 10', 'interface 0 vlan 20'],
  );
  const ids = a.snapshot().devices.map((d) => d.id);
  assert.ok(ids.includes('overflow:interface 0 vlan 10') && ids.includes('overflow:interface 0 vlan 20'));
});

test('facts about identities past the limit are not spread over the bucket', () => {
  const { a } = analyzer({ maxDevices: 1 });
  const f = udpFrame(
    { mac: '02:00:00:00:00:aa', ip: '10.0.0.2', port: 68 },
    { mac: FLOOD_SERVER_MAC, ip: '10.0.0.1', port: 9 },
    new Uint8Array(4),
  );
  a.frame(f, 1, 1, f.length, 0);
  a.inventory.observe({
    kind: 'hostname',
    protocol: 'dhcp',
    field: 'hostname',
    name: 'flooder',
    device: { mac: '02:00:00:00:00:bb', ip: null },
    ts: 2,
    frame: 2,
  } as never);
  const over = a.snapshot({ evidence: true }).devices.find((d) => d.id === 'overflow:interface 0')!;
  assert.deepEqual(over.evidence, []);
  assert.equal(a.stats().limits!.factsDropped, 1);
});

test('a capture within the limits has no limits in its stats', () => {
  const { a, floods } = analyzer({});
  feedPcap(a, writeMacFlood(join(tmp, 'few.pcap'), 1000));
  assert.equal(a.stats().limits, undefined);
  assert.equal(floods.length, 0);
});

test('a SYN flood of random 5-tuples leaves no flow state; with data, at most the table capacity', () => {
  const bare = analyzer({}).a;
  feedPcap(bare, writeSynFlood(join(tmp, 'syn.pcap'), 20_000));
  assert.equal(bare.decoder.stats.packets, 20_000);
  assert.equal(bare.decoder.flows.size, 0, 'a SYN without data is not looked up as a flow');

  // SYNs carrying the start of an HTTP request: each flow holds a partial header for reassembly.
  const { a } = analyzer({});
  const cap = a.decoder.flows.capacity;
  const get = new TextEncoder().encode('GET /index.html HTTP/1.1\r\nHost: flood.example\r\nUser-Agent: x');
  feedPcap(a, writeSynFlood(join(tmp, 'syn-http.pcap'), cap + 20_000, { dport: 80, payload: get }));
  assert.equal(a.decoder.stats.packets, cap + 20_000);
  assert.ok(a.decoder.flows.size > cap / 2, 'the segments made flows (else this proves nothing)');
  assert.ok(a.decoder.flows.size <= cap, `${a.decoder.flows.size} flows held, capacity ${cap}`);
});
