import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Analyzer } from '../../shared/engine/analyzer';
import { LAYERS } from '../../shared/decode/layers';
import type { AppProtocol } from '../../shared/protocols/contract';
import { ascii, tcpFrame, udpFrame } from '../helpers/packets';

/** A tiny protocol of our own on UDP/TCP 7777 that counts how often it is asked to dissect. */
function counting(everyPacket = false) {
  const seen: number[] = [];
  const proto: AppProtocol = {
    name: 'count7777',
    group: 'it',
    emits: {},
    udpPorts: [7777],
    tcpPorts: [7777],
    everyPacket,
    dissect(_w, p) {
      seen.push(p.frame);
      return true;
    },
  };
  return { proto, seen };
}

const A = { mac: '00:11:22:33:44:55', ip: '10.0.0.1', port: 7777 };
const B = { mac: '00:11:22:33:44:66', ip: '10.0.0.2', port: 7777 };

function run(proto: AppProtocol, frames: { data: Uint8Array; ts: number }[]) {
  const a = new Analyzer({ layers: LAYERS, apps: [proto] });
  for (const f of frames) a.frame(f.data, 1, f.ts, f.data.length, 0);
  return a;
}

test('verbatim repeated datagrams from one source are dissected once per window', () => {
  const c = counting();
  const t = 1_700_000_000_000;
  const a = run(c.proto, [
    { data: udpFrame(A, B, ascii('hello')), ts: t },
    { data: udpFrame(A, B, ascii('hello')), ts: t + 1000 }, // repeat: skipped
    { data: udpFrame(A, B, ascii('hellp')), ts: t + 2000 }, // different payload
    { data: udpFrame(B, A, ascii('hello')), ts: t + 3000 }, // different source
    { data: udpFrame(A, B, ascii('hello')), ts: t + 61_000 }, // after the window
  ]);
  assert.deepEqual(c.seen, [1, 3, 4, 5]);
  assert.equal(a.stats().repeats, 1);
  // The skipped frame still counts as that protocol's traffic.
  assert.ok(
    a
      .snapshot()
      .devices.find((d) => d.mac === A.mac)!
      .protocols.includes('count7777'),
  );
});

test('protocols that need every packet, and all TCP payloads, are never skipped', () => {
  const t = 1_700_000_000_000;
  const every = counting(true);
  run(
    every.proto,
    [0, 1, 2].map((i) => ({ data: udpFrame(A, B, ascii('same')), ts: t + i })),
  );
  assert.deepEqual(every.seen, [1, 2, 3]);
  const tcp = counting();
  run(
    tcp.proto,
    [0, 1, 2].map((i) => ({ data: tcpFrame(A, B, ascii('same')), ts: t + i })),
  );
  assert.deepEqual(tcp.seen, [1, 2, 3]);
});

test('with repeat skipping off every datagram is dissected', () => {
  const c = counting();
  const a = new Analyzer({ layers: LAYERS, apps: [c.proto], repeatWindowMs: 0 });
  for (let i = 0; i < 3; i++) {
    const f = udpFrame(A, B, ascii('same'));
    a.frame(f, 1, 1_700_000_000_000 + i, f.length, 0);
  }
  assert.deepEqual(c.seen, [1, 2, 3]);
});
