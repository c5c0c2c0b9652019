import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers';
import { macFromString, ipv4FromString } from '../../shared/util/addr';
import { arp, concat, ethernet, ip6, ipv4, ipv6, mac, tcp, u16, udp } from '../helpers/packets';
import { ext6, frag6, icmp6, ipv6Ext } from './builders';

const M1 = '02:00:00:00:00:01';
const M2 = '02:00:00:00:00:02';

function decode(bytes: Uint8Array, linkType = 1) {
  const d = new Decoder(LAYERS);
  return d.decode(bytes, linkType, 0, 1, bytes.length);
}
const eth4 = (ip: Uint8Array) => decode(ethernet(M2, M1, 0x0800, ip));
const eth6 = (ip: Uint8Array) => decode(ethernet(M2, M1, 0x86dd, ip));

test('ARP Ethernet/IPv4: every address', () => {
  const p = decode(
    ethernet('ff:ff:ff:ff:ff:ff', M1, 0x0806, arp(1, M1, '192.168.1.10', '00:00:00:00:00:00', '192.168.1.1')),
  );
  assert.equal(p.malformed, '');
  assert.equal(p.arpOp, 1);
  assert.equal(p.arpSha, macFromString(M1));
  assert.equal(p.arpSpa, ipv4FromString('192.168.1.10'));
  assert.equal(p.arpTha, 0);
  assert.equal(p.arpTpa, ipv4FromString('192.168.1.1'));
  assert.equal(p.ipVersion, 0);
});

test('ARP with other address sizes: operation only', () => {
  // htype 6 (IEEE 802), ptype IPv4, hlen 6, plen 4 but a different hardware type; then hlen 8.
  const body = concat(u16(6), u16(0x0800), [6, 4], u16(2), mac(M1), [10, 0, 0, 1], mac(M2), [10, 0, 0, 2]);
  const p = decode(ethernet(M2, M1, 0x0806, body));
  assert.equal(p.arpOp, 2);
  assert.equal(p.arpSha, -1);
  assert.equal(p.arpSpa, -1);
  const long = concat(u16(1), u16(0x0800), [8, 4], u16(1), new Uint8Array(24));
  const q = decode(ethernet(M2, M1, 0x0806, long));
  assert.equal(q.malformed, '');
  assert.equal(q.arpOp, 1);
  assert.equal(q.arpSha, -1);
});

test('ARP cut short: malformed, op kept when readable', () => {
  const full = arp(1, M1, '10.0.0.1', M2, '10.0.0.2');
  const p = decode(ethernet(M2, M1, 0x0806, full.subarray(0, 20)));
  assert.equal(p.malformed, 'arp: truncated');
  assert.equal(p.arpOp, 1);
  assert.equal(p.arpSpa, -1);
  assert.equal(decode(ethernet(M2, M1, 0x0806, full.subarray(0, 7))).malformed, 'arp: truncated');
});

test('IPv4: every header field', () => {
  const ip = ipv4('192.0.2.1', '198.51.100.7', 17, udp(1, 2, new Uint8Array(3)), {
    ttl: 37,
    id: 0xbeef,
    df: true,
    tos: 0xb9,
    options: [0x94, 0x04, 0, 0], // router alert
  });
  const p = eth4(ip);
  assert.equal(p.malformed, '');
  assert.equal(p.ipVersion, 4);
  assert.equal(p.src4, ipv4FromString('192.0.2.1'));
  assert.equal(p.dst4, ipv4FromString('198.51.100.7'));
  assert.equal(p.ttl, 37);
  assert.equal(p.ipId, 0xbeef);
  assert.equal(p.dontFragment, true);
  assert.equal(p.moreFragments, false);
  assert.equal(p.fragOffset, 0);
  assert.equal(p.ecn, 1);
  assert.equal(p.ipProto, 17);
  assert.equal(p.ipHeaderLen, 24);
  assert.equal(p.ipOptionBytes, 4);
  assert.equal(p.srcPort, 1);
  assert.equal(p.laterFragment, false);
});

test('IPv4: Ethernet padding is not payload (window clamped to total length)', () => {
  const ip = ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2, new Uint8Array(0)));
  const p = eth4(concat(ip, new Uint8Array(18).fill(0xee)));
  assert.equal(p.malformed, '');
  assert.equal(p.payloadStart, p.payloadEnd);
  assert.equal(p.payloadEnd, 14 + 28);
});

test('IPv4: total length larger than the frame marks truncation, the rest still decodes', () => {
  const p = eth4(ipv4('10.0.0.1', '10.0.0.2', 6, tcp(80, 5000, new Uint8Array(4)), { totalLength: 1500 }));
  assert.equal(p.malformed, 'ipv4: truncated');
  assert.equal(p.srcPort, 80);
  assert.equal(p.payloadEnd - p.payloadStart, 4);
});

test('IPv4: IHL < 5, total length < IHL, IHL past the end, wrong version', () => {
  const pay = udp(1, 2, new Uint8Array(4));
  assert.equal(eth4(ipv4('10.0.0.1', '10.0.0.2', 17, pay, { ihl: 4 })).malformed, 'ipv4: header length < 20');
  assert.equal(
    eth4(ipv4('10.0.0.1', '10.0.0.2', 17, pay, { totalLength: 19 })).malformed,
    'ipv4: total length < header length',
  );
  const p = eth4(ipv4('10.0.0.1', '10.0.0.2', 17, pay, { ihl: 15 }));
  // Total length 32 < 60: the header cannot fit in the packet.
  assert.equal(p.malformed, 'ipv4: total length < header length');
  const q = eth4(ipv4('10.0.0.1', '10.0.0.2', 17, new Uint8Array(0), { ihl: 15, totalLength: 60 }));
  assert.equal(q.malformed, 'ipv4: truncated');
  assert.equal(q.srcPort, -1);
  const v = ipv4('10.0.0.1', '10.0.0.2', 17, pay);
  v[0] = 0x65;
  assert.equal(eth4(v).malformed, 'ipv4: version is not 4');
  assert.equal(eth4(v.subarray(0, 19)).malformed, 'ipv4: truncated');
});

test('IPv4 fragments: first decodes on, later ones are counted and stop', () => {
  const first = eth4(ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2, new Uint8Array(16)), { mf: true }));
  assert.equal(first.moreFragments, true);
  assert.equal(first.laterFragment, false);
  assert.equal(first.srcPort, 1);
  const d = new Decoder(LAYERS);
  const later = ethernet(
    M2,
    M1,
    0x0800,
    ipv4('10.0.0.1', '10.0.0.2', 17, udp(7, 8, new Uint8Array(8)), { fragOffset: 1480 }),
  );
  const p = d.decode(later, 1, 0, 1, later.length);
  assert.equal(p.fragOffset, 1480);
  assert.equal(p.laterFragment, true);
  assert.equal(p.srcPort, -1);
  assert.equal(p.hasProto('udp'), false);
  assert.equal(d.stats.laterFragments, 1);
});

test('IPv6: fixed header fields', () => {
  const ip = concat(
    u16(0x6b80), // traffic class 0xb8 (ECN 0), flow label 0
    u16(0),
    u16(8),
    [17, 255],
    ip6('2001:db8:0:1::10'),
    ip6('ff02::fb'),
    udp(5353, 5353, new Uint8Array(0)),
  );
  const p = eth6(ip);
  assert.equal(p.malformed, '');
  assert.equal(p.ipVersion, 6);
  assert.equal(p.src6, '2001:db8:0:1::10');
  assert.equal(p.dst6, 'ff02::fb');
  assert.equal(p.ttl, 255);
  assert.equal(p.ipProto, 17);
  assert.equal(p.ipHeaderLen, 40);
  assert.equal(p.ecn, 0);
  assert.equal(p.srcPort, 5353);
  const ecn = concat(u16(0x6010), ip.subarray(2)); // traffic class 0x01
  assert.equal(eth6(ecn).ecn, 1);
});

test('IPv6: payload length bounds the payload; too long marks truncation', () => {
  const ip = ipv6('fe80::1', 'fe80::2', 17, udp(1, 2, new Uint8Array(0)));
  const padded = eth6(concat(ip, new Uint8Array(10)));
  assert.equal(padded.malformed, '');
  assert.equal(padded.payloadEnd, 14 + 48);
  const lie = ip.slice();
  lie[5] = 200;
  const p = eth6(lie);
  assert.equal(p.malformed, 'ipv6: truncated');
  assert.equal(p.srcPort, 1);
  assert.equal(eth6(ip.subarray(0, 39)).malformed, 'ipv6: truncated');
  const v4 = ip.slice();
  v4[0] = 0x45;
  assert.equal(eth6(v4).malformed, 'ipv6: version is not 6');
});

test('IPv6: extension header chain (hop-by-hop, routing, destination options, AH) to TCP', () => {
  // AH: payload length 4 means (4 + 2) * 4 = 24 bytes.
  const ah = [6, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const chain = [...ext6(43), ...ext6(60, [0, 0, 0, 0, 0, 0]), ...ext6(51, new Array(14).fill(0)), ...ah];
  const p = eth6(
    ipv6Ext('2001:db8::1', '2001:db8::2', 0, chain, tcp(443, 50000, new Uint8Array(0), { flags: 0x10 })),
  );
  assert.equal(p.malformed, '');
  assert.equal(p.ipProto, 6);
  assert.equal(p.ipHeaderLen, 40 + chain.length);
  assert.equal(p.srcPort, 443);
  assert.equal(p.dstPort, 50000);
});

test('IPv6: no next header (59) stops cleanly', () => {
  const p = eth6(ipv6Ext('::1', '::2', 60, ext6(59), new Uint8Array(0)));
  assert.equal(p.malformed, '');
  assert.equal(p.ipProto, 59);
  assert.equal(p.protoCount, 2);
});

test('IPv6 fragments: first decodes, later ones stop', () => {
  const first = eth6(
    ipv6Ext('::1', '::2', 44, frag6(17, 0, true, 0xabcdef01), udp(9, 10, new Uint8Array(8))),
  );
  assert.equal(first.malformed, '');
  assert.equal(first.moreFragments, true);
  assert.equal(first.ipId, 0xabcdef01);
  assert.equal(first.srcPort, 9);
  const later = eth6(ipv6Ext('::1', '::2', 44, frag6(17, 1448, false, 7), udp(9, 10, new Uint8Array(8))));
  assert.equal(later.fragOffset, 1448);
  assert.equal(later.laterFragment, true);
  assert.equal(later.srcPort, -1);
});

test('IPv6: long or looping extension chains stop at the bound', () => {
  const chain: number[] = [];
  for (let i = 0; i < 40; i++) chain.push(...ext6(60));
  const p = eth6(ipv6Ext('::1', '::2', 60, chain, new Uint8Array(0)));
  assert.equal(p.malformed, 'ipv6: too many extension headers');
  // A chain that runs past the payload.
  const cut = eth6(ipv6Ext('::1', '::2', 0, [6, 10, 0, 0, 0, 0, 0, 0], new Uint8Array(0)));
  assert.equal(cut.malformed, 'ipv6: truncated extension header');
  const empty = eth6(ipv6Ext('::1', '::2', 43, [], new Uint8Array(0)));
  assert.equal(empty.malformed, 'ipv6: truncated extension header');
});

test('ICMP: type and code; the quoted header of an error is not decoded', () => {
  const quoted = ipv4('10.9.9.9', '10.8.8.8', 17, udp(1, 2, new Uint8Array(0)));
  const p = eth4(ipv4('10.0.0.1', '10.0.0.2', 1, concat([3, 3, 0, 0, 0, 0, 0, 0], quoted)));
  assert.equal(p.malformed, '');
  assert.equal(p.icmpType, 3);
  assert.equal(p.icmpCode, 3);
  assert.equal(p.src4, ipv4FromString('10.0.0.1'));
  assert.equal(p.srcPort, -1);
  assert.equal(eth4(ipv4('10.0.0.1', '10.0.0.2', 1, Uint8Array.of(8, 0))).malformed, 'icmp: truncated');
});

const icmp6Frame = (body: Uint8Array) => eth6(ipv6('fe80::1', 'ff02::1', 58, body));

test('ICMPv6 neighbour solicitation: target and source link-layer address', () => {
  const p = icmp6Frame(icmp6(135, 0, [0, 0, 0, 0, ...ip6('fe80::abcd')], [[1, ...mac(M1)]]));
  assert.equal(p.malformed, '');
  assert.deepEqual([p.icmpType, p.icmpCode], [135, 0]);
  assert.equal(p.ndTarget, 'fe80::abcd');
  assert.equal(p.ndLinkAddr, macFromString(M1));
});

test('ICMPv6 neighbour advertisement: target link-layer option after an unknown option', () => {
  const p = icmp6Frame(
    icmp6(
      136,
      0,
      [0x60, 0, 0, 0, ...ip6('2001:db8::5')],
      [
        [99, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [2, ...mac(M2)],
      ],
    ),
  );
  assert.equal(p.malformed, '');
  assert.equal(p.ndTarget, '2001:db8::5');
  assert.equal(p.ndLinkAddr, macFromString(M2));
});

test('ICMPv6 router advertisement and solicitation', () => {
  const ra = icmp6(134, 0, [64, 0, ...u16(1800), 0, 0, 0, 0, 0, 0, 0, 0], [[1, ...mac(M1)]]);
  const p = icmp6Frame(ra);
  assert.equal(p.malformed, '');
  assert.equal(p.raLifetime, 1800);
  assert.equal(p.ndLinkAddr, macFromString(M1));
  const rs = icmp6Frame(icmp6(133, 0, [0, 0, 0, 0], [[1, ...mac(M2)]]));
  assert.equal(rs.raLifetime, -1);
  assert.equal(rs.ndLinkAddr, macFromString(M2));
  assert.equal(icmp6Frame(icmp6(134, 0, [64, 0, 0])).malformed, 'icmpv6: truncated');
});

test('ICMPv6 ND options: zero length is malformed and ends the walk; truncated option', () => {
  const zero = concat(icmp6(135, 0, [0, 0, 0, 0, ...ip6('fe80::1')]), [1, 0, ...mac(M1)]);
  const p = icmp6Frame(zero);
  assert.equal(p.malformed, 'icmpv6: option length 0');
  assert.equal(p.ndLinkAddr, -1);
  const cut = concat(icmp6(135, 0, [0, 0, 0, 0, ...ip6('fe80::1')]), [1, 2, ...mac(M1)]);
  assert.equal(icmp6Frame(cut).malformed, 'icmpv6: truncated option');
  const echo = icmp6Frame(icmp6(128, 0, [0, 1, 0, 1]));
  assert.deepEqual([echo.malformed, echo.icmpType, echo.ndTarget], ['', 128, '']);
});
