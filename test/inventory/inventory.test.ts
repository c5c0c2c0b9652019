import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Analyzer } from '../../shared/engine/analyzer';
import { LAYERS } from '../../shared/decode/layers';
import { ChangeStream } from '../../shared/inventory/changes';
import { arp, ethernet, ipv6, tcpFrame, udp, udpFrame } from '../helpers/packets';
import { ipv6Prefix64 } from '../../shared/util/addr';
import { analyzerPartial } from '../../shared/engine/analyzer-partial';
import { inventoryFromPartial, mergePartials } from '../../shared/inventory/partial';

const GW = '00:1b:1b:00:00:01'; // Siemens OUI, as a router here
const PC = '3c:52:82:00:00:02';
const RANDOM = 'da:a1:19:00:00:03'; // locally administered

function analyzer() {
  return new Analyzer({
    layers: LAYERS,
    vendorOf: (m) => (Math.floor(m / 16777216) === 0x001b1b ? 'Siemens AG' : null),
  });
}

function feed(a: Analyzer, frames: Uint8Array[], t0 = 1_700_000_000_000) {
  frames.forEach((f, i) => a.frame(f, 1, t0 + i * 1000, f.length, 0));
}

test('devices keyed by MAC, with their addresses, vendor, traffic each way and protocols', () => {
  const a = analyzer();
  feed(a, [
    udpFrame(
      { mac: PC, ip: '192.168.1.10', port: 5000 },
      { mac: GW, ip: '192.168.1.1', port: 53 },
      new Uint8Array(20),
    ),
    udpFrame(
      { mac: GW, ip: '192.168.1.1', port: 53 },
      { mac: PC, ip: '192.168.1.10', port: 5000 },
      new Uint8Array(40),
    ),
  ]);
  const inv = a.snapshot();
  const pc = inv.devices.find((d) => d.mac === PC)!;
  const gw = inv.devices.find((d) => d.mac === GW)!;
  assert.deepEqual(pc.ips, ['192.168.1.10']);
  assert.equal(gw.vendor, 'Siemens AG');
  assert.equal(pc.packetsSent, 1);
  assert.equal(pc.packetsReceived, 1);
  assert.equal(pc.bytesSent, 14 + 20 + 8 + 20);
  assert.equal(pc.bytesReceived, 14 + 20 + 8 + 40);
  assert.deepEqual(pc.protocols, ['ipv4', 'udp']);
  assert.equal(pc.firstSeen, new Date(1_700_000_000_000).toISOString());
  assert.equal(pc.lastSeen, new Date(1_700_000_001_000).toISOString());
  assert.equal(inv.edges.length, 1);
  const e = inv.edges[0]!;
  assert.equal(e.packets, 2);
  assert.deepEqual(e.protocols, ['udp']);
  assert.equal(e.a === pc.id ? e.bytesAtoB : e.bytesBtoA, pc.bytesSent);
});

test('locally administered MACs are flagged, VLANs kept', () => {
  const a = analyzer();
  const inner = udpFrame(
    { mac: RANDOM, ip: '10.1.1.5', port: 1 },
    { mac: PC, ip: '10.1.1.6', port: 2 },
    new Uint8Array(4),
  );
  // Re-tag the frame with VLAN 42.
  const tagged = ethernet(PC, RANDOM, 0x8100, Uint8Array.from([0x00, 42, 0x08, 0x00, ...inner.subarray(14)]));
  feed(a, [tagged]);
  const d = a.snapshot().devices.find((x) => x.mac === RANDOM)!;
  assert.equal(d.localMac, true);
  assert.deepEqual(d.vlans, [42]);
  assert.equal(a.snapshot().devices.find((x) => x.mac === PC)!.localMac, false);
});

test('a MAC behind which many addresses appear is a router; the addresses become routed devices', () => {
  const a = analyzer();
  const frames = [ethernet('ff:ff:ff:ff:ff:ff', GW, 0x0806, arp(2, GW, '192.168.1.1', PC, '192.168.1.10'))];
  for (let i = 1; i <= 6; i++) {
    frames.push(
      tcpFrame(
        { mac: GW, ip: `203.0.113.${i}`, port: 443 },
        { mac: PC, ip: '192.168.1.10', port: 40000 + i },
        new Uint8Array(0),
        { flags: 0x12 },
      ),
    );
  }
  feed(a, frames);
  const inv = a.snapshot();
  const gw = inv.devices.find((d) => d.mac === GW)!;
  assert.equal(gw.router, true);
  assert.equal(gw.type, 'router');
  assert.deepEqual(gw.ips, ['192.168.1.1'], 'the ARP-proven address stays on the router');
  for (let i = 1; i <= 6; i++) {
    const r = inv.devices.find((d) => d.id === `ip:203.0.113.${i}`);
    assert.ok(r, `routed device 203.0.113.${i}`);
    assert.equal(r.mac, null);
    assert.equal(r.routed, true);
    assert.deepEqual(r.via, [gw.id]);
    assert.deepEqual(r.services, [{ transport: 'tcp', port: 443 }]);
  }
  // Edges run from the routed addresses to the PC, not from the router.
  assert.ok(inv.edges.some((e) => e.a === 'ip:203.0.113.6' || e.b === 'ip:203.0.113.6'));
});

/**
 * GW answers ARP for its own address and sends once from it; PC asks six routed addresses through
 * GW's MAC, and GW forwards their answers (twice over).
 */
function routedFrames(): Uint8Array[] {
  const frames = [
    ethernet('ff:ff:ff:ff:ff:ff', GW, 0x0806, arp(2, GW, '192.168.1.1', PC, '192.168.1.10')),
    udpFrame(
      { mac: GW, ip: '192.168.1.1', port: 53 },
      { mac: PC, ip: '192.168.1.10', port: 5000 },
      new Uint8Array(8),
    ),
  ];
  for (let round = 0; round < 2; round++)
    for (let i = 1; i <= 6; i++) {
      frames.push(
        udpFrame(
          { mac: PC, ip: '192.168.1.10', port: 40000 + i },
          { mac: GW, ip: `203.0.113.${i}`, port: 123 },
          new Uint8Array(20 + i),
        ),
      );
      frames.push(
        udpFrame(
          { mac: GW, ip: `203.0.113.${i}`, port: 123 },
          { mac: PC, ip: '192.168.1.10', port: 40000 + i },
          new Uint8Array(i + round),
        ),
      );
    }
  return frames;
}

test('what a router sent from routed addresses, and what was sent to them through it, counts on them, whenever it was found to route', () => {
  const frames = routedFrames();
  // Found at the fifth routed address, or only at the last frame (the routed ones come first).
  for (const order of [frames, [...frames.slice(2), ...frames.slice(0, 2)]]) {
    const a = analyzer();
    feed(a, order);
    const inv = a.snapshot();
    const gw = inv.devices.find((d) => d.mac === GW)!;
    assert.equal(gw.router, true);
    assert.equal(gw.packetsSent, 2, 'its ARP reply and what it sent from 192.168.1.1');
    assert.equal(gw.bytesSent, frames[0]!.length + frames[1]!.length);
    for (let i = 1; i <= 6; i++) {
      const r = inv.devices.find((d) => d.id === `ip:203.0.113.${i}`)!;
      assert.equal(r.packetsSent, 2);
      assert.equal(r.bytesSent, 2 * (14 + 20 + 8 + i) + 1);
      // What PC sent it through GW's MAC, before GW was known to route too.
      assert.equal(r.packetsReceived, 2);
      assert.equal(r.bytesReceived, 2 * (14 + 20 + 8 + 20 + i));
    }
    assert.equal(gw.packetsReceived, 0, 'nothing was addressed to its own address');
    // Every frame sent is counted once, and every unicast frame received once.
    assert.equal(
      inv.devices.reduce((n, d) => n + d.packetsSent, 0),
      frames.length,
    );
    assert.equal(
      inv.devices.reduce((n, d) => n + d.packetsReceived, 0),
      frames.length - 1,
    );
  }
});

test('two halves, neither of which saw enough addresses to call the MAC a router, merge to the counters of the whole', () => {
  // One frame to and one from each routed address: the first half holds three, the second the others.
  const frames = routedFrames().slice(0, 14);
  const whole = analyzer();
  feed(whole, frames);
  const want = whole.snapshot();
  const cut = 2 + 6;
  const [x, y] = [analyzer(), analyzer()];
  const t0 = 1_700_000_000_000;
  frames.forEach((f, i) => (i < cut ? x : y).frame(f, 1, t0 + i * 1000, f.length, 0));
  const px = analyzerPartial(x, { site: 'hq', sensor: 'first' });
  const py = analyzerPartial(y, { site: 'hq', sensor: 'second' });
  assert.ok([...px.devices, ...py.devices].every((d) => d.states.every((s) => !s.router)));
  const merged = inventoryFromPartial(mergePartials(px, py), {});
  const sent = (inv: typeof want) =>
    inv.devices
      .map((d) => [d.id, d.router, d.packetsSent, d.bytesSent, d.packetsReceived, d.bytesReceived])
      .sort();
  assert.deepEqual(sent(merged), sent(want));
  assert.equal(merged.devices.find((d) => d.mac === GW)!.packetsSent, 2);
});

test('what a MAC is sent for many addresses before it routes is kept for 64 of them, the rest stays on it', () => {
  const a = analyzer();
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 300; i++)
    frames.push(
      udpFrame(
        { mac: PC, ip: '192.168.1.10', port: 5000 },
        { mac: GW, ip: `198.51.${i >> 8}.${i & 255}`, port: 53 },
        new Uint8Array(4),
      ),
    );
  feed(a, frames);
  const gw = a.inventory.byId(`mac:${GW}`)!;
  assert.equal(gw.rx4!.size, 64);
  // A one-way capture of a gateway is no flood: no limit is reported.
  assert.equal(a.snapshot().stats.limits, undefined);
  // Found to route now: the 64 addresses kept become routed devices with what was sent to them.
  feed(
    a,
    [1, 2, 3, 4, 5].map((i) =>
      udpFrame(
        { mac: GW, ip: `198.51.0.${i}`, port: 53 },
        { mac: PC, ip: '192.168.1.10', port: 5000 },
        new Uint8Array(4),
      ),
    ),
    1_700_001_000_000,
  );
  const inv = a.snapshot();
  const router = inv.devices.find((d) => d.mac === GW)!;
  assert.equal(router.router, true);
  assert.equal(inv.devices.filter((d) => d.routed && d.packetsReceived === 1).length, 64);
  assert.equal(router.packetsReceived, 300 - 64);
});

test('four addresses are not yet a router (GROUND_TRUTH counts more than four)', () => {
  const a = analyzer();
  const frames = [];
  for (let i = 1; i <= 4; i++)
    frames.push(
      udpFrame(
        { mac: GW, ip: `10.0.0.${i}`, port: 1 },
        { mac: PC, ip: '10.0.0.100', port: 2 },
        new Uint8Array(1),
      ),
    );
  feed(a, frames);
  assert.equal(a.snapshot().devices.find((d) => d.mac === GW)!.router, false);
});

test('an ARP sender owns its address even when another MAC carried the frame', () => {
  const a = analyzer();
  feed(a, [
    ethernet('ff:ff:ff:ff:ff:ff', PC, 0x0806, arp(1, RANDOM, '10.9.9.9', '00:00:00:00:00:00', '10.9.9.1')),
  ]);
  assert.deepEqual(a.snapshot().devices.find((d) => d.mac === RANDOM)!.ips, ['10.9.9.9']);
});

test('the change stream batches what changed, numbered', () => {
  const a = analyzer();
  const cs = new ChangeStream(a);
  assert.equal(cs.collect(), null, 'nothing changed yet');
  feed(a, [
    udpFrame({ mac: PC, ip: '10.0.0.1', port: 1 }, { mac: GW, ip: '10.0.0.2', port: 2 }, new Uint8Array(1)),
  ]);
  const b1 = cs.collect()!;
  assert.equal(b1.seq, 1);
  assert.deepEqual(b1.upserts.map((d) => d.mac).sort(), [GW, PC].sort());
  assert.equal(b1.edges.length, 1);
  assert.equal(cs.collect(), null, 'collected devices are clean again');
  feed(a, [
    udpFrame(
      { mac: RANDOM, ip: '10.0.0.3', port: 1 },
      { mac: GW, ip: '10.0.0.2', port: 2 },
      new Uint8Array(1),
    ),
  ]);
  const b2 = cs.collect()!;
  assert.deepEqual(b2.upserts.map((d) => d.mac).sort(), [GW, RANDOM].sort());
});

test('edges beyond the cap are evicted idlest first, and the change stream reports them', () => {
  const a = analyzer();
  const cs = new ChangeStream(a);
  a.inventory.maxEdges = 100;
  const frames = [];
  for (let i = 0; i < 150; i++) {
    frames.push(
      udpFrame(
        { mac: PC, ip: '10.0.0.1', port: 1 },
        { mac: `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`, ip: `10.0.1.${i}`, port: 2 },
        new Uint8Array(1),
      ),
    );
  }
  feed(a, frames);
  cs.collect();
  const evicted = a.inventory.trimEdges(0);
  assert.equal(evicted, 60);
  assert.equal(a.inventory.edges.size, 90);
  const b = cs.collect()!;
  assert.equal(b.edgesRemoved.length, 60);
  assert.deepEqual(b.edgesDeleted, [], 'evicted edges are not said wrong: a store keeps their rows');
  // The oldest conversations went; the newest stayed.
  assert.ok(b.edgesRemoved.some((r) => r.b === 'mac:02:00:00:00:01:00' || r.a === 'mac:02:00:00:00:01:00'));
  assert.ok(
    a.snapshot().edges.some((e) => e.a === 'mac:02:00:00:00:01:95' || e.b === 'mac:02:00:00:00:01:95'),
  );
});

test('a conversation whose edge was evicted gets a new edge, counted from its next frame', () => {
  const a = analyzer();
  const cs = new ChangeStream(a);
  a.inventory.maxEdges = 2;
  const pc = { mac: PC, ip: '10.0.0.1', port: 1 };
  const to = (i: number) => ({ mac: `02:00:00:00:02:0${i}`, ip: `10.0.2.${i}`, port: 2 });
  const t0 = 1_700_000_000_000;
  const send = (i: number, t: number) => {
    const f = udpFrame(pc, to(i), new Uint8Array(1));
    a.frame(f, 1, t0 + t, f.length, 0);
  };
  // The PC's last frame goes to the idlest peer (an older time), whose edge is then evicted.
  send(1, 10_000);
  send(2, 20_000);
  send(0, 1_000);
  cs.collect();
  assert.equal(a.inventory.trimEdges(0), 2);
  send(0, 30_000);
  send(0, 31_000);
  const e = a
    .snapshot()
    .edges.find((x) => x.a === 'mac:02:00:00:00:02:00' || x.b === 'mac:02:00:00:00:02:00');
  assert.ok(e !== undefined, 'the evicted conversation has an edge again');
  assert.equal(e.packets, 2);
  assert.equal(e.firstSeen, new Date(t0 + 30_000).toISOString());
  assert.equal(a.inventory.edges.size, 2);
});

/** A UDP datagram over IPv6 from `src` (MAC, address) to the PC. */
function udp6(mac: string, src: string): Uint8Array {
  return ethernet(PC, mac, 0x86dd, ipv6(src, '2001:db8:1:1::100', 17, udp(5353, 5353, new Uint8Array(4))));
}

test('a host with several IPv6 addresses in its own /64 (temporary addresses) is not a router', () => {
  const a = analyzer();
  const host = '3c:52:82:00:00:09';
  const frames = [
    udpFrame(
      { mac: host, ip: '10.0.0.9', port: 1 },
      { mac: PC, ip: '10.0.0.100', port: 2 },
      new Uint8Array(1),
    ),
    udp6(host, 'fe80::3e52:82ff:fe00:9'),
    // The stable address and five temporary ones (RFC 8981), all in 2001:db8:1:1::/64.
    udp6(host, '2001:db8:1:1:3e52:82ff:fe00:9'),
    ...[1, 2, 3, 4, 5].map((i) => udp6(host, `2001:db8:1:1:${i}a2b:3c4d:5e6f:${i}`)),
  ];
  feed(a, frames);
  const d = a.snapshot().devices.find((x) => x.mac === host)!;
  assert.equal(d.router, false);
  assert.equal(d.ips.length, 8, 'every address stays on the host');
});

test('addresses of more than four IPv6 networks behind one MAC make it a router', () => {
  const a = analyzer();
  feed(
    a,
    [1, 2, 3, 4, 5].map((n) => udp6(GW, `2001:db8:${n}:1::10`)),
  );
  const inv = a.snapshot();
  assert.equal(inv.devices.find((x) => x.mac === GW)!.router, true);
  assert.ok(inv.devices.some((x) => x.id === 'ip:2001:db8:5:1::10' && x.routed));
});

test('ipv6Prefix64 gives the /64 of compressed and full forms alike', () => {
  assert.equal(ipv6Prefix64('2001:db8:1:1::10'), '2001:db8:1:1');
  assert.equal(ipv6Prefix64('2001:0db8:0001:0001:0000:0000:0000:0010'), '2001:db8:1:1');
  assert.equal(ipv6Prefix64('2001:db8::1'), '2001:db8:0:0');
  assert.equal(ipv6Prefix64('::1'), '0:0:0:0');
  assert.equal(ipv6Prefix64('fd52:429e:c03c:8235:883c:d6ff:fee1:4dc4'), 'fd52:429e:c03c:8235');
  assert.equal(ipv6Prefix64('not an address'), 'not an address');
});

test('frames among three MACs and addresses on both sides of 128.0.0.0 go to the right devices', () => {
  // Three MACs in turn run the two-entry MAC cache's hit, swap and miss paths; 200.x addresses are
  // no small integers unsigned, and broadcast or multicast receivers are no devices.
  const hosts = [
    { mac: '00:00:5e:00:00:0a', ip: '10.0.0.1', port: 1000 },
    { mac: '00:00:5e:00:00:0b', ip: '200.1.2.3', port: 2000 },
    { mac: '00:00:5e:00:00:0c', ip: '192.168.9.9', port: 3000 },
  ];
  const pairs = [
    [0, 1],
    [2, 0],
    [1, 2],
    [0, 1],
    [1, 0],
    [2, 1],
    [2, 0],
    [0, 2],
  ] as const;
  const frames = pairs.map(([s, d]) => udpFrame(hosts[s]!, hosts[d]!, new Uint8Array(10 + s)));
  frames.push(
    udpFrame(hosts[1]!, { mac: 'ff:ff:ff:ff:ff:ff', ip: '255.255.255.255', port: 9 }, new Uint8Array(1)),
    udpFrame(hosts[2]!, { mac: '01:00:5e:00:00:fb', ip: '224.0.0.251', port: 5353 }, new Uint8Array(1)),
  );
  const a = analyzer();
  feed(a, frames);
  const inv = a.snapshot();
  assert.equal(inv.devices.length, 3);
  hosts.forEach((h, i) => {
    const d = inv.devices.find((x) => x.mac === h.mac)!;
    const sent = pairs.filter(([s]) => s === i).length + (i === 0 ? 0 : 1);
    const received = pairs.filter(([, r]) => r === i).length;
    assert.deepEqual(d.ips, [h.ip], h.mac);
    assert.equal(d.packetsSent, sent, h.mac);
    assert.equal(d.packetsReceived, received, h.mac);
  });
  assert.equal(inv.edges.length, 3);
  assert.equal(
    inv.edges.reduce((n, e) => n + e.packets, 0),
    pairs.length,
  );
});
