/**
 * Which worker a frame goes to (shared/engine/flow-shard.ts): both directions of a conversation meet,
 * a sender's broadcasts and ARP go where its MAC says, frames spread evenly over the workers even
 * when one conversation carries most of them, and hostile bytes of any link type give a worker
 * number, never an exception.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FlowShards, flowKey, maybeTcpSyn } from '../../shared/engine/flow-shard';
import { arp, ethernet, ipv6, tcpFrame, udp, udpFrame } from '../helpers/packets';

// One table per worker count, as one run of the reader keeps.
const tables = new Map<number, FlowShards>();
const shard = (b: Uint8Array, n: number, lt = 1) => {
  let t = tables.get(n);
  if (t === undefined) tables.set(n, (t = new FlowShards(n)));
  return t.of(b, 0, b.length, lt);
};

test('both directions of an IPv4 and an IPv6 conversation go to one worker; hosts spread', () => {
  const used = new Set<number>();
  for (let i = 0; i < 64; i++) {
    const a = { mac: '02:00:00:00:00:01', ip: `10.0.${i}.1`, port: 1000 + i };
    const b = { mac: '02:00:00:00:00:02', ip: `10.1.0.${i + 1}`, port: 502 };
    for (const n of [2, 3, 4]) {
      const there = shard(udpFrame(a, b, new Uint8Array(4)), n);
      assert.equal(shard(udpFrame(b, a, new Uint8Array(4)), n), there);
      assert.equal(shard(tcpFrame(b, a, new Uint8Array(0)), n), there);
      if (n === 4) used.add(there);
    }
    const v6 = (s: string, d: string, smac: string, dmac: string) =>
      ethernet(dmac, smac, 0x86dd, ipv6(s, d, 17, udp(5000, 53, new Uint8Array(4))));
    assert.equal(
      shard(v6(`fd00::${i + 1}`, 'fd00::ffff', '02:00:00:00:00:01', '02:00:00:00:00:02'), 4),
      shard(v6('fd00::ffff', `fd00::${i + 1}`, '02:00:00:00:00:02', '02:00:00:00:00:01'), 4),
    );
  }
  assert.equal(used.size, 4, 'every worker gets conversations');
});

test("a host's broadcasts and ARP go where its MAC says, whatever addresses they carry", () => {
  const mac = '02:aa:00:00:00:07';
  const bc = { mac: 'ff:ff:ff:ff:ff:ff', ip: '255.255.255.255', port: 67 };
  const want = shard(
    ethernet('ff:ff:ff:ff:ff:ff', mac, 0x0806, arp(1, mac, '10.0.0.7', '00:00:00:00:00:00', '10.0.0.1')),
    4,
  );
  // An ARP reply, to one host, goes there too.
  const reply = arp(2, mac, '10.0.0.7', '02:00:00:00:00:01', '10.0.0.1');
  assert.equal(shard(ethernet('02:00:00:00:00:01', mac, 0x0806, reply), 4), want);
  for (let i = 0; i < 16; i++)
    assert.equal(shard(udpFrame({ mac, ip: `0.0.0.${i}`, port: 68 }, bc, new Uint8Array(8)), 4), want);
});

test('a SYN straight over IPv4 is told apart from other segments', () => {
  const a = { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 40000 };
  const b = { mac: '02:00:00:00:00:02', ip: '10.0.0.2', port: 80 };
  const syn = tcpFrame(a, b, new Uint8Array(0), { flags: 0x02 });
  assert.equal(maybeTcpSyn(syn, 0, syn.length, 1), true);
  const ack = tcpFrame(a, b, new Uint8Array(4), { flags: 0x10 });
  assert.equal(maybeTcpSyn(ack, 0, ack.length, 1), false);
  const dgram = udpFrame(a, b, new Uint8Array(20));
  assert.equal(maybeTcpSyn(dgram, 0, dgram.length, 1), false);
});

test('hostile bytes of any link type: a worker in range, never an exception', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 80 }),
      fc.constantFrom(0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147, 65535),
      fc.integer({ min: 1, max: 8 }),
      fc.nat(8),
      (bytes, lt, n, cut) => {
        const end = Math.max(0, bytes.length - cut);
        const w = new FlowShards(n).of(bytes, 0, end, lt);
        assert.ok(Number.isInteger(w) && w >= 0 && w < n);
        assert.ok(Number.isInteger(flowKey(bytes, 0, end, lt)));
        assert.equal(typeof maybeTcpSyn(bytes, 0, end, lt), 'boolean');
      },
    ),
    { numRuns: 20000 },
  );
});

test('one conversation with most of the frames: the others go to the other workers', () => {
  const big = udpFrame(
    { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 502 },
    { mac: '02:00:00:00:00:02', ip: '10.0.0.2', port: 40000 },
    new Uint8Array(8),
  );
  for (const n of [2, 3]) {
    const t = new FlowShards(n);
    const bigAt = t.of(big, 0, big.length, 1);
    const at = new Map<string, number>();
    for (let round = 0; round < 40; round++) {
      // The big conversation sends as much as the 60 others together.
      for (let k = 0; k < 59; k++) assert.equal(t.of(big, 0, big.length, 1), bigAt);
      for (let i = 0; i < 60; i++) {
        const a = { mac: '02:00:00:00:01:00', ip: `10.1.${i}.1`, port: 1000 + i };
        const b = { mac: '02:00:00:00:02:00', ip: `10.2.${i}.2`, port: 80 };
        const f = round % 2 === 0 ? tcpFrame(a, b, new Uint8Array(0)) : tcpFrame(b, a, new Uint8Array(0));
        const w = t.of(f, 0, f.length, 1);
        // Each conversation stays with the worker it was first given.
        assert.equal(at.get(a.ip) ?? w, w);
        at.set(a.ip, w);
      }
    }
    const shares = t.shares();
    const total = shares.reduce((x, y) => x + y, 0);
    assert.equal(total, 40 * 119 + 1);
    // No worker holds much more than the big conversation alone or an even share, whichever is more
    // (a hash alone gives the big conversation's worker a share of the others on top).
    const most = Math.max(40 * 59 + 1, total / n) * 1.05;
    for (const s of shares) assert.ok(s <= most, `${shares.join('/')}`);
    // And the same frames in the same order are shared the same way.
    const again = new FlowShards(n);
    assert.equal(again.of(big, 0, big.length, 1), bigAt);
  }
});

test('a worker whose frames weigh more is given fewer, in proportion', () => {
  // 400 conversations of 10 frames each, interleaved; worker 0's frames weigh 4 (it also reads).
  for (const [n, weights, want] of [
    [2, [4], [1 / 5, 4 / 5]],
    [3, [4, 1, 1], [1 / 9, 4 / 9, 4 / 9]],
  ] as const) {
    const t = new FlowShards(n, weights);
    for (let round = 0; round < 10; round++)
      for (let i = 0; i < 400; i++) {
        const a = { mac: '02:00:00:00:01:00', ip: `10.1.${i >> 8}.${i & 255}`, port: 1000 };
        const b = { mac: '02:00:00:00:02:00', ip: '10.2.0.2', port: 80 };
        const f = tcpFrame(a, b, new Uint8Array(0));
        t.of(f, 0, f.length, 1);
      }
    const shares = t.shares();
    assert.equal(
      shares.reduce((x, y) => x + y, 0),
      4000,
    );
    for (let i = 0; i < n; i++)
      assert.ok(Math.abs(shares[i]! / 4000 - want[i]!) < 0.02, `${n}: ${shares.join('/')}`);
  }
});
