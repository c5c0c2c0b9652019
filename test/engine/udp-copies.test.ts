/**
 * Where the reader sends a verbatim UDP copy (shared/engine/udp-repeats.ts): every copy of one
 * sender's payload from one port goes to the worker that got the first, wherever it is addressed;
 * another payload, port or sender goes its own way; hostile bytes give a worker, never an exception.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { UdpCopies } from '../../shared/engine/udp-repeats';
import { ascii, ethernet, ipv4, ipv6, udp, udpFrame } from '../helpers/packets';

const SENDER = { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 1900 };
const peer = (i: number) => ({
  mac: `02:00:00:00:01:${(i + 16).toString(16)}`,
  ip: `10.0.1.${i}`,
  port: 40000 + i,
});
const NOTIFY = ascii('NOTIFY * HTTP/1.1\r\nSERVER: Linux UPnP/1.0\r\n\r\n');

test("a sender's copies to several peers go where the first went", () => {
  const u = new UdpCopies();
  const route = (b: Uint8Array, w: number) => u.route(b, 0, b.length, 1, w);
  assert.equal(route(udpFrame(SENDER, peer(1), NOTIFY), 1), 1);
  for (let i = 2; i < 10; i++) assert.equal(route(udpFrame(SENDER, peer(i), NOTIFY), i % 3), 1);
  // Over IPv6, VLAN-tagged, or padded past its UDP length: the same payload, the same place.
  const v6 = ethernet(
    '02:00:00:00:00:09',
    SENDER.mac,
    0x86dd,
    ipv6('fd00::1', 'fd00::9', 17, udp(1900, 5000, NOTIFY)),
  );
  assert.equal(route(v6, 0), 1);
  const padded = new Uint8Array([...udpFrame(SENDER, peer(3), NOTIFY), 0, 0, 0, 0]);
  assert.equal(route(padded, 2), 1);
  // Another payload, source port or sender: a first copy of its own.
  assert.equal(route(udpFrame(SENDER, peer(2), ascii('M-SEARCH')), 2), 2);
  assert.equal(route(udpFrame({ ...SENDER, port: 1901 }, peer(2), NOTIFY), 0), 0);
  assert.equal(route(udpFrame({ ...SENDER, mac: '02:00:00:00:00:02' }, peer(2), NOTIFY), 2), 2);
  // Not UDP, or a later fragment: its own worker.
  const tcp = ethernet(peer(1).mac, SENDER.mac, 0x0800, ipv4(SENDER.ip, peer(1).ip, 6, new Uint8Array(28)));
  assert.equal(route(tcp, 2), 2);
  const frag = ethernet(
    peer(1).mac,
    SENDER.mac,
    0x0800,
    ipv4(SENDER.ip, peer(1).ip, 17, udp(1900, 1, NOTIFY), { fragOffset: 8 }),
  );
  assert.equal(route(frag, 0), 0);
});

test('a payload that differs from an earlier one in any single byte is no copy of it', () => {
  // The payload is hashed four bytes a step, then byte by byte: every position, of lengths that end
  // a step and that leave one to three bytes after the last, must count.
  for (const len of [8, 9, 10, 11, 12, 37]) {
    const u = new UdpCopies();
    const base = Uint8Array.from({ length: len }, (_, i) => (i * 7 + 1) & 0xff);
    assert.equal(
      u.route(udpFrame(SENDER, peer(1), base), 0, udpFrame(SENDER, peer(1), base).length, 1, 1),
      1,
    );
    for (let at = 0; at < len; at++)
      for (const bit of [0x01, 0x80]) {
        const other = base.slice();
        other[at]! ^= bit;
        const f = udpFrame(SENDER, peer(2), other);
        assert.equal(u.route(f, 0, f.length, 1, 2), 2, `length ${len}, byte ${at}, bit ${bit}`);
      }
  }
});

test('the table is bounded: past its size it starts over', () => {
  const u = new UdpCopies(4);
  const f = (i: number) => udpFrame(SENDER, peer(1), ascii(`payload ${i}`));
  for (let i = 0; i < 4; i++) assert.equal(u.route(f(i), 0, f(i).length, 1, 1), 1);
  // The fifth payload clears the table: the first copy's place is forgotten.
  assert.equal(u.route(f(4), 0, f(4).length, 1, 1), 1);
  assert.equal(u.route(f(0), 0, f(0).length, 1, 0), 0);
});

test('hostile bytes: a worker, never an exception', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(0, 1, 101, 113), fc.nat(3), (b, lt, w) => {
      const u = new UdpCopies(8);
      for (let i = 0; i < 4; i++) assert.ok([0, 1, 2, 3].includes(u.route(b, 0, b.length, lt, (w + i) % 4)));
    }),
    { numRuns: 5000 },
  );
});
