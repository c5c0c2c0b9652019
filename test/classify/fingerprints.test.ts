import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { collectFingerprints, compileRules } from '../../shared/classify';
import { Inventory } from '../../shared/inventory/inventory';
import type { Observation } from '../../shared/model/observation';
import { loadRules } from '../../src-main/classify/load';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { PCAPS, skipUnlessCorpus } from '../helpers/corpus';

const RULES = compileRules([
  {
    family: 't',
    description: 'd',
    rules: [
      {
        id: 't.udhcpc',
        description: 'd',
        source: 's',
        confidence: 0.5,
        match: { fact: { kind: 'fingerprint', key: 'dhcp', value: '1,3,6,12,15,28,42' } },
        yield: { type: 'iot-device' },
      },
      {
        id: 't.client',
        description: 'only a role: does not make a fingerprint known',
        source: 's',
        confidence: 0.5,
        match: { fact: { kind: 'fingerprint', key: 'dhcp' } },
        yield: { role: 'dhcp-client' },
      },
    ],
  },
]).rules;

function dhcp(mac: string, list: string, frame: number): Observation {
  return {
    kind: 'fingerprint',
    scheme: 'dhcp',
    value: list,
    device: { mac, ip: null },
    protocol: 'dhcp',
    field: 'option55',
    frame,
    ts: frame * 1000,
  };
}

test('unknown fingerprints are grouped with counts and the devices that sent them', () => {
  const inv = new Inventory();
  inv.observe(dhcp('00:00:00:00:00:01', '1,3,99', 1));
  inv.observe(dhcp('00:00:00:00:00:01', '1,3,99', 2));
  inv.observe(dhcp('00:00:00:00:00:02', '1,3,99', 3));
  inv.observe(dhcp('00:00:00:00:00:03', '1,3,6,12,15,28,42', 4));
  const unknown = collectFingerprints(inv, RULES, { unknownOnly: true });
  assert.equal(unknown.length, 1);
  assert.equal(unknown[0]!.value, '1,3,99');
  assert.equal(unknown[0]!.count, 3);
  assert.deepEqual(unknown[0]!.devices.map((d) => d.id).sort(), [
    'mac:00:00:00:00:00:01',
    'mac:00:00:00:00:00:02',
  ]);
  const all = collectFingerprints(inv, RULES);
  assert.equal(all.length, 2);
  const known = all.find((r) => r.value === '1,3,6,12,15,28,42')!;
  assert.deepEqual(known.rules.sort(), ['t.client', 't.udhcpc']);
});

test('a second fingerprint of the same device is known when a rule knows it', () => {
  const inv = new Inventory();
  inv.observe(dhcp('00:00:00:00:00:01', '1,3,99', 1));
  inv.observe(dhcp('00:00:00:00:00:01', '1,3,6,12,15,28,42', 2));
  const unknown = collectFingerprints(inv, RULES, { unknownOnly: true });
  assert.deepEqual(
    unknown.map((r) => r.value),
    ['1,3,99'],
  );
});

test('corpus: the Hue bridge DHCP list is known, the Grandstream list is not', async (t) => {
  const hue = path.join(PCAPS, 'iot-setup__iot-sentinel__HueBridge_Setup-A-2-STA.pcap');
  if (skipUnlessCorpus(t, hue)) return;
  const a = createAnalyzer();
  await analyzeFile(a, hue);
  await analyzeFile(a, path.join(PCAPS, 'dhcp__zeek__dhcp_discover_param_req_and_client_id.pcap'));
  const rules = loadRules();
  const all = collectFingerprints(a.inventory, rules);
  const row = all.find((r) => r.scheme === 'dhcp' && r.value === '1,3,6,12,15,28,42');
  assert.ok(row !== undefined);
  assert.ok(row.devices.some((d) => d.id === 'mac:00:17:88:24:76:ff'));
  assert.ok(row.rules.includes('dhcp.busybox-udhcpc'));
  const unknown = collectFingerprints(a.inventory, rules, { unknownOnly: true });
  assert.ok(!unknown.some((r) => r.value === '1,3,6,12,15,28,42'));
  const unknownDhcp = unknown.filter((r) => r.scheme === 'dhcp').map((r) => r.value);
  assert.ok(unknownDhcp.includes('1,3,6,42'), `unknown dhcp lists: ${unknownDhcp.join(' ; ')}`);
});
