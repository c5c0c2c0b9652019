import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv6ToString } from '../../shared/util/addr';

/** RFC 5952 text by WHATWG URL's IPv6 serializer (lower case, longest zero run of 2+ compressed). */
const reference = (b: Uint8Array) => {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return new URL(`http://[${g.join(':')}]/`).hostname.slice(1, -1);
};

test('ipv6ToString: the text reused for an address seen lately is always its own', () => {
  // More addresses than the text slots, differing in one word each (so any word left out of the
  // comparison would hand one address another's text), each read again at another offset.
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const addrs: Uint8Array[] = [];
  for (let i = 0; i < 3000; i++) {
    const a = new Uint8Array(16);
    a[0] = 0x20;
    a[1] = 0x01;
    const word = i % 4;
    const v = rand();
    for (let j = 0; j < 4; j++) a[word * 4 + j] = (v >>> (8 * j)) & (word === 1 && j === 0 ? 0 : 0xff);
    if (i % 5 === 0) a.fill(0, 4, 12);
    addrs.push(a);
  }
  const buf = new Uint8Array(64);
  for (let round = 0; round < 3; round++)
    for (const [i, a] of addrs.entries()) {
      const o = (i + round) % 40;
      buf.fill(0xee);
      buf.set(a, o);
      assert.equal(ipv6ToString(buf, o), reference(a), `address ${i}, round ${round}`);
    }
  const mapped = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]);
  assert.equal(ipv6ToString(mapped, 0), '::ffff:192.0.2.1');
  assert.equal(ipv6ToString(new Uint8Array(16), 0), '::');
  assert.equal(ipv6ToString(new Uint8Array(16), 0), '::');
  assert.equal(ipv6ToString(new Uint8Array(15), 0), '', 'too short: no address');
});
