import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers';
import { ipv4FromString, macFromString } from '../../shared/util/addr';
import { arp, ethernet, ipv4, ipv6, tcp, udp, vlanTag } from '../helpers/packets';
import { erspan2, erspan3, gre, vxlan } from './builders';

const OUT = { a: '02:00:00:00:01:01', b: '02:00:00:00:01:02', ipa: '172.16.0.1', ipb: '172.16.0.2' };
const IN = { a: '0a:00:00:00:02:01', b: '0a:00:00:00:02:02', ipa: '192.168.50.10', ipb: '192.168.50.20' };

function decode(bytes: Uint8Array) {
  return new Decoder(LAYERS).decode(bytes, 1, 0, 1, bytes.length);
}
const innerTcp = () =>
  ethernet(IN.b, IN.a, 0x0800, ipv4(IN.ipa, IN.ipb, 6, tcp(33333, 502, Uint8Array.of(0, 1))));
const overGre = (g: Uint8Array) =>
  ethernet(OUT.b, OUT.a, 0x8100, vlanTag(10, 0x0800, ipv4(OUT.ipa, OUT.ipb, 47, g, { ttl: 3 })));

function assertInner(p: ReturnType<typeof decode>) {
  assert.equal(p.srcMac, macFromString(IN.a));
  assert.equal(p.dstMac, macFromString(IN.b));
  assert.equal(p.src4, ipv4FromString(IN.ipa));
  assert.equal(p.dst4, ipv4FromString(IN.ipb));
  assert.equal(p.ttl, 64);
  assert.deepEqual([p.srcPort, p.dstPort], [33333, 502]);
  assert.equal(p.vlanCount, 0);
}

test('GRE carrying IPv4 directly: inner addresses win, one tunnel', () => {
  const inner = ipv4(IN.ipa, IN.ipb, 17, udp(5000, 53, new Uint8Array(4)));
  const p = decode(ethernet(OUT.b, OUT.a, 0x0800, ipv4(OUT.ipa, OUT.ipb, 47, gre(0x0800, inner))));
  assert.equal(p.malformed, '');
  assert.equal(p.tunnels, 1);
  assert.equal(p.src4, ipv4FromString(IN.ipa));
  assert.equal(p.dstPort, 53);
  assert.deepEqual(p.protos.slice(0, p.protoCount), ['ethernet', 'ipv4', 'gre', 'ipv4', 'udp']);
});

test('GRE optional fields: checksum, key and sequence all shift the payload', () => {
  const inner = ipv6('2001:db8::1', '2001:db8::2', 17, udp(1, 2, new Uint8Array(0)));
  const p = decode(
    ethernet(
      OUT.b,
      OUT.a,
      0x0800,
      ipv4(OUT.ipa, OUT.ipb, 47, gre(0x86dd, inner, { checksum: true, key: 9, seq: 1 })),
    ),
  );
  assert.equal(p.malformed, '');
  assert.equal(p.ipVersion, 6);
  assert.equal(p.src6, '2001:db8::1');
  assert.equal(p.src4, 0);
  assert.equal(p.srcPort, 1);
  const cut = decode(
    ethernet(
      OUT.b,
      OUT.a,
      0x0800,
      ipv4(OUT.ipa, OUT.ipb, 47, gre(0x0800, new Uint8Array(0), { key: 1, seq: 2 }).subarray(0, 10)),
    ),
  );
  assert.equal(cut.malformed, 'gre: truncated');
});

test('GRE version 1 (PPTP) and routing present are not decoded further', () => {
  const v1 = decode(
    ethernet(
      OUT.b,
      OUT.a,
      0x0800,
      ipv4(OUT.ipa, OUT.ipb, 47, gre(0x880b, new Uint8Array(8), { version: 1, key: 1 })),
    ),
  );
  assert.equal(v1.malformed, '');
  assert.equal(v1.tunnels, 0);
  assert.equal(v1.hasProto('gre'), true);
  const routed = decode(
    ethernet(
      OUT.b,
      OUT.a,
      0x0800,
      ipv4(OUT.ipa, OUT.ipb, 47, gre(0x0800, new Uint8Array(24), { routing: true })),
    ),
  );
  assert.equal(routed.protos[routed.protoCount - 1], 'gre');
});

test('GRE transparent Ethernet bridging (0x6558): inner frame, outer VLAN reset', () => {
  const p = decode(overGre(gre(0x6558, innerTcp(), { key: 5 })));
  assert.equal(p.malformed, '');
  assert.equal(p.tunnels, 1);
  assertInner(p);
});

test('GRE inner ARP: outer IP fields are cleared, not paired with the inner MAC', () => {
  const p = decode(
    overGre(
      gre(
        0x6558,
        ethernet('ff:ff:ff:ff:ff:ff', IN.a, 0x0806, arp(1, IN.a, IN.ipa, '00:00:00:00:00:00', IN.ipb)),
      ),
    ),
  );
  assert.equal(p.malformed, '');
  assert.equal(p.srcMac, macFromString(IN.a));
  assert.equal(p.arpSpa, ipv4FromString(IN.ipa));
  assert.equal(p.ipVersion, 0);
  assert.equal(p.src4, 0);
  assert.equal(p.ttl, -1);
});

test('ERSPAN type I (GRE sequence bit clear): Ethernet follows GRE directly', () => {
  const p = decode(overGre(gre(0x88be, innerTcp())));
  assert.equal(p.malformed, '');
  assert.ok(p.hasProto('erspan'));
  assertInner(p);
});

test('ERSPAN type II: 8-byte header after GRE with a sequence number', () => {
  const p = decode(overGre(gre(0x88be, erspan2(7, innerTcp(), 100), { seq: 42 })));
  assert.equal(p.malformed, '');
  assert.equal(p.tunnels, 1);
  assert.deepEqual(p.protos.slice(0, p.protoCount), [
    'ethernet',
    'vlan',
    'ipv4',
    'gre',
    'erspan',
    'ethernet',
    'ipv4',
    'tcp',
  ]);
  assertInner(p);
});

test('ERSPAN type III: 12-byte header, platform subheader, IP frame type', () => {
  const plain = decode(overGre(gre(0x22eb, erspan3(1, innerTcp()), { seq: 1 })));
  assert.equal(plain.malformed, '');
  assertInner(plain);
  const withSub = decode(overGre(gre(0x22eb, erspan3(1, innerTcp(), { platform: true }), { seq: 1 })));
  assert.equal(withSub.malformed, '');
  assertInner(withSub);
  const ip = decode(
    overGre(
      gre(0x22eb, erspan3(1, ipv6('fe80::1', 'fe80::2', 17, udp(7, 8, new Uint8Array(0))), { ft: 2 }), {
        seq: 1,
      }),
    ),
  );
  assert.equal(ip.malformed, '');
  assert.equal(ip.src6, 'fe80::1');
  assert.equal(ip.dstPort, 8);
});

test('ERSPAN: unknown version and truncated headers', () => {
  const bad = erspan2(1, innerTcp());
  bad[0] = 0x30;
  assert.equal(decode(overGre(gre(0x88be, bad, { seq: 1 }))).malformed, 'erspan: unknown version');
  assert.equal(
    decode(overGre(gre(0x88be, erspan2(1, innerTcp()).subarray(0, 7), { seq: 1 }))).malformed,
    'erspan: truncated',
  );
  assert.equal(
    decode(
      overGre(gre(0x22eb, erspan3(1, new Uint8Array(0), { platform: true }).subarray(0, 16), { seq: 1 })),
    ).malformed,
    'erspan: truncated',
  );
});

test('VXLAN: inner Ethernet frame replaces the outer addresses and ports', () => {
  const frame = ethernet(
    OUT.b,
    OUT.a,
    0x0800,
    ipv4(OUT.ipa, OUT.ipb, 17, udp(51000, 4789, vxlan(5001, innerTcp()))),
  );
  const p = decode(frame);
  assert.equal(p.malformed, '');
  assert.equal(p.tunnels, 1);
  assert.deepEqual(p.protos.slice(0, p.protoCount), [
    'ethernet',
    'ipv4',
    'udp',
    'vxlan',
    'ethernet',
    'ipv4',
    'tcp',
  ]);
  assertInner(p);
});

test('VXLAN without the I flag is left alone; truncated header is malformed', () => {
  const noI = decode(
    ethernet(OUT.b, OUT.a, 0x0800, ipv4(OUT.ipa, OUT.ipb, 17, udp(51000, 4789, vxlan(1, innerTcp(), 0)))),
  );
  assert.equal(noI.malformed, '');
  assert.equal(noI.tunnels, 0);
  assert.equal(noI.src4, ipv4FromString(OUT.ipa));
  const cut = decode(
    ethernet(OUT.b, OUT.a, 0x0800, ipv4(OUT.ipa, OUT.ipb, 17, udp(51000, 4789, new Uint8Array(5)))),
  );
  assert.equal(cut.malformed, 'vxlan: truncated');
});

test('GRE in GRE in GRE ...: nesting stops at the decoder depth, never throws', () => {
  let pkt: Uint8Array = ipv4(IN.ipa, IN.ipb, 17, udp(1, 2, new Uint8Array(0)));
  for (let i = 0; i < 5; i++) pkt = ipv4(OUT.ipa, OUT.ipb, 47, gre(0x0800, pkt));
  const five = decode(ethernet(OUT.b, OUT.a, 0x0800, pkt));
  assert.equal(five.malformed, '');
  assert.equal(five.tunnels, 5);
  assert.equal(five.src4, ipv4FromString(IN.ipa));
  for (let i = 0; i < 30; i++) pkt = ipv4(OUT.ipa, OUT.ipb, 47, gre(0x0800, pkt));
  const deep = decode(ethernet(OUT.b, OUT.a, 0x0800, pkt));
  assert.equal(deep.malformed, 'decoder: too many nested layers');
  assert.ok(deep.tunnels >= 10);
});
