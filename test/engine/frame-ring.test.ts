/**
 * The SharedArrayBuffer ring between the reader and an analysis thread (src-main/engine/threads/frame-ring.ts):
 * frames come out as they went in, in order, across the wrap at the end of the buffer, aligned as
 * their source was modulo 8 (so that they copy a word at a time); a full ring
 * whose reader takes nothing makes the writer give up with a reason, and a reader that failed
 * releases the writer at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RingFailedError,
  RingReader,
  RingWriter,
  ringBuffer,
} from '../../src-main/engine/threads/frame-ring';

function frame(i: number): Uint8Array {
  // Lengths from 0 to 1500, not multiples of 8, bytes that name the frame.
  const b = new Uint8Array((i * 97) % 1501);
  for (let j = 0; j < b.length; j++) b[j] = (i + j) & 0xff;
  return b;
}

test('frames come out whole and in order, across many wraps of a small ring', () => {
  const sab = ringBuffer(16384);
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  let sent = 0;
  let got = 0;
  while (got < 2000) {
    // Write while there is clearly room, then read a few: the positions wrap many times.
    while (sent < 2000 && w.used() < 8192) {
      // From every offset modulo 8 of the source buffer.
      const b = frame(sent);
      const at = sent % 11;
      const pad = new Uint8Array(b.length + 16);
      pad.set(b, at);
      w.push(
        pad,
        at,
        at + b.length,
        1 + (sent % 3),
        sent * 1000.5,
        b.length + 4,
        sent % 7,
        sent + 1,
        sent & 1,
      );
      sent++;
    }
    w.flush();
    for (let k = 0; k < 3 && got < sent; k++) {
      const f = r.next(0);
      assert.ok(f !== null);
      const want = frame(got);
      assert.deepEqual(f.data.subarray(f.start, f.end), want);
      // Where the source had it modulo 8, so that it was copied a word at a time.
      assert.equal((f.data.byteOffset + f.start) & 7, (got % 11) & 7);
      assert.equal(f.linkType, 1 + (got % 3));
      assert.equal(f.ts, got * 1000.5);
      assert.equal(f.wireLen, want.length + 4);
      assert.equal(f.iface, got % 7);
      assert.equal(f.frameNo, got + 1);
      assert.equal(f.flags, got & 1);
      r.release();
      got++;
    }
  }
  assert.equal(r.next(0), null);
  assert.equal(r.done, false);
  w.close();
  assert.equal(r.next(0), null);
  assert.equal(r.done, true);
});

test('a frame longer than a quarter of the ring is cut to fit, its wire length kept', () => {
  const sab = ringBuffer(4096);
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  w.push(new Uint8Array(5000).fill(7), 0, 5000, 1, 1, 5000, 0, 1);
  w.flush();
  const f = r.next(0)!;
  assert.equal(f.end - f.start, w.maxFrame);
  assert.ok(w.maxFrame < 1024);
  assert.equal(f.wireLen, 5000);
});

test('a full ring whose reader takes nothing stops the writer with a reason; a failed reader at once', () => {
  const sab = ringBuffer(4096);
  const w = new RingWriter(sab, 300);
  const b = new Uint8Array(500);
  const t0 = Date.now();
  assert.throws(() => {
    for (let i = 0; i < 100; i++) w.push(b, 0, b.length, 1, 0, 500, 0, i + 1);
  }, /took no frame for 0\.3 s/);
  assert.ok(Date.now() - t0 >= 300);
  const sab2 = ringBuffer(4096);
  const w2 = new RingWriter(sab2);
  new RingReader(sab2).fail();
  assert.throws(() => {
    for (let i = 0; i < 100; i++) w2.push(b, 0, b.length, 1, 0, 500, 0, i + 1);
  }, RingFailedError);
});

test('frames are published in batches: the reader sees them once a batch is full or on flush', () => {
  const sab = ringBuffer(16384);
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  const b = new Uint8Array(100);
  // A batch is a sixteenth of the ring (1 KiB here): 7 records of 136 bytes are under it.
  for (let i = 0; i < 7; i++) w.push(b, 0, b.length, 1, 0, 100, 0, i + 1);
  assert.equal(r.next(0), null);
  w.push(b, 0, b.length, 1, 0, 100, 0, 8);
  for (let i = 1; i <= 8; i++) {
    assert.equal(r.next(0)?.frameNo, i);
    r.release();
  }
  w.push(b, 0, b.length, 1, 0, 100, 0, 9);
  assert.equal(r.next(0), null);
  w.flush();
  assert.equal(r.next(0)?.frameNo, 9);
  r.release();
  // What the reader took goes back to the writer once it has nothing left to read.
  assert.equal(r.next(0), null);
  assert.equal(w.used(), 0);
});
