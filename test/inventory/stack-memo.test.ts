import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Packet } from '../../shared/decode/packet';
import { StackMemo } from '../../shared/inventory/stack-memo';
import { Analyzer } from '../../shared/engine/analyzer';
import { LAYERS } from '../../shared/decode/layers';
import { ethernet, ipv4, ipv6, tcpFrame, udp, udpFrame } from '../helpers/packets';

function stack(...names: string[]): Packet {
  const p = new Packet();
  for (const n of names) p.addProto(n);
  return p;
}

test('a stack memo remembers the last two stacks kept, and only whole stacks', () => {
  const m = new StackMemo();
  const a = stack('ethernet', 'ipv4', 'tcp', 'enip');
  const b = stack('ethernet', 'ipv4', 'tcp');
  const c = stack('ethernet', 'ipv4', 'udp');
  assert.equal(m.has(a), false);
  m.keep(a);
  assert.equal(m.has(a), true);
  // A prefix of a stack kept, or a stack with one name more, is another stack.
  assert.equal(m.has(b), false);
  assert.equal(m.has(stack('ethernet', 'ipv4', 'tcp', 'enip', 'cip')), false);
  m.keep(b);
  assert.equal(m.has(a), true);
  assert.equal(m.has(b), true);
  // a was matched last, so keeping c forgets b.
  assert.equal(m.has(a), true);
  m.keep(c);
  assert.equal(m.has(c), true);
  assert.equal(m.has(a), true);
  assert.equal(m.has(b), false);
  m.clear();
  assert.equal(m.has(a), false);
  assert.equal(m.has(c), false);
});

test("a device's protocols are exact when its frames alternate among three stacks", () => {
  const a = new Analyzer({ layers: LAYERS });
  const pc = { mac: '3c:52:82:00:00:02', ip: '192.168.1.10', port: 40000 };
  const srv = { mac: '3c:52:82:00:00:03', ip: '192.168.1.20', port: 7000 };
  const data = tcpFrame(pc, srv, new Uint8Array(8));
  const ack = tcpFrame(pc, srv, new Uint8Array(0), { flags: 0x10 });
  const dgram = udpFrame(pc, { ...srv, port: 7001 }, new Uint8Array(8));
  const v6 = ethernet(
    srv.mac,
    pc.mac,
    0x86dd,
    ipv6('2001:db8::10', '2001:db8::20', 17, udp(1, 2, new Uint8Array(1))),
  );
  const frames = [data, ack, data, ack, dgram, data, ack, v6];
  frames.forEach((f, i) => a.frame(f, 1, 1_700_000_000_000 + i, f.length, 0));
  const d = a.snapshot().devices.find((x) => x.mac === pc.mac)!;
  assert.deepEqual([...d.protocols].sort(), ['ipv4', 'ipv6', 'tcp', 'udp']);
  assert.equal(d.packetsSent, frames.length);
  // The server only received: no protocols of its own from these frames.
  const s = a.snapshot().devices.find((x) => x.mac === srv.mac)!;
  assert.deepEqual(s.protocols, []);
  // A frame with a stack seen two stacks ago still adds nothing new, and nothing is lost.
  const f = ethernet(srv.mac, pc.mac, 0x0800, ipv4(pc.ip, srv.ip, 17, udp(5, 6, new Uint8Array([1]))));
  a.frame(f, 1, 1_700_000_001_000, f.length, 0);
  const d2 = a.snapshot().devices.find((x) => x.mac === pc.mac)!;
  assert.deepEqual([...d2.protocols].sort(), ['ipv4', 'ipv6', 'tcp', 'udp']);
});

test("each address's share gets a stack's names when a MAC sends it from one address after another", () => {
  // The device's memo matches every frame after the first (one stack throughout), but each address's
  // share sees it first: what the shares hold shows once the MAC proves a router and their protocols
  // go to the addresses' own devices.
  const a = new Analyzer({ layers: LAYERS });
  const gw = '3c:52:82:00:00:0a';
  const host = { mac: '3c:52:82:00:00:0b', ip: '192.168.1.30', port: 123 };
  const from = (i: number) => ({ mac: gw, ip: `198.51.100.${i}`, port: 123 });
  // Two frames from the first address (the second repeats the stack through the same share), then
  // one from each further address, the fifth making the MAC a router.
  const frames = [from(1), from(1), from(2), from(3), from(4), from(5)].map((s) =>
    udpFrame(s, host, new Uint8Array([1])),
  );
  frames.forEach((f, i) => a.frame(f, 1, 1_700_000_000_000 + i, f.length, 0));
  const inv = a.snapshot();
  for (let i = 1; i <= 5; i++) {
    const d = inv.devices.find((x) => x.id === `ip:198.51.100.${i}`);
    assert.ok(d !== undefined && d.routed, `198.51.100.${i} is routed`);
    assert.deepEqual([...d.protocols].sort(), ['ipv4', 'udp'], `198.51.100.${i}`);
  }
  const router = inv.devices.find((x) => x.mac === gw)!;
  assert.equal(router.router, true);
  assert.deepEqual(router.protocols, []);
});
