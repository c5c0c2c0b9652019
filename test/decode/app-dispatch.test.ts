import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers';
import type { AppProtocol } from '../../shared/protocols/contract';
import type { ByteWindow } from '../../shared/decode/window';
import { tcpFrame, udpFrame } from '../helpers/packets';

const A = { mac: '02:00:00:00:00:0a', ip: '10.0.0.1', port: 49152 };
const B = { mac: '02:00:00:00:00:0b', ip: '10.0.0.2', port: 7777 };

/**
 * Protocols written as methods that read their own object: the decoder holds every protocol in one
 * shape of its own, and must still call dissect and heuristic on the protocol's object.
 */
function protocols() {
  const calls: string[] = [];
  const byPort = {
    name: 'byport',
    group: 'it',
    emits: {},
    tcpPorts: [B.port],
    tag: 'P',
    dissect(this: { tag: string }, w: ByteWindow) {
      calls.push(`${this.tag}${w.length}`);
      return true;
    },
  } satisfies AppProtocol & { tag: string };
  const byShape = {
    name: 'byshape',
    group: 'ot',
    emits: {},
    everyPacket: true,
    magic: 0x5a,
    heuristic(this: { magic: number }, w: ByteWindow) {
      return w.length > 0 && w.u8(0) === this.magic;
    },
    dissect(this: { magic: number }, w: ByteWindow) {
      calls.push(`S${w.u8(0) === this.magic ? 'ok' : 'bad'}`);
      return true;
    },
  } satisfies AppProtocol & { magic: number };
  return { calls, list: [byPort, byShape] as AppProtocol[] };
}

test('dissectors and heuristics are called on their own protocol object, by port and by shape', () => {
  const { calls, list } = protocols();
  const dec = new Decoder(LAYERS, list, 1024, 60_000, true);
  const names: string[][] = [];
  const frames = [
    tcpFrame(A, B, new Uint8Array(3)),
    udpFrame({ ...A, port: 5000 }, { ...B, port: 6000 }, new Uint8Array([0x5a, 1])),
    // Repeated verbatim: a protocol with everyPacket is dissected every time.
    udpFrame({ ...A, port: 5000 }, { ...B, port: 6000 }, new Uint8Array([0x5a, 1])),
    // Not its shape on a fresh flow: no protocol recognises it.
    udpFrame({ ...A, port: 5001 }, { ...B, port: 6001 }, new Uint8Array([0x00, 1])),
  ];
  frames.forEach((f, i) => {
    const p = dec.decode(f, 1, 1_700_000_000_000 + i, i + 1, f.length);
    names.push(p.protos.slice(0, p.protoCount));
  });
  assert.deepEqual(calls, ['P3', 'Sok', 'Sok']);
  assert.deepEqual(names[0], ['ethernet', 'ipv4', 'tcp', 'byport']);
  assert.deepEqual(names[1], ['ethernet', 'ipv4', 'udp', 'byshape']);
  assert.deepEqual(names[2], ['ethernet', 'ipv4', 'udp', 'byshape']);
  assert.deepEqual(names[3], ['ethernet', 'ipv4', 'udp']);
  assert.equal(dec.stats.repeats, 0);
});
