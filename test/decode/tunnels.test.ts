import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { Analyzer } from '../../shared/engine/analyzer';
import { LAYERS } from '../../shared/decode/layers';
import { ipv4FromString, macFromString } from '../../shared/util/addr';
import { arp, concat, ethernet, ipv4, ipv6, tcp, udp, vlanTag } from '../helpers/packets';
import { ayiya, erspan2, erspan3, gre, gtpu, teredo, vxlan } from './builders';

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

const overUdp = (sport: number, dport: number, payload: Uint8Array) =>
  ethernet(OUT.b, OUT.a, 0x0800, ipv4(OUT.ipa, OUT.ipb, 17, udp(sport, dport, payload)));
const inner6 = () => ipv6('2001:0:4136:e378::1', '2001:db8::2', 17, udp(5353, 53, new Uint8Array(4)));
const inner4 = () => ipv4(IN.ipa, IN.ipb, 6, tcp(33333, 502, Uint8Array.of(0, 1)));
const stack = (p: ReturnType<typeof decode>) => p.protos.slice(0, p.protoCount);

test('Teredo: IPv6 in UDP 3544, bare and behind authentication / origin indication headers', () => {
  for (const t of [
    teredo(inner6()),
    teredo(inner6(), { origin: { port: 40000, ip: '198.51.100.7' } }),
    teredo(inner6(), { auth: { id: [1, 2, 3], value: [9, 9] } }),
    teredo(inner6(), { auth: { id: [], value: [] }, origin: { port: 1, ip: '192.0.2.1' } }),
  ]) {
    const p = decode(overUdp(3544, 51000, t));
    assert.equal(p.malformed, '');
    assert.equal(p.tunnels, 1);
    assert.deepEqual(stack(p), ['ethernet', 'ipv4', 'udp', 'teredo', 'ipv6', 'udp']);
    assert.equal(p.src6, '2001:0:4136:e378::1');
    assert.equal(p.src4, 0);
    assert.deepEqual([p.srcPort, p.dstPort], [5353, 53]);
    // GRE's rule for inner IP: the link layer is the tunnel endpoint's and stays.
    assert.equal(p.srcMac, macFromString(OUT.a));
  }
});

test("IP in UDP: the outer IPv4 source stays the sending endpoint's address, beside the inner ones", () => {
  const frames = [
    overUdp(3544, 51000, teredo(inner6())),
    overUdp(5072, 5072, ayiya(41, inner6())),
    overUdp(2152, 2152, gtpu(inner4())),
  ];
  for (const f of frames) assert.equal(decode(f).tunnelSrc4, ipv4FromString(OUT.ipa));
  // GRE in IP is not IP in UDP: its endpoints are routers forwarding others' packets.
  assert.equal(decode(overGre(gre(0x0800, inner4()))).tunnelSrc4, 0);
  const a = new Analyzer({ layers: LAYERS });
  frames.forEach((f, i) => a.frame(f, 1, 1_700_000_000_000 + i, f.length, 0));
  const sender = a.snapshot().devices.find((d) => d.mac === OUT.a);
  assert.ok(sender, 'the tunnel endpoint is a device');
  assert.ok(sender.ips.includes(OUT.ipa), `outer address kept: ${sender.ips.join(',')}`);
  assert.ok(sender.ips.includes('2001:0:4136:e378::1'), 'the inner address too');
});

test('Teredo bubble (no next header): the outer UDP ports do not leak into the inner packet', () => {
  const p = decode(
    overUdp(51000, 3544, teredo(ipv6('fe80::8000:f227:bec9:1c2', 'fe80::1', 59, new Uint8Array(0)))),
  );
  assert.equal(p.malformed, '');
  assert.equal(p.tunnels, 1);
  assert.equal(p.src6, 'fe80::8000:f227:bec9:1c2');
  assert.deepEqual([p.srcPort, p.dstPort], [-1, -1]);
});

test('Teredo: non-IPv6 payloads on 3544 are left alone; headers that run out are malformed', () => {
  const other = decode(overUdp(3544, 51000, new Uint8Array(60).fill(0x45)));
  assert.equal(other.malformed, '');
  assert.equal(other.tunnels, 0);
  assert.equal(other.hasProto('teredo'), false);
  // Starts like IPv6, but its payload length does not account for the datagram: not Teredo.
  const stray = inner6().slice();
  stray[5] += 3;
  for (const b of [stray, concat(inner6(), [0, 0])]) {
    const p = decode(overUdp(3544, 51000, b));
    assert.equal(p.tunnels, 0);
    assert.equal(p.hasProto('teredo'), false);
  }
  for (const n of [0, 3, 10, 39]) assert.equal(decode(overUdp(3544, 51000, new Uint8Array(n))).malformed, '');
  const auth = teredo(inner6(), { auth: { id: [1, 2, 3, 4], value: [5, 6, 7, 8] } });
  for (const n of [40, 45, 60]) {
    const p = decode(overUdp(3544, 51000, auth.subarray(0, n)));
    assert.equal(p.malformed, 'teredo: truncated', `cut at ${n}`);
    assert.equal(p.tunnels, 0);
  }
  // An authentication header whose lengths point past the datagram.
  const lying = Uint8Array.of(0, 1, 255, 255, ...inner6());
  assert.equal(decode(overUdp(3544, 51000, lying)).malformed, 'teredo: truncated');
});

test('AYIYA: forwarded IPv6 and IPv4 after identity and signature; other opcodes carry nothing', () => {
  const six = decode(overUdp(5072, 5072, ayiya(41, inner6())));
  assert.equal(six.malformed, '');
  assert.equal(six.tunnels, 1);
  assert.deepEqual(stack(six), ['ethernet', 'ipv4', 'udp', 'ayiya', 'ipv6', 'udp']);
  assert.equal(six.dstPort, 53);
  const four = decode(overUdp(40000, 5072, ayiya(4, inner4(), { idLog2: 0, sigWords: 0 })));
  assert.equal(four.malformed, '');
  assert.equal(four.src4, ipv4FromString(IN.ipa));
  assert.equal(four.dstPort, 502);
  const heartbeat = decode(overUdp(5072, 5072, ayiya(59, new Uint8Array(0), { opcode: 0 })));
  assert.equal(heartbeat.malformed, '');
  assert.equal(heartbeat.tunnels, 0);
  assert.equal(heartbeat.hasProto('ayiya'), true);
  assert.equal(decode(overUdp(5072, 5072, ayiya(41, inner6()).subarray(0, 7))).malformed, 'ayiya: truncated');
  // Identity and signature lengths (2^15 + 60 bytes) that overrun the datagram.
  const big = ayiya(41, inner6(), { idLog2: 15, sigWords: 15 }).subarray(0, 200);
  assert.equal(decode(overUdp(5072, 5072, big)).malformed, 'ayiya: truncated');
});

test('GTP-U: G-PDUs carry IPv4 or IPv6, with sequence number and extension headers', () => {
  const plain = decode(overUdp(2152, 2152, gtpu(inner4())));
  assert.equal(plain.malformed, '');
  assert.equal(plain.tunnels, 1);
  assert.deepEqual(stack(plain), ['ethernet', 'ipv4', 'udp', 'gtpu', 'ipv4', 'tcp']);
  assert.equal(plain.src4, ipv4FromString(IN.ipa));
  // PDU session container (0x85) then a second extension header, as 5G user planes send.
  const ext = decode(
    overUdp(
      2152,
      2152,
      gtpu(inner6(), {
        seq: 7,
        ext: [
          [0x85, [0x10, 0x09]],
          [0x40, [1, 2, 3, 4, 5, 6]],
        ],
      }),
    ),
  );
  assert.equal(ext.malformed, '');
  assert.equal(ext.src6, '2001:0:4136:e378::1');
  assert.equal(ext.dstPort, 53);
  const seqOnly = decode(overUdp(2152, 2152, gtpu(inner6(), { seq: 1 })));
  assert.equal(seqOnly.malformed, '');
  assert.equal(seqOnly.ipVersion, 6);
});

test('GTP-U: signalling messages, GTPv2 and hostile headers never decapsulate', () => {
  const echo = decode(overUdp(2152, 2152, gtpu(new Uint8Array(4), { type: 1 })));
  assert.equal(echo.malformed, '');
  assert.equal(echo.tunnels, 0);
  assert.equal(echo.hasProto('gtpu'), true);
  const v2 = gtpu(inner4());
  v2[0] = 0x48;
  assert.equal(decode(overUdp(2152, 2152, v2)).tunnels, 0);
  assert.equal(decode(overUdp(2152, 2152, gtpu(inner4()).subarray(0, 5))).malformed, 'gtpu: truncated');
  const long = gtpu(inner4());
  long[2] = 0xff;
  const lp = decode(overUdp(2152, 2152, long));
  assert.equal(lp.malformed, 'gtpu: truncated');
  assert.equal(lp.src4, ipv4FromString(IN.ipa)); // what was captured still decodes
  const zero = gtpu(inner4(), { ext: [[0x85, [0x10, 0x09]]] });
  zero[12] = 0;
  assert.equal(decode(overUdp(2152, 2152, zero)).malformed, 'gtpu: extension header length 0');
  // A chain of extension headers, each naming another: cut at the bound.
  const chain: [number, number[]][] = Array.from({ length: 20 }, () => [0x40, [0, 0]]);
  assert.equal(
    decode(overUdp(2152, 2152, gtpu(inner4(), { ext: chain }))).malformed,
    'gtpu: too many extension headers',
  );
  const past = gtpu(inner4(), { ext: [[0x85, [0x10, 0x09]]] });
  past[12] = 200;
  assert.equal(decode(overUdp(2152, 2152, past)).malformed, 'gtpu: truncated');
});

test('GRE in UDP (RFC 8086, port 4754): inner IP or Ethernet, as GRE over IP', () => {
  const ip = decode(overUdp(50000, 4754, gre(0x0800, inner4())));
  assert.equal(ip.malformed, '');
  assert.equal(ip.tunnels, 1);
  assert.deepEqual(stack(ip), ['ethernet', 'ipv4', 'udp', 'gre', 'ipv4', 'tcp']);
  assert.deepEqual([ip.srcPort, ip.dstPort], [33333, 502]);
  const eth = decode(overUdp(50000, 4754, gre(0x6558, innerTcp(), { key: 3 })));
  assert.equal(eth.malformed, '');
  assertInner(eth);
  assert.equal(decode(overUdp(50000, 4754, Uint8Array.of(0, 0))).malformed, 'gre: truncated');
});

test('UDP tunnels nest (Teredo in GTP-U in GRE-in-UDP in VXLAN) and stop at the decoder depth', () => {
  const nested = decode(
    overUdp(
      1,
      4789,
      vxlan(
        1,
        ethernet(
          IN.b,
          IN.a,
          0x0800,
          ipv4(
            IN.ipa,
            IN.ipb,
            17,
            udp(
              2,
              4754,
              gre(
                0x0800,
                ipv4(
                  IN.ipa,
                  IN.ipb,
                  17,
                  udp(2152, 2152, gtpu(ipv4('10.0.0.1', '10.0.0.2', 17, udp(3544, 9, teredo(inner6()))))),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  assert.equal(nested.malformed, '');
  assert.equal(nested.tunnels, 4);
  assert.equal(nested.src6, '2001:0:4136:e378::1');
  assert.equal(nested.dstPort, 53);
  let pkt: Uint8Array = inner4();
  for (let i = 0; i < 12; i++) pkt = ipv4(OUT.ipa, OUT.ipb, 17, udp(2152, 2152, gtpu(pkt)));
  const deep = decode(ethernet(OUT.b, OUT.a, 0x0800, pkt));
  assert.equal(deep.malformed, 'decoder: too many nested layers');
  assert.ok(deep.tunnels >= 5);
});
