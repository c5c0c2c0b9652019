import assert from 'node:assert/strict';
import type { Observation } from '../../../shared/model/observation';
import { OT_PROTOCOLS } from '../../../shared/protocols/ot/index';
import { concat, ethernet, tcpFrame, udpFrame, type Bytes } from '../../helpers/packets';
import { randomBytes } from '../../helpers/random';
import { decodeFrames, type FramesRun } from '../../helpers/decode';

export const CLIENT = { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 50000 };
export const SERVER = { mac: '02:00:00:00:00:02', ip: '10.0.0.2', port: 0 };

export type Run = FramesRun;

/** Decode frames in order through one decoder (so per-flow state carries over). */
export function run(frames: Bytes[]): Run {
  return decodeFrames(frames, OT_PROTOCOLS);
}

/** A TCP segment from the client to the service port, or back. */
export function toServer(port: number, payload: Bytes): Bytes {
  return tcpFrame(CLIENT, { ...SERVER, port }, payload);
}
export function fromServer(port: number, payload: Bytes): Bytes {
  return tcpFrame({ ...SERVER, port }, CLIENT, payload);
}
export function udpToServer(port: number, payload: Bytes): Bytes {
  return udpFrame(CLIENT, { ...SERVER, port }, payload);
}
export function udpFromServer(port: number, payload: Bytes): Bytes {
  return udpFrame({ ...SERVER, port }, CLIENT, payload);
}
export function l2(etherType: number, payload: Bytes, dst = 'ff:ff:ff:ff:ff:ff', src = SERVER.mac): Bytes {
  return ethernet(dst, src, etherType, payload);
}

export function identity(obs: readonly Observation[], attr: string): string[] {
  return obs.flatMap((o) => (o.kind === 'identity' && o.attr === attr ? [o.value] : []));
}
export function attribute(obs: readonly Observation[], key: string): string[] {
  return obs.flatMap((o) => (o.kind === 'attribute' && o.key === key ? [o.value] : []));
}
export function roles(obs: readonly Observation[]): string[] {
  return obs.flatMap((o) => (o.kind === 'role' ? [o.role + '@' + (o.device.ip ?? o.device.mac)] : []));
}
export function events(obs: readonly Observation[]): string[] {
  return obs.flatMap((o) => (o.kind === 'event' ? [o.event] : []));
}

/**
 * Hostile variants of a good payload: every truncation, every single byte set to 0x00 / 0xff, and
 * random tails. The pipeline counts dissector exceptions; there must be none.
 */
export function assertSurvivesHostile(good: Bytes, wrap: (payload: Bytes) => Bytes): void {
  const frames: Bytes[] = [];
  for (let n = 0; n < good.length; n++) frames.push(wrap(good.subarray(0, n)));
  for (let i = 0; i < good.length; i++) {
    for (const v of [0x00, 0xff, 0x7f, 0x80]) {
      const b = Uint8Array.from(good);
      b[i] = v;
      frames.push(wrap(b));
    }
  }
  for (let s = 1; s <= 64; s++) {
    frames.push(
      wrap(concat(good.subarray(0, s % (good.length + 1)), randomBytes(s * 7919, 8 + (s % 57) * 9))),
    );
    frames.push(wrap(randomBytes(s * 104729, 1 + ((s * 37) % 300))));
  }
  const r = run(frames);
  assert.equal(r.decoder.stats.dissectorErrors, 0, 'a dissector threw on hostile input');
  for (const o of r.obs) {
    const s = JSON.stringify(o);
    assert.ok(s.length < 4096, 'an observation grew without bound');
  }
}

/** A payload that is not the protocol must not be claimed on its well-known port. */
export function assertNotClaimed(frame: Bytes, name: string): void {
  const r = run([frame]);
  assert.ok(!r.protos.includes(name), `non-${name} payload was claimed as ${name}`);
  assert.equal(r.obs.filter((o) => o.protocol === name).length, 0);
}

export const HTTP_GET = Uint8Array.from(Buffer.from('GET / HTTP/1.1\r\nHost: example\r\n\r\n', 'latin1'));
export const TLS_HELLO = Uint8Array.from([
  0x16,
  0x03,
  0x01,
  0x00,
  0x31,
  0x01,
  0x00,
  0x00,
  0x2d,
  0x03,
  0x03,
  ...Array(40).fill(0x11),
]);
