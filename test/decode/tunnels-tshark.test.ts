import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers';
import { ipv4ToString } from '../../shared/util/addr';
import { ethernet, ipv4, ipv6, tcp, udp } from '../helpers/packets';
import { ADDRESS_FIELDS, tsharkAvailable, tsharkFrames } from '../helpers/tshark';
import { ayiya, gre, gtpu, teredo } from './builders';

/**
 * The UDP tunnels on crafted frames (the corpus holds Teredo alone, which the corpus-wide layer
 * differential covers): tshark and we must name the same innermost addresses and ports.
 */
const OUT = { a: '02:00:00:00:01:01', b: '02:00:00:00:01:02', ipa: '172.16.0.1', ipb: '172.16.0.2' };
const over = (sport: number, dport: number, payload: Uint8Array) =>
  ethernet(OUT.b, OUT.a, 0x0800, ipv4(OUT.ipa, OUT.ipb, 17, udp(sport, dport, payload)));
const in4 = ipv4('10.45.0.7', '93.184.216.34', 6, tcp(40100, 443, new Uint8Array(0)));
const in6 = ipv6(
  '2001:0:4136:e378:8000:63bf:3fff:fdd2',
  '2001:db8::53',
  17,
  udp(5353, 53, new Uint8Array(8)),
);

const FRAMES = [
  over(3544, 51000, teredo(in6, { origin: { port: 40000, ip: '198.51.100.7' } })),
  over(3544, 51000, teredo(in6, { auth: { id: [1, 2], value: [3, 4, 5] } })),
  over(5072, 5072, ayiya(41, in6)),
  over(5072, 5072, ayiya(4, in4)),
  over(2152, 2152, gtpu(in4)),
  over(2152, 2152, gtpu(in6, { seq: 9, ext: [[0x85, [0x10, 0x09]]] })),
  over(50000, 4754, gre(0x0800, in4)),
  over(50000, 4754, gre(0x86dd, in6, { key: 7 })),
];
const FIELDS: readonly string[] = ADDRESS_FIELDS;

test('UDP tunnels: innermost addresses and ports agree with tshark on crafted frames', (t) => {
  if (!tsharkAvailable()) return t.skip('tshark not installed');
  const theirs = tsharkFrames(FRAMES, FIELDS, 'l');
  const d = new Decoder(LAYERS);
  let compared = 0;
  FRAMES.forEach((f, i) => {
    const p = d.decode(f, 1, 0, i + 1, f.length);
    assert.equal(p.malformed, '', `frame ${i + 1}`);
    assert.equal(p.tunnels, 1, `frame ${i + 1}`);
    const row = theirs.get(i + 1)!;
    const tv = (k: string) => row[FIELDS.indexOf(k)]?.[0] ?? '';
    const t4 = p.ipProto === 6 ? 'tcp' : 'udp';
    const ours: Record<string, string> =
      p.ipVersion === 4
        ? { 'ip.src': ipv4ToString(p.src4), 'ip.dst': ipv4ToString(p.dst4) }
        : { 'ipv6.src': p.src6, 'ipv6.dst': p.dst6 };
    ours[`${t4}.srcport`] = String(p.srcPort);
    ours[`${t4}.dstport`] = String(p.dstPort);
    for (const [k, v] of Object.entries(ours)) {
      assert.equal(v, tv(k), `frame ${i + 1} ${k}`);
      compared++;
    }
  });
  assert.equal(compared, FRAMES.length * 4);
});
