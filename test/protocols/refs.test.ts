import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Packet } from '../../shared/decode/packet';
import { dstRef, srcRef } from '../../shared/protocols/common/refs';

test('frame refs name each end right, whatever refs were made before (the ref cache)', () => {
  // Ends that share a MAC, an address, or an IPv6 text of the same length: every way two ends can
  // fall on one slot of the cache or nearly match one held there.
  const macs = [-1, 0x00005e000001, 0x00005e000002, 0xffffffffffff, 0x0000000000ff];
  const ends: { v: number; ip4: number; ip6: string }[] = [
    { v: 0, ip4: 0, ip6: '' },
    { v: 4, ip4: 0x0a000001, ip6: '' },
    { v: 4, ip4: 0xc0a80101, ip6: '' },
    { v: 4, ip4: 0xffffffff, ip6: '' },
    { v: 6, ip4: 0, ip6: 'fe80::1' },
    { v: 6, ip4: 0, ip6: 'fe80::2' },
    { v: 6, ip4: 0, ip6: '2001:db8::1' },
  ];
  const ip4Text = (a: number) => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
  const macText = (m: number) =>
    m
      .toString(16)
      .padStart(12, '0')
      .replace(/(..)(?!$)/g, '$1:');
  const p = new Packet();
  let checked = 0;
  for (let round = 0; round < 3; round++)
    for (const sm of macs)
      for (const dm of macs)
        for (const e of ends) {
          const far = ends[(ends.indexOf(e) + round + 1) % ends.length]!;
          p.reset();
          p.srcMac = sm;
          p.dstMac = dm;
          p.ipVersion = e.v === far.v ? e.v : 0;
          p.src4 = e.ip4;
          p.dst4 = far.ip4;
          p.src6 = e.ip6;
          p.dst6 = far.ip6;
          const want = (mac: number, ip4: number, ip6: string) => ({
            mac: mac >= 0 ? macText(mac) : null,
            ip: p.ipVersion === 4 ? ip4Text(ip4) : p.ipVersion === 6 ? ip6 : null,
          });
          assert.deepEqual(srcRef(p), want(sm, e.ip4, e.ip6));
          assert.deepEqual(dstRef(p), want(dm, far.ip4, far.ip6));
          checked += 2;
        }
  assert.equal(checked, 3 * macs.length * macs.length * ends.length * 2);
});
