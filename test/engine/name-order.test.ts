/**
 * Lists one analysis made in the order it met their members, which the merge of a capture's workers
 * (`analyze --threads N`) cannot know, are written in name order: the layers that found frames
 * malformed (stats.malformedBy) and the routers a device is reached through (via).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { ethernet, ipv4, udpFrame } from '../helpers/packets';

function feed(frames: Uint8Array[]) {
  const a = createAnalyzer();
  a.beginSource();
  frames.forEach((f, i) => a.frame(f, 1, Date.UTC(2026, 0, 1, 0, 0, i), f.length, 0));
  return a.snapshot();
}

const HOST = { mac: '02:00:00:00:00:32', ip: '10.0.0.50', port: 40000 };

test('the layers that found frames malformed, by name', () => {
  const inv = feed([
    // A UDP header cut short, then an ARP message cut short.
    ethernet(HOST.mac, '02:00:00:00:00:01', 0x0800, ipv4('10.0.0.1', HOST.ip, 17, new Uint8Array(4))),
    ethernet(HOST.mac, '02:00:00:00:00:01', 0x0806, new Uint8Array(5)),
  ]);
  const layers = Object.keys(inv.stats.malformedBy);
  assert.ok(layers.length >= 2, JSON.stringify(inv.stats.malformedBy));
  assert.deepEqual(layers, [...layers].sort());
});

test('the routers an address is reached through, by id', () => {
  // Two gateways, each sending from five remote addresses (they route), then both from one more.
  const gw = (mac: string, ip: string) => ({ mac, ip, port: 123 });
  const frames: Uint8Array[] = [];
  for (const mac of ['02:00:00:00:00:f2', '02:00:00:00:00:f1'])
    for (let i = 1; i <= 5; i++) frames.push(udpFrame(gw(mac, `198.51.100.${i}`), HOST, new Uint8Array(4)));
  frames.push(udpFrame(gw('02:00:00:00:00:f2', '203.0.113.7'), HOST, new Uint8Array(4)));
  frames.push(udpFrame(gw('02:00:00:00:00:f1', '203.0.113.7'), HOST, new Uint8Array(4)));
  const d = feed(frames).devices.find((x) => x.id === 'ip:203.0.113.7')!;
  assert.deepEqual(d.via, ['mac:02:00:00:00:00:f1', 'mac:02:00:00:00:00:f2']);
});
