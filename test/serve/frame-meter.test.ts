/**
 * FrameMeter reads WebSocket frame headers out of raw bytes however they are split: the lengths of
 * frames built with ws's own Sender (7-bit, 16-bit and 64-bit length forms, masked as a client's),
 * fed whole and one byte at a time; and it stays stopped once told to.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { FrameMeter } from '../../src-main/serve/frame-meter';

// ws's frame writer, which its type declarations leave out.
const { Sender } = createRequire(import.meta.url)('ws') as {
  Sender: { frame(data: Buffer, options: object): Buffer[] };
};

const LENGTHS = [0, 5, 125, 126, 300, 65_535, 65_536, 200_000];

/** Client frames (masked) for each payload length, as ws writes them on the wire. */
function frames(): Buffer {
  const parts: Buffer[] = [];
  for (const n of LENGTHS) {
    const list = Sender.frame(Buffer.alloc(n, 0x61), {
      fin: true,
      opcode: 1,
      mask: true,
      maskBuffer: Buffer.alloc(4, 7),
      generateMask: () => {},
      readOnly: false,
      rsv1: false,
    });
    parts.push(...list);
  }
  return Buffer.concat(parts);
}

test('the announced lengths, fed whole and byte by byte', () => {
  const wire = frames();
  const whole: number[] = [];
  assert.equal(
    new FrameMeter().feed(wire, (n) => (whole.push(n), true)),
    true,
  );
  assert.deepEqual(whole, LENGTHS);
  const bytewise: number[] = [];
  const m = new FrameMeter();
  for (let i = 0; i < wire.length; i++) m.feed(wire.subarray(i, i + 1), (n) => (bytewise.push(n), true));
  assert.deepEqual(bytewise, LENGTHS);
});

test('a 64-bit length beyond 2^53 is reported as huge, not wrapped to something small', () => {
  const h = Buffer.from([0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
  const seen: number[] = [];
  new FrameMeter().feed(h, (n) => (seen.push(n), true));
  assert.equal(seen.length, 1);
  assert.ok(seen[0]! > 2 ** 60);
});

test('once onHeader says stop, nothing more is reported', () => {
  const seen: number[] = [];
  const m = new FrameMeter();
  assert.equal(
    m.feed(frames(), (n) => (seen.push(n), false)),
    false,
  );
  assert.equal(
    m.feed(frames(), (n) => (seen.push(n), true)),
    true,
  );
  assert.deepEqual(seen, [0]);
});
