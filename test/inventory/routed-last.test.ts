import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Analyzer } from '../../shared/engine/analyzer';
import { LAYERS } from '../../shared/decode/layers';
import { udpFrame } from '../helpers/packets';

/**
 * A router remembers the routed address of the last frame through it and that address's device
 * (Inventory.ip4Device): a frame that repeats it must account exactly as a lookup would, also where
 * the address's device had no room left to name the router (each such frame counts a drop).
 */

const SERVER = { mac: '02:00:00:00:ff:01', ip: '10.9.9.9', port: 53 };

function routerMac(r: number): string {
  return `02:00:00:00:${(r >> 8).toString(16).padStart(2, '0')}:${(r & 0xff).toString(16).padStart(2, '0')}`;
}

/** Frames that make MAC `r` a router: more source addresses than a host has, from far networks. */
function makeRouter(a: Analyzer, r: number, t: { ts: number }): void {
  for (let i = 1; i <= 6; i++)
    send(a, { mac: routerMac(r), ip: `172.${16 + (r % 16)}.${r}.${i}`, port: 4000 }, SERVER, t);
}

function send(a: Analyzer, from: typeof SERVER, to: typeof SERVER, t: { ts: number }): void {
  const f = udpFrame(from, to, new Uint8Array(4));
  a.frame(f, 1, (t.ts += 10), f.length, 0);
}

test('frames through a router to and from the same far address account as each lookup would', () => {
  const a = new Analyzer({ layers: LAYERS });
  const t = { ts: 1_700_000_000_000 };
  makeRouter(a, 1, t);
  const far = (ip: string) => ({ mac: routerMac(1), ip, port: 443 });
  // Both ways of two conversations, interleaved: the far ends' devices, named as routed via the MAC.
  for (let i = 0; i < 3; i++) {
    send(a, far('198.51.100.7'), SERVER, t);
    send(a, SERVER, { ...far('198.51.100.7'), mac: routerMac(1) }, t);
    send(a, SERVER, { ...far('198.51.100.7'), mac: routerMac(1) }, t);
    send(a, far('203.0.113.9'), SERVER, t);
  }
  const inv = a.snapshot();
  const x = inv.devices.find((d) => d.id === 'ip:198.51.100.7')!;
  const y = inv.devices.find((d) => d.id === 'ip:203.0.113.9')!;
  assert.deepEqual([x.packetsSent, x.packetsReceived, y.packetsSent, y.packetsReceived], [3, 6, 3, 0]);
  assert.deepEqual([x.routed, x.via, y.via], [true, ['mac:' + routerMac(1)], ['mac:' + routerMac(1)]]);
  assert.equal(inv.stats.limits, undefined, 'no limit reached');
});

test('an address seen through more routers than it can name counts a drop for every such frame', () => {
  const a = new Analyzer({ layers: LAYERS });
  const t = { ts: 1_700_000_000_000 };
  const far = { mac: '', ip: '198.51.100.7', port: 443 };
  for (let r = 1; r <= 17; r++) {
    makeRouter(a, r, t);
    send(a, { ...far, mac: routerMac(r) }, SERVER, t);
  }
  const dropped = () => a.snapshot().stats.limits?.tableEntriesDropped ?? 0;
  const before = dropped();
  assert.equal(before, 1, 'the 17th router was one too many');
  // Five more frames from it, and two to it: each one tries to name the 17th router again.
  for (let i = 0; i < 5; i++) send(a, { ...far, mac: routerMac(17) }, SERVER, t);
  for (let i = 0; i < 2; i++) send(a, SERVER, { ...far, mac: routerMac(17) }, t);
  assert.equal(dropped(), before + 7);
  const x = a.snapshot().devices.find((d) => d.id === 'ip:198.51.100.7')!;
  assert.equal(x.via.length, 16);
  assert.ok(!x.via.includes('mac:' + routerMac(17)));
  assert.equal(x.packetsSent, 17 + 5);
  assert.equal(x.packetsReceived, 2);
});
