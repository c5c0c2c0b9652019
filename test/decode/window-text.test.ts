import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteWindow, latin1 } from '../../shared/decode/window';

test('latin1: every byte is its own character, ASCII or not, at any length', () => {
  let seed = 11;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
  for (const n of [0, 1, 15, 16, 200, 4096, 4097, 9000]) {
    const ascii = Uint8Array.from({ length: n }, () => rand() & 0x7f);
    const high = Uint8Array.from({ length: n }, () => rand() & 0xff);
    // ASCII but for one byte, first, last or in the middle (0x80-0x9f: not windows-1252's text).
    const one = (at: number, v: number) => ascii.map((x, i) => (i === at ? v : x));
    const cases = [ascii, high];
    if (n > 0) cases.push(one(0, 0xe9), one(n - 1, 0x85), one(n >> 1, 0xff));
    for (const b of cases) assert.equal(latin1(b), Buffer.from(b).toString('latin1'), `length ${n}`);
  }
  assert.equal(latin1(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41)), '\u00ef\u00bb\u00bfA', 'no BOM dropped');
  assert.equal(latin1(Uint8Array.of(0x41, 0, 0x42)), 'A\u0000B');
});

test('ByteWindow.ascii reads its own bytes, at most max of them', () => {
  const buf = Uint8Array.from('xxGET / HTTP/1.1\u00e9yy', (c) => c.charCodeAt(0));
  const w = new ByteWindow().reset(buf, 2, buf.length - 2);
  assert.equal(w.ascii(0, 14), 'GET / HTTP/1.1');
  assert.equal(w.ascii(0, 15), 'GET / HTTP/1.1\u00e9');
  assert.equal(w.ascii(6, 100, 4), 'HTTP');
});
