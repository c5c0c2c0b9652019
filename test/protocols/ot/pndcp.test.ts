import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, u16, u32, type Bytes } from '../../helpers/packets';
import {
  assertNotClaimed,
  assertSurvivesHostile,
  attribute,
  events,
  identity,
  l2,
  roles,
  run,
} from './helpers';
import { join } from 'node:path';
import { createAnalyzer, analyzeFile } from '../../../src-main/engine/pipeline';
import { PCAPS, agreement, corpusFiles, hasTshark, runCapture, tshark } from './corpus';

const PN = 0x8892;

function block(opt: number, sub: number, value: number[] | Bytes, info = true): Bytes {
  const v = concat(info ? [0, 0] : [], value);
  return concat([opt, sub], u16(v.length), v, v.length & 1 ? [0] : []);
}

function dcp(frameId: number, svc: number, type: number, blocks: Bytes[]): Bytes {
  const data = concat(...blocks);
  return concat(u16(frameId), [svc, type], u32(0x1234), u16(0), u16(data.length), data);
}

const RESPONSE = dcp(0xfeff, 5, 1, [
  block(2, 2, ascii('plc-line4')),
  block(2, 1, ascii('S7-1500')),
  block(2, 3, [0x00, 0x2a, 0x01, 0x0e]),
  block(2, 4, [0x02, 0x00]),
  block(2, 7, [0x00, 0x64]),
  block(2, 8, [0x00, 0x2a, 0x02, 0x03]),
  block(1, 2, [192, 168, 0, 7, 255, 255, 255, 0, 192, 168, 0, 1]),
]);

test('Identify response: station name, vendor/device id, role, instance, OEM id, IP', () => {
  const r = run([
    l2(PN, dcp(0xfefe, 5, 0, [block(0xff, 0xff, [], false)]), '01:0e:cf:00:00:00', '02:00:00:00:00:01'),
    l2(PN, RESPONSE, '02:00:00:00:00:01'),
  ]);
  assert.deepEqual(identity(r.obs, 'station-name'), ['plc-line4']);
  assert.deepEqual(identity(r.obs, 'product'), ['S7-1500']);
  assert.deepEqual(identity(r.obs, 'vendor-id'), ['0x002a']);
  assert.deepEqual(identity(r.obs, 'product-code'), ['0x010e']);
  assert.deepEqual(identity(r.obs, 'instance'), ['0.100']);
  assert.deepEqual(attribute(r.obs, 'pn_dcp.device-role'), ['0x02']);
  assert.deepEqual(attribute(r.obs, 'pn_dcp.oem-device-id'), ['0x002a:0x0203']);
  assert.deepEqual(attribute(r.obs, 'pn_dcp.ip'), ['192.168.0.7/255.255.255.0 gw 192.168.0.1']);
  assert.ok(roles(r.obs).includes('profinet-io-controller@02:00:00:00:00:02'));
  assert.ok(roles(r.obs).includes('profinet-dcp-discovery@02:00:00:00:00:01'));
});

test('Set requests changing IP or name are high-severity events against the target', () => {
  const setIp = dcp(0xfefd, 4, 0, [block(1, 2, [10, 1, 1, 9, 255, 0, 0, 0, 10, 1, 1, 1])]);
  const setName = dcp(0xfefd, 4, 0, [block(2, 2, ascii('new-name'))]);
  const r = run([
    l2(PN, setIp, '02:00:00:00:00:02', '02:00:00:00:00:01'),
    l2(PN, setName, '02:00:00:00:00:02', '02:00:00:00:00:01'),
  ]);
  assert.deepEqual(events(r.obs), ['ip-settings-change', 'station-name-change']);
  const e = r.obs.find((o) => o.kind === 'event');
  assert.ok(e?.kind === 'event' && e.peer?.mac === '02:00:00:00:00:02' && e.facts.ip === '10.1.1.9');
});

test('non-DCP frames on 0x8892 are not DCP; RT frames give a role', () => {
  assertNotClaimed(l2(PN, Uint8Array.from([0xfe, 0xfe, 9, 9])), 'profinet');
  const r = run([l2(PN, concat(u16(0x8001), new Uint8Array(40)))]);
  assert.ok(roles(r.obs).includes('profinet-io-peer@02:00:00:00:00:02'));
});

test('hostile DCP never throws', () => {
  assertSurvivesHostile(RESPONSE, (b) => l2(PN, b));
  const lying = Uint8Array.from(RESPONSE);
  lying[11] = 0xff; // data length beyond the frame
  assertSurvivesHostile(lying, (b) => l2(PN, b));
});

const CORPUS = corpusFiles(['profinet']);

test('corpus: DCP fields agree with tshark; ground truth station names and ids', async (t) => {
  if (CORPUS.length === 0 || !hasTshark()) return t.skip('corpus or tshark absent');
  const fields = [
    'pn_dcp.suboption_device_nameofstation',
    'pn_dcp.suboption_vendor_id',
    'pn_dcp.suboption_device_id',
  ];
  const totals = new Map<string, [number, number]>();
  for (const file of CORPUS) {
    const r = await runCapture(file);
    assert.equal(r.dissectorErrors, 0, file);
    // Responses only: request filters and Set values are not the sender's identity.
    const ts = tshark(file, 'pn_dcp.service_type == 1', fields);
    const id = (attr: string) => (o: (typeof r.obs)[number]) =>
      o.kind === 'identity' && o.attr === attr ? o.value : null;
    const hex4 = (s: string) => '0x' + Number(s).toString(16).padStart(4, '0');
    for (const a of [
      // We trim wire strings (the wireshark-bug capture pads its name with a space).
      agreement(ts, 0, fields[0]!, r.obs, id('station-name'), (s) => s.trim()),
      agreement(ts, 1, fields[1]!, r.obs, id('vendor-id'), hex4),
      agreement(ts, 2, fields[2]!, r.obs, id('product-code'), hex4),
    ]) {
      assert.deepEqual(a.disagreements, [], `${file} ${a.field}`);
      assert.deepEqual(a.tsharkOnly, [], `${file} ${a.field}`);
      const tot = totals.get(a.field) ?? [0, 0];
      totals.set(a.field, [tot[0] + a.both, tot[1] + a.agree]);
    }
  }
  for (const [f, [both, agree]] of totals) t.diagnostic(`${f}: ${agree}/${both} frames agree`);
  assert.ok((totals.get(fields[0]!)?.[0] ?? 0) > 0);

  const ch = await runCapture('profinet-dcp__iti-ics__ChangeIPUsingDCP.pcap');
  const dev = ch.obs.filter((o) => o.device.mac === '08:00:06:93:cf:32');
  assert.deepEqual(identity(dev, 'station-name'), ['X208-BORD']);
  assert.deepEqual(identity(dev, 'product'), ['INC']);
  assert.ok(attribute(dev, 'pn_dcp.ip')[0]?.startsWith('192.168.0.6/'));
  const set = ch.obs.find((o) => o.kind === 'event' && o.event === 'ip-settings-change');
  assert.ok(
    set?.kind === 'event' && set.device.mac === '00:0c:29:ba:09:ea' && set.facts.ip === '192.168.0.10',
  );

  const bug = await runCapture('profinet-dcp__iti-ics__profinet-wireshark-bug.pcap');
  assert.ok(identity(bug.obs, 'product').includes('S7-300EC'));
  assert.ok(roles(bug.obs).includes('profinet-io-controller@00:02:e3:17:c7:50'));
});

test('corpus: a PROFINET device lists profinet once, not its parts pn_dcp and pn_rt', async (t) => {
  const files = corpusFiles(['profinet']);
  if (files.length === 0) return t.skip('corpus not present');
  let profinet = 0;
  for (const file of files) {
    const a = createAnalyzer();
    await analyzeFile(a, join(PCAPS, file));
    for (const d of a.snapshot().devices) {
      assert.deepEqual(
        d.protocols.filter((p) => p === 'pn_dcp' || p === 'pn_rt'),
        [],
        `${file} ${d.id}: ${d.protocols.join(' ')}`,
      );
      if (d.protocols.includes('profinet')) profinet++;
    }
  }
  // The DCP stations and controllers of the corpus.
  assert.ok(profinet >= 4, `${profinet} devices list profinet`);
});
