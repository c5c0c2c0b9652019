import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowTable } from '../../shared/decode/flows';
import { Packet } from '../../shared/decode/packet';
import { ipv4FromString, ipv4IsUnicastHost } from '../../shared/util/addr';

/**
 * Comparisons rewritten to run on every packet (so that a rare packet does not throw the optimised
 * code away): the same answers at the edges as the branches they replace.
 */

test('ipv4IsUnicastHost: multicast is 224/4 exactly; 0.0.0.0 and the limited broadcast are not hosts', () => {
  const host = (s: string) => ipv4IsUnicastHost(ipv4FromString(s));
  for (const s of ['0.0.0.1', '10.0.0.1', '192.168.1.1', '223.255.255.255', '240.0.0.0', '255.255.255.254'])
    assert.equal(host(s), true, s);
  for (const s of ['0.0.0.0', '224.0.0.0', '224.0.0.251', '231.1.2.3', '239.255.255.255', '255.255.255.255'])
    assert.equal(host(s), false, s);
});

function tcp(src: string, dst: string, sport: number, dport: number): Packet {
  const p = new Packet();
  p.ipVersion = 4;
  p.ipProto = 6;
  p.src4 = ipv4FromString(src);
  p.dst4 = ipv4FromString(dst);
  p.srcPort = sport;
  p.dstPort = dport;
  return p;
}

function tcp6(src: string, dst: string, sport: number, dport: number): Packet {
  const p = new Packet();
  p.ipVersion = 6;
  p.ipProto = 6;
  p.src6 = src;
  p.dst6 = dst;
  p.srcPort = sport;
  p.dstPort = dport;
  return p;
}

test('FlowTable: both directions share one flow, also between equal addresses (ordered by port)', () => {
  const t = new FlowTable(16);
  const pairs: [Packet, Packet][] = [
    [tcp('10.0.0.1', '10.0.0.2', 40000, 80), tcp('10.0.0.2', '10.0.0.1', 80, 40000)],
    [tcp('10.0.0.9', '10.0.0.9', 40000, 80), tcp('10.0.0.9', '10.0.0.9', 80, 40000)],
    [tcp6('fe80::1', 'fe80::1', 5000, 6000), tcp6('fe80::1', 'fe80::1', 6000, 5000)],
  ];
  const made = pairs.map(([a, b]) => {
    const fa = t.get(a, true);
    assert.ok(fa !== undefined);
    assert.equal(t.get(b, false), fa, 'the reply finds the flow the request made');
    return fa;
  });
  assert.equal(new Set(made).size, pairs.length, 'distinct flows stay apart');
  // The same address at both ends with swapped ports, but another port pair: another flow.
  assert.equal(t.get(tcp('10.0.0.9', '10.0.0.9', 40001, 80), false), undefined);
});
