import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers';
import { ipv4ToString, macToString } from '../../shared/util/addr';
import { PCAPS, skipUnlessCorpus } from '../helpers/corpus';
import { tsharkAvailable, tsharkFields } from '../helpers/tshark';

interface Frame {
  data: Uint8Array;
  origLen: number;
}

/** Minimal classic pcap reader for these tests (either byte order, micro or nano seconds). */
function readPcap(file: string): { linkType: number; frames: Frame[] } {
  const b = readFileSync(file);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4 && b.readUInt32BE(0) !== 0xa1b23c4d)
    throw new Error('not pcap');
  const r32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linkType = r32(20) & 0x0fffffff;
  const frames: Frame[] = [];
  for (let o = 24; o + 16 <= b.length;) {
    const incl = r32(o + 8);
    const orig = r32(o + 12);
    if (o + 16 + incl > b.length) break;
    frames.push({ data: new Uint8Array(b.buffer, b.byteOffset + o + 16, incl), origLen: orig });
    o += 16 + incl;
  }
  return { linkType, frames };
}

/** tshark's view, one row per frame, fields in the order asked; only the first occurrence of each. */
function tsharkRows(file: string, fields: string[]): string[][] {
  return [...tsharkFields(file, fields, 'f').values()].map((row) => row.map((occ) => occ[0] ?? ''));
}

/** The decoded value as tshark prints it ('' when absent). */
const mac = (m: number) => (m < 0 ? '' : macToString(m));
const num = (n: number) => (n < 0 ? '' : String(n));

const FIELDS = [
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'ip.ttl',
  'ipv6.hlim',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
  'tcp.options.mss_val',
  'icmp.type',
  'icmpv6.type',
  'arp.opcode',
  'arp.src.proto_ipv4',
  'eth.src',
  'sll.src.eth',
  'sll.hatype',
  'icmpv6.nd.ns.target_address',
  'icmpv6.nd.na.target_address',
  'icmpv6.opt.linkaddr',
  'icmpv6.nd.ra.router_lifetime',
];

function compare(name: string, expectLinkType: number, t: { skip: (m: string) => void }) {
  const file = path.join(PCAPS, name);
  if (skipUnlessCorpus(t, name)) return;
  if (!tsharkAvailable()) return t.skip('tshark not installed');
  const { linkType, frames } = readPcap(file);
  assert.equal(linkType, expectLinkType);
  const rows = tsharkRows(file, FIELDS);
  assert.equal(rows.length, frames.length);
  assert.ok(frames.length > 0);
  const d = new Decoder(LAYERS);
  let checked = 0;
  frames.forEach((f, i) => {
    const p = d.decode(f.data, linkType, 0, i + 1, f.origLen);
    const row = Object.fromEntries(FIELDS.map((k, j) => [k, rows[i]![j] ?? '']));
    const at = `${name} frame ${i + 1}`;
    // ICMP errors quote an IP header that tshark reports too; we keep the outer one, so compare firsts.
    if (p.ipVersion === 4) {
      assert.equal(ipv4ToString(p.src4), row['ip.src'], at);
      assert.equal(ipv4ToString(p.dst4), row['ip.dst'], at);
      assert.equal(String(p.ttl), row['ip.ttl'], at);
    } else assert.equal(row['ip.src'], '', at);
    if (p.ipVersion === 6) {
      assert.equal(p.src6, row['ipv6.src'], at);
      assert.equal(p.dst6, row['ipv6.dst'], at);
      assert.equal(String(p.ttl), row['ipv6.hlim'], at);
    } else assert.equal(row['ipv6.src'], '', at);
    if (p.hasProto('tcp')) {
      assert.equal(num(p.srcPort), row['tcp.srcport'], at);
      assert.equal(num(p.dstPort), row['tcp.dstport'], at);
      assert.equal(num(p.tcpMss), row['tcp.options.mss_val'], at);
    } else if (p.hasProto('udp')) {
      assert.equal(num(p.srcPort), row['udp.srcport'], at);
      assert.equal(num(p.dstPort), row['udp.dstport'], at);
    }
    if (p.hasProto('icmp')) assert.equal(num(p.icmpType), row['icmp.type'], at);
    if (p.hasProto('icmpv6')) {
      assert.equal(num(p.icmpType), row['icmpv6.type'], at);
      const target = row['icmpv6.nd.ns.target_address'] || row['icmpv6.nd.na.target_address'];
      assert.equal(p.ndTarget, target, at);
      assert.equal(mac(p.ndLinkAddr), row['icmpv6.opt.linkaddr'], at);
      assert.equal(num(p.raLifetime), row['icmpv6.nd.ra.router_lifetime'], at);
    }
    if (p.hasProto('arp')) {
      assert.equal(num(p.arpOp), row['arp.opcode'], at);
      assert.equal(ipv4ToString(p.arpSpa), row['arp.src.proto_ipv4'], at);
    }
    if (linkType === 1) assert.equal(mac(p.srcMac), row['eth.src'], at);
    // We record a cooked sender address only when it is a real MAC (ARPHRD_ETHER).
    if (linkType === 113 || linkType === 276) {
      assert.equal(mac(p.srcMac), row['sll.hatype'] === '1' ? row['sll.src.eth'] : '', at);
    }
    assert.equal(p.malformed, '', at);
    checked++;
  });
  assert.equal(checked, frames.length);
  assert.equal(d.stats.dissectorErrors, 0);
  return d;
}

test('SLL v1 capture agrees with tshark', (t) => {
  const d = compare('sll__pcapplusplus__sll.pcap', 113, t);
  if (d) assert.ok(d.stats.packets > 500);
});

test('SLL v2 capture agrees with tshark (IPv4, IPv6, ARP, RARP)', (t) => {
  compare('sll2__zeek__linux_dlt_sll2.pcap', 276, t);
});

test('QinQ capture agrees with tshark, both VLAN ids recorded', (t) => {
  const name = 'vlan-qinq__zeek__http-qinq-0.pcap';
  const d = compare(name, 1, t);
  if (!d) return;
  const all = [...tsharkFields(path.join(PCAPS, name), ['vlan.id']).values()].map(([ids]) => ids!.join(','));
  const { frames } = readPcap(path.join(PCAPS, name));
  frames.forEach((f, i) => {
    const p = d.decode(f.data, 1, 0, i + 1, f.origLen);
    assert.equal(p.vlans.slice(0, p.vlanCount).join(','), all[i], `frame ${i + 1}`);
  });
});

test('ICMPv6 neighbour discovery capture agrees with tshark', (t) => {
  const d = compare('icmpv6-nd__zeek__icmp6-nd-options.pcap', 1, t);
  if (d) assert.equal(d.stats.malformed, 0);
});

test('NULL loopback capture agrees with tshark (IPv4 and IPv6 over lo0)', (t) => {
  compare('opcua__icsnpp-opcua__python_opcua-client-server_minimal.pcap', 0, t);
});
