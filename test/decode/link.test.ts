import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers';
import type { AppProtocol } from '../../shared/protocols/contract';
import { macFromString, ipv4FromString } from '../../shared/util/addr';
import { concat, ethernet, ipv4, ipv6, udp, vlanTag, arp } from '../helpers/packets';
import { ieee8023, llc, nflog, nflogHwaddr, nullHeader, sll, sll2, snap } from './builders';

const A = { mac: '02:00:00:00:00:0a', ip: '10.0.0.1', port: 1234 };
const B = { mac: '02:00:00:00:00:0b', ip: '10.0.0.2', port: 53 };
const udp4 = () => ipv4(A.ip, B.ip, 17, udp(A.port, B.port, Uint8Array.of(1, 2, 3, 4)));

/** An app protocol that records the window it was handed, to check what a link layer passed on. */
function probe(reg: Partial<AppProtocol>) {
  const seen: { start: number; end: number; first: number }[] = [];
  const app: AppProtocol = {
    name: 'probe',
    group: 'it',
    emits: {},
    ...reg,
    dissect(w) {
      seen.push({ start: w.start, end: w.end, first: w.length > 0 ? w.u8(0) : -1 });
      return true;
    },
  };
  return { app, seen };
}

function decode(bytes: Uint8Array, linkType: number, apps: AppProtocol[] = []) {
  return new Decoder(LAYERS, apps).decode(bytes, linkType, 0, 1, bytes.length);
}

test('ethernet II: MACs, EtherType, IPv4/UDP above it', () => {
  const p = decode(ethernet(B.mac, A.mac, 0x0800, udp4()), 1);
  assert.equal(p.malformed, '');
  assert.equal(p.dstMac, macFromString(B.mac));
  assert.equal(p.srcMac, macFromString(A.mac));
  assert.equal(p.etherType, 0x0800);
  assert.deepEqual(p.protos.slice(0, p.protoCount), ['ethernet', 'ipv4', 'udp']);
  assert.equal(p.src4, ipv4FromString(A.ip));
  assert.equal(p.dstPort, 53);
});

test('ethernet: frame shorter than the header is malformed, not thrown', () => {
  const p = decode(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13), 1);
  assert.equal(p.malformed, 'ethernet: truncated');
  assert.equal(p.srcMac, -1);
});

test('ethernet: type/length values between 1501 and 1535 are invalid', () => {
  const p = decode(ethernet(B.mac, A.mac, 1510, new Uint8Array(50)), 1);
  assert.equal(p.malformed, 'ethernet: invalid type/length');
});

test('802.3 + LLC: DSAP keys the LLC table, payload after the header and bounded by the length', () => {
  const bpdu = Uint8Array.of(0x00, 0x00, 0x00, 0x00, 0x80);
  // 3 LLC bytes + 5 BPDU bytes, then 10 bytes of padding that must not reach the app.
  const frame = concat(ieee8023('01:80:c2:00:00:00', A.mac, llc(0x42, 0x42, 0x03, bpdu)), new Uint8Array(10));
  const { app, seen } = probe({ llcSaps: [0x42] });
  const p = decode(frame, 1, [app]);
  assert.equal(p.malformed, '');
  assert.equal(p.srcMac, macFromString(A.mac));
  assert.equal(p.etherType, -1);
  assert.ok(p.hasProto('llc'));
  assert.deepEqual(seen, [{ start: 17, end: 22, first: 0 }]);
});

test('802.3 + LLC with an I-format (two byte) control field', () => {
  const frame = ieee8023(B.mac, A.mac, llc(0xf0, 0xf0, 0x00, Uint8Array.of(0xaa, 0xff, 0x77)));
  // I-format: control is two bytes, so the payload starts one byte later (at 0xff).
  const { app, seen } = probe({ llcSaps: [0xf0] });
  decode(frame, 1, [app]);
  assert.deepEqual(seen, [{ start: 18, end: 20, first: 0xff }]);
});

test('802.3 + LLC: group DSAP bit is cleared for the lookup', () => {
  const { app, seen } = probe({ llcSaps: [0x42] });
  decode(ieee8023(B.mac, A.mac, llc(0x43, 0x42, 0x03, Uint8Array.of(9))), 1, [app]);
  assert.equal(seen.length, 1);
});

test('802.3 + SNAP with OUI 0: the PID is an EtherType (IPv4 decodes on)', () => {
  const frame = ieee8023(B.mac, A.mac, snap(0, 0x0800, udp4()));
  const p = decode(frame, 1);
  assert.equal(p.malformed, '');
  assert.equal(p.etherType, 0x0800);
  assert.ok(p.hasProto('snap'));
  assert.equal(p.src4, ipv4FromString(A.ip));
  assert.equal(p.srcPort, A.port);
});

test('802.3 + SNAP with a vendor OUI: keyed OUI * 65536 + PID (CDP)', () => {
  const { app, seen } = probe({ snap: [0x00000c * 65536 + 0x2000] });
  const p = decode(ieee8023('01:00:0c:cc:cc:cc', A.mac, snap(0x00000c, 0x2000, Uint8Array.of(2, 0xb4))), 1, [
    app,
  ]);
  assert.equal(p.malformed, '');
  assert.deepEqual(seen, [{ start: 22, end: 24, first: 2 }]);
});

test('802.3 length larger than the frame is malformed, payload clamped', () => {
  const { app, seen } = probe({ llcSaps: [0x42] });
  const p = decode(ieee8023(B.mac, A.mac, llc(0x42, 0x42, 0x03, Uint8Array.of(1, 2)), 1000), 1, [app]);
  assert.equal(p.malformed, 'llc: 802.3 length exceeds frame');
  assert.deepEqual(seen, [{ start: 17, end: 19, first: 1 }]);
});

test('802.3 with an LLC header cut short is malformed', () => {
  assert.equal(decode(ieee8023(B.mac, A.mac, Uint8Array.of(0x42, 0x42)), 1).malformed, 'llc: truncated');
  const cutSnap = decode(ieee8023(B.mac, A.mac, Uint8Array.of(0xaa, 0xaa, 0x03, 0, 0)), 1);
  assert.equal(cutSnap.malformed, 'llc: truncated SNAP header');
});

test('Novell raw 802.3 (0xFFFF after the length) stops quietly', () => {
  const { app, seen } = probe({ llcSaps: [0xfe] });
  const p = decode(ieee8023(B.mac, A.mac, Uint8Array.of(0xff, 0xff, 0, 30, 0, 0)), 1, [app]);
  assert.equal(p.malformed, '');
  assert.equal(p.hasProto('llc'), false);
  assert.equal(seen.length, 0);
});

test('VLAN: single tag, id recorded, EtherType of the payload', () => {
  const p = decode(ethernet(B.mac, A.mac, 0x8100, vlanTag(42, 0x0800, udp4(), 5)), 1);
  assert.equal(p.malformed, '');
  assert.equal(p.vlanCount, 1);
  assert.equal(p.vlans[0], 42);
  assert.equal(p.etherType, 0x0800);
  assert.equal(p.dst4, ipv4FromString(B.ip));
});

test('QinQ: 802.1ad outer then 802.1Q inner, outermost first', () => {
  const frame = ethernet(
    B.mac,
    A.mac,
    0x88a8,
    vlanTag(100, 0x8100, vlanTag(4095, 0x0806, arp(1, A.mac, A.ip, '00:00:00:00:00:00', B.ip))),
  );
  const p = decode(frame, 1);
  assert.equal(p.malformed, '');
  assert.deepEqual([p.vlanCount, p.vlans[0], p.vlans[1]], [2, 100, 4095]);
  assert.equal(p.arpOp, 1);
  assert.equal(p.etherType, 0x0806);
});

test('VLAN 0x9100 and more than four tags: only four ids kept, still decodes', () => {
  let inner = udp4();
  let type = 0x0800;
  for (let i = 6; i >= 1; i--) {
    inner = vlanTag(i, type, inner);
    type = i % 2 ? 0x9100 : 0x8100;
  }
  const p = decode(ethernet(B.mac, A.mac, type, inner), 1);
  assert.equal(p.malformed, '');
  assert.equal(p.vlanCount, 4);
  assert.deepEqual(p.vlans, [1, 2, 3, 4]);
  assert.equal(p.srcPort, A.port);
});

test('VLAN carrying an 802.3 length goes to LLC (PVST+ BPDUs)', () => {
  const payload = snap(0x00000c, 0x010b, Uint8Array.of(0, 0, 2));
  const { app, seen } = probe({ snap: [0x00000c * 65536 + 0x010b] });
  const p = decode(ethernet('01:00:0c:cc:cc:cd', A.mac, 0x8100, vlanTag(5, payload.length, payload)), 1, [
    app,
  ]);
  assert.equal(p.malformed, '');
  assert.deepEqual([p.vlanCount, p.vlans[0]], [1, 5]);
  assert.equal(seen.length, 1);
});

test('VLAN tag cut short is malformed', () => {
  const p = decode(ethernet(B.mac, A.mac, 0x8100, Uint8Array.of(0, 1)), 1);
  assert.equal(p.malformed, 'vlan: truncated');
});

test('SLL v1: sender MAC from an Ethernet address, EtherType protocol', () => {
  const p = decode(sll(0x0800, udp4(), { addr: [2, 0, 0, 0, 0, 0x0a], pkttype: 4 }), 113);
  assert.equal(p.malformed, '');
  assert.equal(p.srcMac, macFromString(A.mac));
  assert.equal(p.dstMac, -1);
  assert.equal(p.etherType, 0x0800);
  assert.deepEqual(p.protos.slice(0, p.protoCount), ['sll', 'ipv4', 'udp']);
  assert.equal(p.dstPort, B.port);
});

test('SLL v1: non-Ethernet hardware type leaves the MAC absent', () => {
  const p = decode(
    sll(0x86dd, ipv6('fe80::1', 'ff02::1', 59, new Uint8Array(0)), { addr: [], hatype: 772 }),
    113,
  );
  assert.equal(p.malformed, '');
  assert.equal(p.srcMac, -1);
  assert.equal(p.dst6, 'ff02::1');
});

test('SLL v1: protocol 4 is 802.2 LLC, protocol 1 is Novell raw (stop), truncation', () => {
  const { app, seen } = probe({ llcSaps: [0x42] });
  decode(sll(0x0004, llc(0x42, 0x42, 0x03, Uint8Array.of(7, 8))), 113, [app]);
  assert.deepEqual(seen, [{ start: 19, end: 21, first: 7 }]);
  const novell = decode(sll(0x0001, Uint8Array.of(0xff, 0xff, 0, 4)), 113);
  assert.equal(novell.malformed, '');
  assert.equal(novell.protoCount, 1);
  assert.equal(decode(new Uint8Array(15), 113).malformed, 'sll: truncated');
});

test('SLL v2: protocol first, sender MAC at offset 12', () => {
  const p = decode(sll2(0x0806, arp(2, B.mac, B.ip, A.mac, A.ip), { addr: [2, 0, 0, 0, 0, 0x0b] }), 276);
  assert.equal(p.malformed, '');
  assert.equal(p.srcMac, macFromString(B.mac));
  assert.equal(p.etherType, 0x0806);
  assert.equal(p.arpOp, 2);
  assert.equal(p.arpSpa, ipv4FromString(B.ip));
  const { app, seen } = probe({ llcSaps: [0xe0] });
  decode(sll2(0x0004, llc(0xe0, 0xe0, 0x03, Uint8Array.of(1))), 276, [app]);
  assert.deepEqual(seen, [{ start: 23, end: 24, first: 1 }]);
  assert.equal(decode(new Uint8Array(19), 276).malformed, 'sll2: truncated');
});

test('raw IP: version nibble picks IPv4 or IPv6; 228/229 accept only their version', () => {
  const v4 = udp4();
  const v6 = ipv6('2001:db8::1', '2001:db8::2', 17, udp(5, 6, new Uint8Array(2)));
  for (const lt of [101, 12, 14]) {
    assert.equal(decode(v4, lt).src4, ipv4FromString(A.ip), `linktype ${lt}`);
    assert.equal(decode(v6, lt).src6, '2001:db8::1', `linktype ${lt}`);
  }
  assert.equal(decode(v4, 228).ipVersion, 4);
  assert.equal(decode(v6, 229).ipVersion, 6);
  assert.equal(decode(v6, 228).malformed, 'raw: IP version does not match link type');
  assert.equal(decode(v4, 229).malformed, 'raw: IP version does not match link type');
  assert.equal(decode(Uint8Array.of(0x50, 0), 101).malformed, 'raw: IP version does not match link type');
  assert.equal(decode(new Uint8Array(0), 101).malformed, 'raw: truncated');
});

test('NULL loopback: family in either byte order, every AF_INET6 value', () => {
  const v6 = ipv6('::1', '::1', 17, udp(5, 6, new Uint8Array(2)));
  assert.equal(decode(nullHeader(2, udp4()), 0).src4, ipv4FromString(A.ip));
  assert.equal(decode(nullHeader(2, udp4(), true), 0).src4, ipv4FromString(A.ip));
  for (const af of [24, 28, 30]) {
    for (const be of [false, true]) {
      const p = decode(nullHeader(af, v6, be), 0);
      assert.equal(p.ipVersion, 6, `af ${af} ${be ? 'BE' : 'LE'}`);
      assert.equal(p.dstPort, 6);
    }
  }
  const unknown = decode(nullHeader(7, udp4()), 0);
  assert.equal(unknown.ipVersion, 0);
  assert.equal(unknown.malformed, '');
});

test('LOOP (108): network byte order only', () => {
  assert.equal(decode(nullHeader(2, udp4(), true), 108).ipVersion, 4);
  assert.equal(decode(nullHeader(30, ipv6('::1', '::2', 59, new Uint8Array(0)), true), 108).dst6, '::2');
  // Little-endian 2 read as network order is 0x02000000: not a family, nothing decoded.
  assert.equal(decode(nullHeader(2, udp4()), 108).ipVersion, 0);
  assert.equal(decode(Uint8Array.of(0, 0, 0), 108).malformed, 'loopback: truncated');
});

test('unknown link type is counted, not decoded', () => {
  const d = new Decoder(LAYERS);
  const p = d.decode(Uint8Array.of(0, 1), 9999, 0, 1, 2);
  assert.equal(p.protoCount, 0);
  assert.equal(d.stats.unknownLinkType, 1);
});

test('unknown link types are counted per type', () => {
  const d = new Decoder(LAYERS);
  for (const lt of [105, 105, 127]) d.decode(Uint8Array.of(0, 1), lt, 0, 1, 2);
  assert.equal(d.stats.unknownLinkType, 3);
  assert.deepEqual(d.stats.unknownLinkTypes, { 105: 2, 127: 1 });
  assert.equal(new Decoder(LAYERS).stats.unknownLinkTypes, undefined);
  assert.equal(d.readsLinkType(239), true);
  assert.equal(d.readsLinkType(1), true);
  assert.equal(d.readsLinkType(127), false);
});

const NFLOG = 239;
const prefix = (s: string) => [...Buffer.from(s + '\0', 'latin1')];

test('NFLOG: the payload TLV is the IP packet, in either TLV byte order; HWADDR gives the source MAC', () => {
  for (const bigEndian of [false, true]) {
    const frame = nflog(
      2,
      [
        [1, [0x08, 0x00, 3, 0]],
        [10, prefix('dropped: ')],
        [8, nflogHwaddr(A.mac)],
        [9, udp4()],
        [11, [0, 0, 3, 232]],
      ],
      { bigEndian },
    );
    const p = decode(frame, NFLOG);
    assert.equal(p.malformed, '');
    assert.deepEqual(p.protos.slice(0, p.protoCount), ['nflog', 'ipv4', 'udp']);
    assert.equal(p.src4, ipv4FromString(A.ip));
    assert.equal(p.dstPort, B.port);
    assert.equal(p.srcMac, macFromString(A.mac));
  }
  const six = decode(
    nflog(10, [[9, ipv6('2001:db8::1', '2001:db8::2', 17, udp(1, 2, new Uint8Array(3)))]]),
    NFLOG,
  );
  assert.equal(six.malformed, '');
  assert.equal(six.src6, '2001:db8::1');
  assert.equal(six.srcMac, -1);
});

test('NFLOG: hostile TLVs are malformed, never read past the frame', () => {
  const good = nflog(2, [
    [10, prefix('x')],
    [9, udp4()],
  ]);
  assert.equal(decode(good.subarray(0, 3), NFLOG).malformed, 'nflog: truncated');
  // A header without attributes (nothing logged) is not truncated: there is simply nothing to read.
  const bare = decode(good.subarray(0, 4), NFLOG);
  assert.equal(bare.malformed, '');
  assert.deepEqual(bare.protos.slice(0, bare.protoCount), ['nflog']);
  for (const n of [14, 20, 30])
    assert.equal(decode(good.subarray(0, n), NFLOG).malformed, 'nflog: truncated', `cut at ${n}`);
  const zeroLen = good.slice();
  zeroLen[4] = 0;
  zeroLen[5] = 0;
  assert.equal(decode(zeroLen, NFLOG).malformed, 'nflog: truncated');
  assert.equal(decode(nflog(2, [[9, [0x10, 1, 2, 3]]]), NFLOG).malformed, 'nflog: payload is not IP');
  // No payload TLV (a packet logged with a zero copy range): nothing to decode, nothing wrong.
  const none = decode(nflog(2, [[10, prefix('x')]]), NFLOG);
  assert.equal(none.malformed, '');
  assert.equal(none.ipVersion, 0);
  // A thousand small TLVs before the payload: the walk stops at its bound, the payload is not reached.
  const tlvs: [number, number[] | Uint8Array][] = Array.from({ length: 1000 }, () => [12, [0, 0, 0, 1]]);
  const many = decode(nflog(2, [...tlvs, [9, udp4()]]), NFLOG);
  assert.equal(many.malformed, '');
  assert.equal(many.ipVersion, 0);
});
