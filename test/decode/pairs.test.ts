import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers/index';
import { Packet } from '../../shared/decode/packet';
import { PAIR_CAPACITY, PairTable } from '../../shared/decode/pairs';
import { LINKTYPE_ETHERNET } from '../../shared/decode/linktypes';
import type { AppProtocol } from '../../shared/protocols/contract';
import { udpFrame } from '../helpers/packets';

/**
 * Per-pair state (AppContext.pairState): one master and one device by their addresses, whatever the
 * ports and connections, both directions sharing it; ordered (who is the master matters); bounded.
 */

function v4(src: number, dst: number, sport: number, dport: number): Packet {
  const p = new Packet();
  p.ipVersion = 4;
  p.src4 = src;
  p.dst4 = dst;
  p.srcPort = sport;
  p.dstPort = dport;
  p.ipProto = 6;
  return p;
}

function v6(src: string, dst: string): Packet {
  const p = new Packet();
  p.ipVersion = 6;
  p.src6 = src;
  p.dst6 = dst;
  return p;
}

const SCADA = 0x0a000001; // 10.0.0.1
const PLC = 0xc0a80102; // 192.168.1.2: above 2^31, an unsigned address

test('PairTable: a request and its answer, on any connection, share one pair; the roles are ordered', () => {
  const t = new PairTable();
  const e = t.get(v4(SCADA, PLC, 50001, 502), true);
  assert.equal(t.get(v4(PLC, SCADA, 502, 50001), false), e, 'the answer, seen from the device');
  assert.equal(t.get(v4(SCADA, PLC, 50977, 502), true), e, 'a new connection (another source port)');
  assert.equal(t.size, 1);
  // The device polling the master back is another pair (the same addresses, roles reversed).
  const back = t.get(v4(PLC, SCADA, 50002, 502), true);
  assert.notEqual(back, e);
  assert.deepEqual([back.master, back.device, e.master, e.device], [PLC, SCADA, SCADA, PLC]);
  assert.notEqual(t.get(v4(SCADA, PLC + 1, 50001, 502), true), e, 'another device');
  assert.equal(t.size, 3);
});

test('PairTable: IPv6 pairs by their addresses; without an IP layer, by MAC', () => {
  const t = new PairTable();
  const e = t.get(v6('fd00::1', 'fd00::2'), true);
  assert.equal(t.get(v6('fd00::2', 'fd00::1'), false), e);
  assert.notEqual(t.get(v6('fd00::1', 'fd00::3'), true), e);
  const l2 = new Packet();
  l2.srcMac = 0x020000000001;
  l2.dstMac = 0x020000000002;
  const m = t.get(l2, true);
  assert.equal(m.master, 0x020000000001);
  const other = new Packet();
  other.srcMac = 0x030000000001; // the same low 32 bits, another MAC
  other.dstMac = 0x020000000002;
  assert.notEqual(t.get(other, true), m);
  assert.equal(t.size, 4);
});

test('PairTable: bounded; a pair in use outlives a scan of one-off pairs', () => {
  const cap = 64;
  const t = new PairTable(cap);
  const polled = v4(SCADA, PLC, 50001, 502);
  const e = t.get(polled, true);
  // A scanner touches 10 000 devices once each while the master goes on polling its PLC.
  for (let i = 0; i < 10_000; i++) {
    t.get(v4(0x0a000063, 0x0a010000 + i, 40000, 502), true);
    if (i % 8 === 0) assert.equal(t.get(polled, true), e, `polled pair dropped after ${i} one-offs`);
    assert.ok(t.size <= cap, `size ${t.size}`);
  }
  assert.equal(t.size, cap);
  assert.equal(PAIR_CAPACITY >= 1024, true);
});

test('Decoder.pairState: per protocol, outlives the flow table (flows expire, state stays)', () => {
  const d = new Decoder(LAYERS, []);
  const p = v4(SCADA, PLC, 50001, 502);
  d.flowState(p, 'modbus', () => ({ n: 1 }));
  const s = d.pairState(p, 'modbus', 'src', () => ({ n: 0 }));
  s.n = 7;
  assert.equal(d.flows.size, 1);
  assert.equal(d.flows.expire(Number.MAX_SAFE_INTEGER, 0), 1);
  assert.equal(d.flows.size, 0);
  const answer = v4(PLC, SCADA, 502, 50321);
  assert.equal(d.pairState(answer, 'modbus', 'dst', () => ({ n: 0 })).n, 7);
  assert.equal(d.pairState(answer, 'dnp3', 'dst', () => ({ n: 0 })).n, 0, 'another protocol: its own');
  // Another decoder (another analyzer in the same process) has its own pairs.
  assert.equal(new Decoder(LAYERS, []).pairState(p, 'modbus', 'src', () => ({ n: 0 })).n, 0);
});

test("Decoder.pairState: learning once (finished) drops the flow's state, not the pair's", () => {
  // A protocol that counts requests per flow and per pair, and has learnt all it can after one.
  const seen: [number, number][] = [];
  const proto: AppProtocol = {
    name: 'probe',
    group: 'ot',
    emits: {},
    udpPorts: [9999],
    dissect(_w, p, ctx) {
      const flow = ctx.flowState(p, 'probe', () => ({ n: 0 }));
      const pair = ctx.pairState(p, 'probe', p.dstPort === 9999 ? 'src' : 'dst', () => ({ n: 0 }));
      seen.push([++flow.n, ++pair.n]);
      ctx.finished(p);
      return true;
    },
  };
  const d = new Decoder(LAYERS, [proto], 65536, 0, true);
  const master = { mac: '02:00:00:00:0d:01', ip: '10.3.0.1', port: 0 };
  const device = { mac: '02:00:00:00:0d:02', ip: '10.3.0.2', port: 9999 };
  for (let i = 0; i < 4; i++) {
    const client = { ...master, port: 30000 + (i >> 1) };
    // Two requests on each of two flows: the second of each flow is skipped (finished).
    const f = udpFrame(client, device, Uint8Array.of(i));
    d.decode(f, LINKTYPE_ETHERNET, 1_700_000_000_000 + i, i + 1, f.length);
  }
  assert.deepEqual(seen, [
    [1, 1],
    [1, 2],
  ]);
  assert.equal(d.learnOnce.flowsFinished, 2);
  assert.equal(d.learnOnce.payloadsSkipped, 2);
});
