/**
 * An edge and each of its parts remember the innermost protocols of their last two frames, which
 * their protocol lists hold, so that most frames read neither list. When a new router's shares move
 * and an edge keeps only some of its parts, its list is rebuilt from them and forgets names: so must
 * the memory, or a later frame naming one of those is taken as listed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Analyzer } from '../../shared/engine/analyzer';
import { LAYERS } from '../../shared/decode/layers';
import { arp, ascii, ethernet, tcpFrame, udpFrame } from '../helpers/packets';

const GATEWAY = { mac: '02:00:00:00:0c:01', ip: '10.0.0.1', port: 9000 };
const HOST = { mac: '02:00:00:00:0c:03', ip: '10.0.0.3', port: 40000 };
const OTHER = { mac: '02:00:00:00:0c:04', ip: '10.0.0.4', port: 123 };
const REMOTE = { mac: GATEWAY.mac, ip: '203.0.113.10', port: 9999 };
const T0 = Date.UTC(2026, 0, 1);

function run(frames: Uint8Array[]) {
  const a = new Analyzer({ layers: LAYERS, repeatWindowMs: 0 });
  frames.forEach((f, i) => a.frame(f, 1, T0 + i * 10, f.length, 0));
  return a.snapshot();
}

const edgeProtocols = (frames: Uint8Array[], x: string, y: string) =>
  run(frames).edges.find((e) => (e.a === x && e.b === y) || (e.a === y && e.b === x))?.protocols;

test("an edge a new router's move rebuilds lists a name it forgot when a frame names it again", () => {
  const before = [
    // The gateway owns its address by ARP: what goes to it there stays the gateway's.
    ethernet(HOST.mac, GATEWAY.mac, 0x0806, arp(2, GATEWAY.mac, GATEWAY.ip, HOST.mac, HOST.ip)),
    // To a remote server through the gateway (UDP), then to the gateway itself (TCP): the edge's
    // last two names are tcp and udp.
    udpFrame(HOST, REMOTE, ascii('x')),
    tcpFrame(HOST, GATEWAY, ascii('y')),
    // Four further addresses make it a router: the UDP frame's part moves to the server's device.
    ...[1, 2, 3, 4].map((i) => udpFrame({ ...GATEWAY, ip: `198.51.100.${i}` }, OTHER, ascii('t'))),
  ];
  const host = `mac:${HOST.mac}`;
  const gw = `mac:${GATEWAY.mac}`;
  assert.deepEqual(edgeProtocols(before, host, gw), ['arp', 'tcp']);
  assert.deepEqual(edgeProtocols(before, host, 'ip:203.0.113.10'), ['udp']);
  // UDP to the gateway's own address: the edge lists it again.
  const after = [...before, udpFrame(HOST, GATEWAY, ascii('z'))];
  assert.deepEqual(edgeProtocols(after, host, gw), ['arp', 'tcp', 'udp']);
});

test('an edge lists each innermost protocol of frames alternating among three', () => {
  const frames = [
    tcpFrame(HOST, OTHER, ascii('a')),
    tcpFrame(HOST, OTHER, new Uint8Array(0), { flags: 0x10 }),
    udpFrame(HOST, OTHER, ascii('b')),
    tcpFrame(HOST, OTHER, ascii('c')),
    ethernet(OTHER.mac, HOST.mac, 0x0806, arp(1, HOST.mac, HOST.ip, '00:00:00:00:00:00', OTHER.ip)),
    tcpFrame(HOST, OTHER, new Uint8Array(0), { flags: 0x10 }),
  ];
  assert.deepEqual(edgeProtocols(frames, `mac:${HOST.mac}`, `mac:${OTHER.mac}`), ['arp', 'tcp', 'udp']);
});
