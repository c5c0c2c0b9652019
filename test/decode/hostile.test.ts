import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers';
import { TCP_SYN } from '../../shared/decode/packet';
import { ethernet, ipv4, ipv6, tcp, tcpFrame, udp, vlanTag, mac } from '../helpers/packets';
import {
  ayiya,
  erspan2,
  erspan3,
  frag6,
  ext6,
  gre,
  gtpu,
  icmp6,
  ipv6Ext,
  nflog,
  sll,
  sll2,
  teredo,
  vxlan,
} from './builders';
import { prng } from '../helpers/random';

const A = { mac: '02:00:00:00:00:0a', ip: '10.0.0.1', port: 49152 };
const B = { mac: '02:00:00:00:00:0b', ip: '10.0.0.2', port: 443 };
const SYN_OPTS = [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 239, 276];

/** Decode and check that no layer threw (the decoder would have caught it and counted it). */
function safeDecode(d: Decoder, bytes: Uint8Array, linkType: number, wireLen = bytes.length) {
  const p = d.decode(bytes, linkType, 0, 1, wireLen);
  assert.equal(
    d.stats.dissectorErrors,
    0,
    `exception on linktype ${linkType}: ${Buffer.from(bytes).toString('hex')}`,
  );
  assert.notEqual(p.malformed, 'decoder: exception');
  return p;
}

test('TCP SYN cut at every byte offset: never throws, malformed by the layer that was cut', () => {
  const frame = tcpFrame(A, B, new Uint8Array(0), { flags: TCP_SYN, options: SYN_OPTS });
  assert.equal(frame.length, 74);
  const d = new Decoder(LAYERS);
  assert.equal(safeDecode(d, frame, 1).malformed, '');
  for (let n = 0; n < frame.length; n++) {
    const p = safeDecode(d, frame.subarray(0, n), 1);
    const layer = p.malformed.slice(0, p.malformed.indexOf(':'));
    assert.equal(layer, n < 14 ? 'ethernet' : 'ipv4', `cut at ${n}: '${p.malformed}'`);
  }
  // The same cuts as snap-length truncation (wire length intact) are counted apart from malformed frames.
  const s = new Decoder(LAYERS);
  for (let n = 0; n < frame.length; n++) safeDecode(s, frame.subarray(0, n), 1, frame.length);
  assert.equal(s.stats.snapTruncated, frame.length);
  assert.equal(s.stats.malformed, 0);
});

test('TCP SYN cut inside the TCP header with a consistent IP length: TCP notices', () => {
  const d = new Decoder(LAYERS);
  const seg = tcp(A.port, B.port, new Uint8Array(0), { flags: TCP_SYN, options: SYN_OPTS });
  for (let n = 0; n < seg.length; n++) {
    const frame = ethernet(B.mac, A.mac, 0x0800, ipv4(A.ip, B.ip, 6, seg.subarray(0, n)));
    const p = safeDecode(d, frame, 1);
    assert.match(p.malformed, /^tcp: /, `TCP cut at ${n}`);
    if (n >= 4) assert.equal(p.srcPort, n >= 20 ? A.port : -1);
  }
});

test('IPv6 SYN through extension headers, cut at every offset inside the headers', () => {
  const chain = [...ext6(44), ...frag6(6, 0, false, 1)];
  const frame = ethernet(
    B.mac,
    A.mac,
    0x86dd,
    ipv6Ext(
      '2001:db8::1',
      '2001:db8::2',
      0,
      chain,
      tcp(1, 2, new Uint8Array(0), { flags: TCP_SYN, options: SYN_OPTS }),
    ),
  );
  const d = new Decoder(LAYERS);
  assert.equal(safeDecode(d, frame, 1).tcpMss, 1460);
  for (let n = 0; n < frame.length; n++)
    assert.notEqual(safeDecode(d, frame.subarray(0, n), 1).malformed, '', `cut at ${n}`);
});

test('30 nested VLAN tags: four ids kept, depth limit reached, no throw', () => {
  let inner: Uint8Array = ipv4(A.ip, B.ip, 17, udp(1, 2, new Uint8Array(0)));
  let type = 0x0800;
  for (let i = 0; i < 30; i++) {
    inner = vlanTag(i + 1, type, inner);
    type = 0x8100;
  }
  const p = safeDecode(new Decoder(LAYERS), ethernet(B.mac, A.mac, 0x8100, inner), 1);
  assert.equal(p.vlanCount, 4);
  assert.deepEqual(p.vlans, [30, 29, 28, 27]);
  assert.equal(p.malformed, 'decoder: too many nested layers');
});

test('VXLAN inside ERSPAN inside GRE: inner TCP SYN reached, two tunnels', () => {
  const innermost = tcpFrame(A, B, new Uint8Array(0), { flags: TCP_SYN, options: SYN_OPTS });
  const l1 = ethernet(
    B.mac,
    A.mac,
    0x0800,
    ipv4('1.1.1.1', '2.2.2.2', 17, udp(9, 4789, vxlan(1, innermost))),
  );
  const l2 = ethernet(
    B.mac,
    A.mac,
    0x0800,
    ipv4('3.3.3.3', '4.4.4.4', 47, gre(0x88be, erspan2(1, l1), { seq: 1 })),
  );
  const p = safeDecode(new Decoder(LAYERS), l2, 1);
  assert.equal(p.malformed, '');
  assert.equal(p.tunnels, 2);
  assert.equal(p.tcpMss, 1460);
  assert.equal(p.srcPort, A.port);
});

function corpus(): [Uint8Array, number][] {
  const syn = tcpFrame(A, B, new Uint8Array(0), { flags: TCP_SYN, options: SYN_OPTS });
  const ip4 = syn.subarray(14);
  const nd = ipv6(
    'fe80::1',
    'ff02::1',
    58,
    icmp6(135, 0, [0, 0, 0, 0, 0xfe, 0x80, ...new Array(14).fill(1)], [[1, ...mac(A.mac)]]),
  );
  return [
    [syn, 1],
    [ethernet(B.mac, A.mac, 0x88a8, vlanTag(1, 0x8100, vlanTag(2, 0x86dd, nd))), 1],
    [ethernet(B.mac, A.mac, 0x0800, ipv4('1.1.1.1', '2.2.2.2', 17, udp(9, 4789, vxlan(1, syn)))), 1],
    [
      ethernet(
        B.mac,
        A.mac,
        0x0800,
        ipv4('1.1.1.1', '2.2.2.2', 47, gre(0x22eb, erspan3(1, syn, { platform: true }), { seq: 1, key: 2 })),
      ),
      1,
    ],
    [ethernet(B.mac, A.mac, 0x0800, ipv4('1.1.1.1', '2.2.2.2', 17, udp(9, 4754, gre(0x0800, ip4)))), 1],
    [
      ethernet(
        B.mac,
        A.mac,
        0x0800,
        ipv4(
          '1.1.1.1',
          '2.2.2.2',
          17,
          udp(3544, 9, teredo(nd, { auth: { id: [1], value: [2] }, origin: { port: 1, ip: '3.3.3.3' } })),
        ),
      ),
      1,
    ],
    [ethernet(B.mac, A.mac, 0x0800, ipv4('1.1.1.1', '2.2.2.2', 17, udp(5072, 5072, ayiya(41, nd)))), 1],
    [
      ethernet(
        B.mac,
        A.mac,
        0x0800,
        ipv4('1.1.1.1', '2.2.2.2', 17, udp(2152, 2152, gtpu(ip4, { seq: 1, ext: [[0x85, [0x10, 0x09]]] }))),
      ),
      1,
    ],
    [
      nflog(2, [
        [10, [0x61, 0]],
        [9, ip4],
      ]),
      239,
    ],
    [sll(0x0800, ip4, { addr: mac(A.mac) }), 113],
    [sll2(0x86dd, nd, { addr: mac(A.mac) }), 276],
    [ip4, 101],
    [Uint8Array.of(2, 0, 0, 0, ...ip4), 0],
  ];
}

test('mutated valid frames (seeded): random byte flips never throw', () => {
  const rnd = prng(0x5eed);
  const d = new Decoder(LAYERS);
  for (const [frame, lt] of corpus()) {
    for (let i = 0; i < 2000; i++) {
      const m = frame.slice(0, Math.max(1, Math.floor(rnd() * (frame.length + 1))));
      const flips = 1 + Math.floor(rnd() * 4);
      for (let f = 0; f < flips; f++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
      safeDecode(d, m, lt);
    }
  }
  assert.ok(d.stats.malformed > 0);
});

test('random bytes on every link type (seeded): never throw', () => {
  const rnd = prng(12345);
  for (const lt of LINK_TYPES) {
    const d = new Decoder(LAYERS);
    for (let i = 0; i < 3000; i++) {
      const b = new Uint8Array(Math.floor(rnd() * 160));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(rnd() * 256);
      // Bias towards headers that go deeper: a plausible EtherType / IP version half the time.
      if (i % 2 === 0 && b.length > 20) {
        if (lt === 1) [b[12], b[13]] = [[0x08, 0x81, 0x86, 0x88][i % 4]!, [0x00, 0x00, 0xdd, 0xa8][i % 4]!];
        else if (lt !== 113 && lt !== 276) b[lt === 0 || lt === 108 ? 4 : 0] = i % 4 === 0 ? 0x45 : 0x60;
      }
      safeDecode(d, b, lt);
    }
    assert.equal(d.stats.packets, 3000);
  }
});
