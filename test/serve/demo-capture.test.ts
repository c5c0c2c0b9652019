/**
 * The demo capture: deterministic bytes, clean in tshark, and through our own engine the devices the
 * generator put on the wire: MACs, addresses, conversations, and the identities the dissectors
 * extract (host names, models, firmware). Expected values come from the generator's description of
 * the network (src-main/demo/network.ts), never from our own output.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { DeviceJson, InventoryJson } from '../../shared/model/inventory';
import { demoCommand, type DemoIo } from '../../src-main/demo/demo-command';
import { demoCapturePath } from '../../src-main/demo/demo-path';
import { generateDemoCapture, generateDemoFrames } from '../../src-main/demo/generate';
import { IDENTITY, INTERNET, NET } from '../../src-main/demo/network';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { tshark, tsharkAvailable } from '../helpers/tshark';

process.env.GLASSPANE_CACHE_DIR = mkdtempSync(join(tmpdir(), 'gp-demo-'));

let cached: InventoryJson | null = null;
async function inventory(): Promise<InventoryJson> {
  if (cached) return cached;
  const a = createAnalyzer();
  const r = await analyzeFile(a, await demoCapturePath());
  assert.deepEqual(r.warnings, []);
  cached = a.snapshot();
  return cached;
}

function byMac(inv: InventoryJson, mac: string): DeviceJson {
  const d = inv.devices.find((x) => x.mac === mac);
  assert.ok(d, `no device ${mac}`);
  return d;
}

test('the same seed gives the same bytes; another seed gives others', () => {
  const a = generateDemoCapture();
  assert.ok(a.equals(generateDemoCapture()));
  assert.ok(!a.equals(generateDemoCapture({ seed: 7 })));
});

test('a few hundred to a few thousand frames over a few minutes, in time order', () => {
  const recs = generateDemoFrames().records;
  assert.ok(recs.length >= 300 && recs.length <= 5000, `${recs.length} frames`);
  for (let i = 1; i < recs.length; i++)
    assert.ok(recs[i]!.tsUs > recs[i - 1]!.tsUs, `frame ${i + 1} goes back in time`);
  const minutes = (recs.at(-1)!.tsUs - recs[0]!.tsUs) / 60e6;
  assert.ok(minutes >= 2 && minutes <= 6, `${minutes} minutes`);
});

test('demoCapturePath writes the file once and returns the same path', async () => {
  const p = await demoCapturePath();
  assert.ok(readFileSync(p).equals(generateDemoCapture()));
  assert.equal(await demoCapturePath(), p);
});

test('glasspane demo --out writes the capture and prints its path; without --out, the cached one', async () => {
  const out = join(process.env.GLASSPANE_CACHE_DIR!, 'out', 'demo.pcap');
  mkdirSync(dirname(out), { recursive: true });
  const printed = await captureStdout((io) => demoCommand({ out }, io));
  assert.equal(printed.code, 0);
  assert.equal(printed.stdout, out + '\n');
  assert.ok(readFileSync(out).equals(generateDemoCapture()));
  const cached = await captureStdout((io) => demoCommand({}, io));
  assert.equal(cached.stdout, (await demoCapturePath()) + '\n');
  // A removed cache file is written again.
  rmSync(await demoCapturePath());
  assert.ok(existsSync(await demoCapturePath()));
  const bad = await captureStdout((io) => demoCommand({ out: join(out, 'not-a-dir', 'x.pcap') }, io));
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /cannot write .*x\.pcap: the folder does not exist/);
});

async function captureStdout(
  fn: (io: DemoIo) => Promise<number>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = { stdout: '', stderr: '' };
  const code = await fn({ stdout: (s) => (r.stdout += s), stderr: (s) => (r.stderr += s) });
  return { code, ...r };
}

test('tshark reads every frame, finds no malformed one, and sees each protocol of the scenario', async (t) => {
  if (!tsharkAvailable()) return t.skip('tshark is absent');
  const path = await demoCapturePath();
  const run = (args: string[]) => tshark(['-r', path, ...args]);
  const total = run(['-T', 'fields', '-e', 'frame.number']).trim().split('\n').length;
  assert.equal(total, generateDemoFrames().records.length);
  assert.equal(
    run([
      '-Y',
      '_ws.malformed || _ws.expert.severity >= "warning"',
      '-T',
      'fields',
      '-e',
      'frame.number',
    ]).trim(),
    '',
  );
  const protos = new Set(run(['-T', 'fields', '-e', 'frame.protocols']).split(/[\n:]/));
  for (const p of [
    'lldp',
    'arp',
    'dhcp',
    'dns',
    'mdns',
    'ssdp',
    'tls',
    'mbtcp',
    'enip',
    'cotp',
    's7comm',
    'bacapp',
  ]) {
    assert.ok(protos.has(p), `tshark sees no ${p}`);
  }
  const fc43 = run([
    '-Y',
    'modbus.func_code == 43 && mbtcp.len > 6',
    '-T',
    'fields',
    '-e',
    'modbus.object_str_value',
  ]);
  assert.match(fc43, new RegExp(IDENTITY.plc1[0]));
  assert.match(
    run(['-Y', 'enip', '-T', 'fields', '-e', 'enip.lir.name']),
    new RegExp(IDENTITY.plc3.productName),
  );
  const hostnames = run(['-Y', 'dhcp.option.hostname', '-T', 'fields', '-e', 'dhcp.option.hostname']);
  for (const h of [NET.ws1, NET.ws2, NET.mac1]) assert.match(hostnames, new RegExp(h.name));
});

test('every host of the scenario is a device with its MAC and address; Internet peers are routed', async () => {
  const inv = await inventory();
  for (const h of Object.values(NET)) {
    const d = byMac(inv, h.mac);
    if (h !== NET.switch) assert.ok(d.ips.includes(h.ip), `${h.name}: ${d.ips}`);
    assert.equal(d.routed, false);
  }
  const router = byMac(inv, NET.router.mac);
  assert.equal(router.router, true);
  for (const peer of INTERNET) {
    const d = inv.devices.find((x) => x.ips.includes(peer.ip));
    assert.ok(d, `${peer.ip} missing`);
    assert.equal(d.mac, null);
    assert.equal(d.routed, true);
    assert.deepEqual(d.via, [router.id]);
  }
  // Nothing else: the LAN hosts and the Internet peers, no phantom devices.
  assert.equal(inv.devices.length, Object.keys(NET).length + INTERNET.length);
});

test('conversations: the polls, the engineering sessions and the browsing are edges', async () => {
  const inv = await inventory();
  const edge = (x: { mac: string } | string, y: { mac: string } | string) => {
    const id = (v: { mac: string } | string) =>
      typeof v === 'string' ? inv.devices.find((d) => d.ips.includes(v))!.id : byMac(inv, v.mac).id;
    const [a, b] = [id(x), id(y)];
    return inv.edges.find((e) => (e.a === a && e.b === b) || (e.a === b && e.b === a));
  };
  const hmiPlc1 = edge(NET.hmi, NET.plc1);
  assert.ok(hmiPlc1?.protocols.includes('modbus'));
  assert.ok(hmiPlc1!.packets > 100, 'two minutes of polling every two seconds');
  assert.ok(edge(NET.hmi, NET.plc2)?.protocols.includes('modbus'));
  assert.ok(edge(NET.eng, NET.plc4)?.protocols.includes('s7comm'));
  assert.ok(edge(NET.eng, NET.plc3)?.protocols.includes('enip'));
  assert.ok(edge(NET.ws1, INTERNET[0].ip), 'browsing shows as an edge to the routed peer');
  assert.equal(edge(NET.plc1, NET.plc2), undefined, 'PLCs do not talk to each other here');
});

test('identities the OT dissectors extract: models, firmware, serial, vendor, roles', async () => {
  const inv = await inventory();
  const plc1 = byMac(inv, NET.plc1.mac);
  assert.equal(plc1.vendor, IDENTITY.plc1[0]);
  assert.equal(plc1.firmware, IDENTITY.plc1[2]);
  assert.ok(plc1.roles.includes('modbus-server'));
  assert.ok(byMac(inv, NET.hmi.mac).roles.includes('modbus-client'));
  const plc3 = byMac(inv, NET.plc3.mac);
  assert.equal(plc3.model, IDENTITY.plc3.productName);
  assert.equal(plc3.firmware, IDENTITY.plc3.revision.join('.'));
  assert.match(plc3.serial ?? '', new RegExp(IDENTITY.plc3.serial.toString(16), 'i'));
  const plc4 = byMac(inv, NET.plc4.mac);
  // Classification names the family in front of the order number the PLC stated ("S7-300 6ES7 ...").
  assert.ok(plc4.model?.endsWith(IDENTITY.plc4.orderNumber), `model ${plc4.model}`);
  assert.equal(plc4.firmware, 'V' + IDENTITY.plc4.firmware.join('.'));
  assert.ok(plc4.roles.includes('s7-server'));
  assert.ok(byMac(inv, NET.bms.mac).roles.includes('bacnet-device'));
  assert.ok(byMac(inv, NET.eng.mac).roles.includes('s7-client'));
});

test('identities the IT dissectors extract: DHCP host names, the printer, the switch', async () => {
  const inv = await inventory();
  for (const h of [NET.ws1, NET.ws2, NET.mac1]) {
    const d = byMac(inv, h.mac);
    assert.equal(d.hostname, h.name);
    assert.ok(d.hostnames.some((x) => x.name === h.name && /dhcp/.test(x.source)));
    assert.ok(d.protocols.includes('dhcp'));
  }
  const printer = byMac(inv, NET.printer.mac);
  assert.equal(printer.model, IDENTITY.printer.model);
  // The chosen host name drops mDNS's ".local"; the name as announced stays among its host names.
  assert.equal(printer.hostname, IDENTITY.printer.mdnsHost.replace(/\.local$/, ''));
  assert.ok(printer.hostnames.some((x) => x.name === IDENTITY.printer.mdnsHost));
  assert.equal(byMac(inv, NET.switch.mac).hostname, IDENTITY.switch.systemName);
  assert.ok(byMac(inv, NET.tv.mac).protocols.includes('ssdp'));
});
