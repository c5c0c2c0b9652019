import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers';
import { readCaptureFile } from '../../src-main/capture/file-source';
import { ipv4ToString, macToString } from '../../shared/util/addr';
import { PCAPS, corpusFiles, CORPUS_SKIP } from '../helpers/corpus';
import { ADDRESS_FIELDS, tsharkAvailable, tsharkFields } from '../helpers/tshark';

/**
 * Differential test against tshark, the reference dissector, over the whole corpus: for every frame
 * where both decode a field, the values must agree. Fields of the innermost frame are compared
 * (tshark's last occurrence), since tunnels are decapsulated and the inner frame is what we analyse.
 */
const FIELDS = [
  'eth.src',
  'eth.dst',
  ...ADDRESS_FIELDS,
  'vlan.id',
  'arp.opcode',
  'arp.src.hw_mac',
  'arp.src.proto_ipv4',
  'arp.dst.proto_ipv4',
] as const;
type Field = (typeof FIELDS)[number];

/**
 * Why we may differ from tshark on a frame, and are right to. Each excused difference is counted and
 * reported; anything else fails the test.
 */
function excuse(file: string, field: Field, ipOccurrences: number): string | null {
  if (file.startsWith('fuzz-')) {
    return 'deliberately corrupted frames: tshark decodes past header errors (bogus versions, lengths beyond the frame) that we stop at and count as malformed';
  }
  if (ipOccurrences > 1 && /^(ip|ipv6)\.|port$/.test(field)) {
    return 'ICMP errors quote the offending IP header: tshark reports the quoted header as the last occurrence, we keep the real one';
  }
  return null;
}

function ours(
  d: Decoder,
  buf: Uint8Array,
  lt: number,
  frame: number,
  wireLen: number,
): Partial<Record<Field, string[]>> {
  const p = d.decode(buf, lt, 0, frame, wireLen);
  const r: Partial<Record<Field, string[]>> = {};
  if (p.srcMac >= 0) r['eth.src'] = [macToString(p.srcMac)];
  if (p.dstMac >= 0) r['eth.dst'] = [macToString(p.dstMac)];
  if (p.ipVersion === 4) {
    r['ip.src'] = [ipv4ToString(p.src4)];
    r['ip.dst'] = [ipv4ToString(p.dst4)];
  } else if (p.ipVersion === 6) {
    r['ipv6.src'] = [p.src6];
    r['ipv6.dst'] = [p.dst6];
  }
  if (p.srcPort >= 0 && !p.laterFragment) {
    const t = p.ipProto === 6 ? 'tcp' : p.ipProto === 17 ? 'udp' : null;
    if (t) {
      r[`${t}.srcport`] = [String(p.srcPort)];
      r[`${t}.dstport`] = [String(p.dstPort)];
    }
  }
  if (p.vlanCount > 0 && p.tunnels === 0) r['vlan.id'] = p.vlans.slice(0, p.vlanCount).map(String);
  if (p.arpOp >= 0) {
    r['arp.opcode'] = [String(p.arpOp)];
    if (p.arpSha >= 0) {
      r['arp.src.hw_mac'] = [macToString(p.arpSha)];
      r['arp.src.proto_ipv4'] = [ipv4ToString(p.arpSpa)];
      r['arp.dst.proto_ipv4'] = [ipv4ToString(p.arpTpa)];
    }
  }
  return r;
}

test(
  'differential: MACs, IPs, ports, VLAN ids and ARP fields agree with tshark over the corpus',
  {
    skip: CORPUS_SKIP || (!tsharkAvailable() && 'tshark not installed'),
    timeout: 15 * 60_000,
  },
  async (t) => {
    const agree: Record<string, number> = {};
    const excused: Record<string, number> = {};
    const disagreements: string[] = [];
    for (const file of corpusFiles()) {
      const path = join(PCAPS, file);
      const last = tsharkFields(path, [...FIELDS], 'l');
      const all = tsharkFields(path, ['vlan.id', 'ip.src', 'ipv6.src'], 'a');
      const d = new Decoder(LAYERS);
      let n = 0;
      try {
        await readCaptureFile(path, (buf, lt, _ts, wl) => {
          n++;
          const theirs = last.get(n);
          if (theirs === undefined) return;
          const mine = ours(d, buf, lt, n, wl);
          FIELDS.forEach((f, i) => {
            let tv = theirs[i]!;
            if (f === 'vlan.id') tv = all.get(n)?.[0] ?? [];
            const mv = mine[f];
            if (mv === undefined || tv.length === 0) return;
            // Wireshark gives a tunnelled frame's outer and inner VLAN tags together; compare only untunnelled frames.
            const ipCount = (all.get(n)?.[1]?.length ?? 0) + (all.get(n)?.[2]?.length ?? 0);
            const tunnelled = ipCount > 1;
            if (f === 'vlan.id' && tunnelled) return;
            if (mv.join(',') === tv.join(',')) {
              agree[f] = (agree[f] ?? 0) + 1;
              return;
            }
            if (excuse(file, f, ipCount) !== null) {
              excused[f] = (excused[f] ?? 0) + 1;
              return;
            }
            if (disagreements.length < 50)
              disagreements.push(`${file} frame ${n} ${f}: ours ${mv.join(',')} tshark ${tv.join(',')}`);
          });
        });
      } catch (e) {
        if (!/^fuzz-/.test(file)) throw e;
      }
    }
    for (const f of FIELDS) t.diagnostic(`${f}: ${agree[f] ?? 0} frames agree, ${excused[f] ?? 0} excused`);
    assert.ok(
      (agree['eth.src'] ?? 0) > 10000 && (agree['ip.src'] ?? 0) > 10000,
      'fields were really compared',
    );
    assert.ok(
      (agree['vlan.id'] ?? 0) > 0 && (agree['arp.src.hw_mac'] ?? 0) > 0 && (agree['ipv6.src'] ?? 0) > 0,
    );
    assert.deepEqual(disagreements, []);
  },
);
