import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFile, createAnalyzer } from '../../../src-main/engine/pipeline';
import { CORPUS_SKIP, corpusPath } from '../../helpers/corpus';
import { hasTshark, runCapture, tshark } from './corpus';

/**
 * The polling period on real captures, against tshark's reading of the same requests: per TCP stream
 * and request (Modbus unit, function, reference and count; DNP3 outstation, function and object
 * headers of its READs), the intervals between repeats. Every period we state for a device is the median of some 5
 * consecutive intervals of a request to it (within rounding: the definition, a master slows down at
 * times), and every device polled regularly over the whole capture in tshark's reading has one.
 */

interface Case {
  file: string;
  filter: string;
  /** tshark fields that make a request's signature (after frame time, stream and destination). */
  signature: string[];
}

const CASES: Case[] = [
  {
    file: 'modbus__iti-ics__modbus_test.pcap',
    filter: 'tcp.dstport==502 && mbtcp',
    signature: ['mbtcp.unit_id', 'modbus.func_code', 'modbus.reference_num', 'modbus.word_cnt'],
  },
  {
    file: 'dnp3__icsnpp-dnp3__dnp3_example.pcap',
    filter: 'dnp3.ctl.dir==1 && dnp3.al.func==1',
    signature: ['dnp3.dst', 'dnp3.al.func', 'dnp3.al.obj', 'dnp3.al.objq.range'],
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

for (const c of CASES) {
  test(`polling period agrees with tshark's request times: ${c.file}`, { skip: CORPUS_SKIP }, async (t) => {
    if (!hasTshark()) return t.skip('tshark not installed');
    const rows = tshark(c.file, c.filter, ['frame.time_epoch', 'tcp.stream', 'ip.dst', ...c.signature]);
    // Repeats of one request on one stream: their times, by destination.
    const times = new Map<string, { dst: string; at: number[] }>();
    for (const cols of rows.values()) {
      const at = Number(cols[0]![0]) * 1000;
      const key = cols
        .slice(1)
        .map((v) => v.join(','))
        .join('\t');
      const e = times.get(key) ?? { dst: cols[2]![0]!, at: [] };
      e.at.push(at);
      times.set(key, e);
    }
    const medians = new Map<string, number[]>();
    const windows = new Map<string, number[]>();
    const regular = new Set<string>();
    for (const { dst, at } of times.values()) {
      if (at.length < 6) continue;
      const gaps = at.slice(1).map((x, i) => x - at[i]!);
      const m = median(gaps);
      medians.set(dst, [...(medians.get(dst) ?? []), m]);
      const w = windows.get(dst) ?? [];
      for (let i = 5; i <= gaps.length; i++) w.push(median(gaps.slice(i - 5, i)));
      windows.set(dst, w);
      const s = [...gaps].sort((a, b) => a - b);
      if (s[s.length >> 2]! * 1.5 >= m && s[(3 * s.length) >> 2]! <= m * 1.5) regular.add(dst);
    }
    assert.ok(regular.size > 0, 'tshark shows regular polling in this capture');

    const r = await runCapture(c.file);
    const ours = new Map<string, number[]>();
    for (const o of r.obs) {
      if (o.kind !== 'attribute' || o.key !== 'polled-every' || o.device.ip === null) continue;
      ours.set(o.device.ip, [...(ours.get(o.device.ip) ?? []), Number.parseFloat(o.value)]);
    }
    for (const dst of regular)
      assert.ok(ours.has(dst), `no polling period for ${dst}, tshark: ${medians.get(dst)}`);
    for (const [dst, values] of ours) {
      const theirs = windows.get(dst) ?? [];
      for (const v of values)
        assert.ok(
          theirs.some((m) => Math.abs(Math.log(v / m)) <= Math.log(1.3)),
          `${dst} polled every ${v} ms; tshark's 5-repeat medians ${[...new Set(theirs.map(Math.round))].join(', ')}`,
        );
    }
    t.diagnostic(
      JSON.stringify({
        ours: Object.fromEntries(ours),
        tshark: Object.fromEntries([...medians].map(([k, v]) => [k, v.map((m) => Math.round(m))])),
      }),
    );
  });
}

test(
  'the device record: polled field device and its masters, with the period in `identity` and the type',
  { skip: CORPUS_SKIP },
  async () => {
    const a = createAnalyzer();
    await analyzeFile(a, corpusPath('modbus__iti-ics__modbus_test.pcap'));
    const inv = a.snapshot({ evidence: false });
    const device = (ip: string) => inv.devices.find((d) => d.ips.includes(ip));
    const rows = (ip: string) => (device(ip)?.identity?.modbus ?? []).map((r) => `${r.label}=${r.value}`);
    assert.ok(rows('192.168.0.20').includes('polled every=1000 ms'), JSON.stringify(rows('192.168.0.20')));
    for (const master of ['192.168.0.21', '192.168.0.112', '192.168.0.133', '192.168.0.144'])
      assert.ok(rows(master).includes('polls every=1000 ms'), `${master}: ${JSON.stringify(rows(master))}`);
    const type = device('192.168.0.20')?.attributes?.type;
    assert.equal(type?.value, 'ot-device');
    assert.ok(type?.evidence.some((e) => e.rule === 'behaviour.polled-field-device'));
  },
);
