import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LINKTYPE_ETHERNET } from '../../../shared/decode/linktypes';
import type { Observation } from '../../../shared/model/observation';
import { createAnalyzer } from '../../../src-main/engine/pipeline';
import { concat, u16, udpFrame } from '../../helpers/packets';
import {
  c37Cfg2,
  c37Pmu,
  finsControllerData,
  hartCmd0,
  hartCmd20,
  hartDirect,
  hartTokenResponse,
  hartip,
  rocMessage,
  rocSystemConfig,
} from '../../helpers/ot-frames';
import {
  HTTP_GET,
  assertNotClaimed,
  assertSurvivesHostile,
  CLIENT,
  attribute,
  fromServer,
  identity,
  roles,
  run,
  toServer,
  udpFromServer,
  udpToServer,
} from './helpers';
import { runCapture } from './corpus';
import { skipUnlessCorpus } from '../../helpers/corpus';

const about = (obs: readonly Observation[], attr: string) =>
  obs.flatMap((o) => (o.kind === 'identity' && o.attr === attr ? [o.device.ip] : []));

const ADDR = [0x26, 0x4e, 0x00, 0x00, 0xd2];
const CMD0 = hartCmd0({ type: 0x264e, maker: 38, id: [0, 0, 0xd2], sw: 4, hw: 1 });

test('HART-IP token-passing responses: command 0 identifier and command 20 long tag, about the server', () => {
  const r = run([
    udpFromServer(5094, hartip(1, 3, hartTokenResponse(ADDR, 0, CMD0))),
    udpFromServer(5094, hartip(1, 3, hartTokenResponse(ADDR, 20, hartCmd20('FT-101 inlet')))),
  ]);
  assert.equal(r.errors, 0);
  assert.deepEqual(identity(r.obs, 'vendor-id'), ['38']);
  assert.deepEqual(identity(r.obs, 'device-type-id'), ['0x264e']);
  assert.deepEqual(identity(r.obs, 'serial'), ['0000d2']);
  assert.deepEqual(identity(r.obs, 'firmware'), ['4']);
  assert.deepEqual(identity(r.obs, 'hardware'), ['1']);
  assert.deepEqual(attribute(r.obs, 'hart.device-revision'), ['4']);
  assert.deepEqual(attribute(r.obs, 'hart.universal-revision'), ['7']);
  assert.deepEqual(identity(r.obs, 'station-name'), ['FT-101 inlet']);
  assert.deepEqual(about(r.obs, 'station-name'), ['10.0.0.2']);
});

test('HART-IP direct PDU: commands 0 and 20 in one message; requests and failed commands say nothing', () => {
  const ok = hartip(
    1,
    5,
    hartDirect([
      { cmd: 0, data: CMD0 },
      { cmd: 20, data: hartCmd20('PT-7') },
    ]),
  );
  const r = run([udpFromServer(5094, ok)]);
  assert.equal(r.errors, 0);
  assert.deepEqual(identity(r.obs, 'vendor-id'), ['38']);
  assert.deepEqual(identity(r.obs, 'station-name'), ['PT-7']);
  // The same commands as a request (type 0), and a response whose code is not success.
  const req = hartip(0, 5, hartDirect([{ cmd: 20, data: hartCmd20('X'), response: false }]));
  const failed = hartip(1, 5, concat([0, 0], u16(20), [33, 5], hartCmd20('BAD')));
  const r2 = run([udpToServer(5094, req), udpFromServer(5094, failed)]);
  assert.deepEqual(identity(r2.obs, 'station-name'), []);
});

test('HART-IP HART 5 identifier: the manufacturer is the first byte of the device type', () => {
  const h5 = concat([254, 0x11, 0x4e, 5, 5, 3, 2, 0x08, 0], [0x12, 0x34, 0x56]);
  const r = run([udpFromServer(5094, hartip(1, 3, hartTokenResponse(ADDR, 0, h5)))]);
  assert.deepEqual(identity(r.obs, 'vendor-id'), ['17']);
  assert.deepEqual(identity(r.obs, 'serial'), ['123456']);
});

test('HART-IP identity messages: hostile and truncated input never throws', () => {
  assertSurvivesHostile(hartip(1, 3, hartTokenResponse(ADDR, 0, CMD0)), (b) => udpFromServer(5094, b));
  assertSurvivesHostile(hartip(1, 5, hartDirect([{ cmd: 0, data: CMD0 }])), (b) => udpFromServer(5094, b));
  // A byte count that claims more than the frame holds: no identity read past the end.
  const lying = hartip(1, 3, concat([0x86], ADDR, [20, 250, 0, 0], hartCmd20('T')));
  const r = run([udpFromServer(5094, lying)]);
  assert.deepEqual(identity(r.obs, 'station-name'), []);
  assertNotClaimed(udpToServer(5094, HTTP_GET), 'hart-ip');
});

test('C37.118 CFG-2 from a PDC: every PMU station and id code, and the stream source id', () => {
  const cfg = c37Cfg2(900, [
    c37Pmu('SUB-A PMU1', 11, 3, 1, 1),
    c37Pmu('SUB-B PMU2', 12, 2, 0, 0),
    c37Pmu('SUB-C', 13, 0, 0, 2),
  ]);
  const r = run([udpFromServer(4712, cfg)]);
  assert.equal(r.errors, 0);
  assert.deepEqual(identity(r.obs, 'station-name'), ['SUB-A PMU1', 'SUB-B PMU2', 'SUB-C']);
  assert.deepEqual(attribute(r.obs, 'c37118.pmu-idcode'), ['11', '12', '13']);
  assert.deepEqual(attribute(r.obs, 'c37118.idcode'), ['900']);
  // CFG-1 has the same layout.
  const r1 = run([udpFromServer(4712, c37Cfg2(5, [c37Pmu('ONE', 6, 1, 0, 0)], 2))]);
  assert.deepEqual(identity(r1.obs, 'station-name'), ['ONE']);
  assertSurvivesHostile(cfg, (b) => udpFromServer(4712, b));
});

test('C37.118 CFG-3: length-prefixed station names for each PMU', () => {
  const pmu = (stn: string, id: number) =>
    concat(
      [stn.length],
      new TextEncoder().encode(stn),
      u16(id),
      new Uint8Array(16),
      u16(0),
      u16(1),
      u16(0),
      u16(0),
      [2],
      new TextEncoder().encode('VA'),
      new Uint8Array(12),
      new Uint8Array(12 + 1 + 8 + 4),
    );
  const body = concat(
    u16(0),
    new Uint8Array([0, 0x0f, 0x42, 0x40]),
    u16(2),
    pmu('Long station name A', 21),
    pmu('B', 22),
    u16(30),
  );
  const head = concat([0xaa, 0x52], u16(14 + body.length + 2), u16(77), new Uint8Array(8));
  const cfg3 = concat(head, body, u16(0));
  const r = run([udpFromServer(4712, cfg3)]);
  assert.deepEqual(identity(r.obs, 'station-name'), ['Long station name A', 'B']);
  assert.deepEqual(attribute(r.obs, 'c37118.pmu-idcode'), ['21', '22']);
  assertSurvivesHostile(cfg3, (b) => udpFromServer(4712, b));
});

test('C37.118 PMU count past the cap: bounded, no throw', () => {
  const many = Array.from({ length: 100 }, (_, i) => c37Pmu('P' + i, i + 1, 0, 0, 0));
  const r = run([udpFromServer(4712, c37Cfg2(1, many))]);
  assert.equal(r.errors, 0);
  assert.equal(identity(r.obs, 'station-name').length, 64);
});

test('FINS Controller Data Read reply: model, version and memory layout', () => {
  const r = run([udpFromServer(9600, finsControllerData('CJ2M-CPU33', '02.01'))]);
  assert.deepEqual(identity(r.obs, 'model'), ['CJ2M-CPU33']);
  assert.deepEqual(identity(r.obs, 'firmware'), ['02.01']);
  assert.deepEqual(attribute(r.obs, 'fins.program-area-size'), ['10']);
  assert.deepEqual(attribute(r.obs, 'fins.dm-words'), ['10768']);
  assert.deepEqual(attribute(r.obs, 'fins.memory-card'), ['0']);
  assertSurvivesHostile(finsControllerData('CJ2M', '1'), (b) => udpFromServer(9600, b));
});

test('corpus: HART-IP tag and identifier, C37.118 PMU id, FINS memory layout', async (t) => {
  if (skipUnlessCorpus(t, 'ics-hart-ip__ndpi__hart_ip.pcap', 'ics-c37118__iti-ics__C37.118_1PMU_UDP.pcap'))
    return;
  const hart = await runCapture('ics-hart-ip__ndpi__hart_ip.pcap');
  assert.deepEqual([...new Set(identity(hart.obs, 'station-name'))], ['wihartgw']);
  assert.deepEqual([...new Set(identity(hart.obs, 'vendor-id'))], ['38']);
  assert.deepEqual([...new Set(about(hart.obs, 'vendor-id'))], ['192.168.0.10']);
  const c37 = await runCapture('ics-c37118__iti-ics__C37.118_1PMU_UDP.pcap');
  assert.deepEqual(attribute(c37.obs, 'c37118.pmu-idcode'), ['61']);
  const fins = await runCapture('ics-fins__ndpi__fins.pcap');
  assert.ok(attribute(fins.obs, 'fins.dm-words').includes('10768'));
  // The server polled but never heard answering keeps its address.
  assert.ok(fins.obs.some((o) => o.kind === 'address' && o.protocol === 'fins' && o.ip === '10.130.130.130'));
});

test('ROC Plus opcode 6: host and device roles, type of ROC, subtype and ROC address; CRC checked', () => {
  const req = rocMessage([240, 3], [1, 0], 6, new Uint8Array(0));
  const rsp = rocMessage([1, 0], [240, 3], 6, rocSystemConfig(6, 2));
  const r = run([toServer(4000, req), fromServer(4000, rsp)]);
  assert.equal(r.errors, 0);
  assert.ok(roles(r.obs).includes('roc-host@10.0.0.1'));
  assert.ok(roles(r.obs).includes('roc-device@10.0.0.2'));
  assert.deepEqual(identity(r.obs, 'device-type-id'), ['6']);
  assert.deepEqual(attribute(r.obs, 'roc.subtype'), ['2']);
  assert.deepEqual(identity(r.obs, 'instance'), ['240']);
  assert.deepEqual(attribute(r.obs, 'roc.group'), ['3']);
  // A wrong CRC is not ROC: port 4000 carries other protocols too.
  const bad = Uint8Array.from(rsp);
  bad[bad.length - 1]! ^= 0xff;
  assertNotClaimed(udpFromServer(4000, bad), 'roc');
  assertNotClaimed(toServer(4000, HTTP_GET), 'roc');
  assertSurvivesHostile(rsp, (b) => udpFromServer(4000, b));
});

test("device record: the ROC's type-of-ROC code names its product line; a code the manual does not list names none", () => {
  const device = (typeOfRoc: number) => {
    const a = createAnalyzer();
    const frames = [
      udpToServer(4000, rocMessage([1, 0], [240, 3], 6, new Uint8Array(0))),
      udpFromServer(4000, rocMessage([240, 3], [1, 0], 6, rocSystemConfig(typeOfRoc, 0))),
    ];
    frames.forEach((f, i) => a.frame(f, LINKTYPE_ETHERNET, 1_700_000_000_000 + i, f.length, 0));
    const d = a.snapshot({ evidence: false }).devices.find((x) => x.mac === '02:00:00:00:00:02');
    assert.ok(d !== undefined);
    return d;
  };
  const roc800 = device(6);
  assert.equal(roc800.model, 'ROC800 (ROC809/ROC827)');
  assert.equal(roc800.vendor, 'Emerson');
  assert.equal(roc800.type, 'rtu');
  assert.deepEqual(
    roc800.attributes?.model?.evidence.map((e) => e.rule),
    ['roc.roc800'],
  );
  assert.equal(device(4).model, 'FloBoss 503');
  assert.equal(device(11).model, 'DL8000');
  // 7 to 10 are not in the manual's table: still an Emerson RTU by its answer, but no model.
  const unknown = device(9);
  assert.equal(unknown.model, null);
  assert.equal(unknown.type, 'rtu');
});

const FINS_PLC = { mac: '02:00:00:00:00:09', ip: '10.0.0.9', port: 9600 };

test('device record: a FINS server only ever polled keeps its IP; HART-IP and C37.118 facts reach the identity section', () => {
  const a = createAnalyzer();
  const frames = [
    // Polled, never heard: 10.0.0.9 is only ever a destination.
    udpFrame(CLIENT, FINS_PLC, concat([0x80, 0, 2, 0, 9, 0, 0, 1, 0, 1], u16(0x0501))),
    udpFromServer(5094, hartip(1, 3, hartTokenResponse(ADDR, 20, hartCmd20('FT-101 inlet')))),
    udpFromServer(4712, c37Cfg2(900, [c37Pmu('SUB-A PMU1', 11, 1, 0, 0), c37Pmu('SUB-B PMU2', 12, 1, 0, 0)])),
  ];
  frames.forEach((f, i) => a.frame(f, LINKTYPE_ETHERNET, 1_700_000_000_000 + i, f.length, 0));
  const devices = a.snapshot({ evidence: false }).devices;
  const plc = devices.find((d) => d.mac === FINS_PLC.mac);
  assert.deepEqual(plc?.ips, ['10.0.0.9']);
  assert.ok(plc.roles.includes('fins-server'));
  const server = devices.find((d) => d.mac === '02:00:00:00:00:02');
  assert.ok(server !== undefined);
  assert.deepEqual(
    server.identity?.['hart-ip']?.map((f) => `${f.label}=${f.value}`),
    ['long tag=FT-101 inlet'],
  );
  assert.deepEqual(server.identity?.['c37118']?.map((f) => `${f.label}=${f.value}`).sort(), [
    'id code=900',
    'pmu id code=11',
    'pmu id code=12',
    'station name=SUB-A PMU1',
    'station name=SUB-B PMU2',
  ]);
});
