import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, u16, u16le, u32, type Bytes } from '../../helpers/packets';
import {
  HTTP_GET,
  assertNotClaimed,
  assertSurvivesHostile,
  attribute,
  events,
  identity,
  l2,
  roles,
  run,
  toServer,
  udpFromServer,
  udpToServer,
} from './helpers';
import { corpusFiles, runCapture } from './corpus';

function knxSearchResponse(name: string): Bytes {
  const hpai = [8, 1, 10, 0, 0, 2, 0x0e, 0x57];
  const nameBytes = new Uint8Array(30);
  nameBytes.set(ascii(name));
  const dib = concat(
    [54, 1, 0x02, 0x01],
    u16(0x1105),
    u16(0),
    [0x00, 0xfa, 0x12, 0x34, 0x56, 0x78],
    [224, 0, 23, 12],
    [2, 0, 0, 0, 0, 2],
    nameBytes,
  );
  const body = concat(hpai, dib);
  return concat([6, 0x10], u16(0x0202), u16(6 + body.length), body);
}

test('KNXnet/IP search response: friendly name, serial, individual address', () => {
  const r = run([udpFromServer(3671, knxSearchResponse('MDT IP Interface'))]);
  assert.deepEqual(identity(r.obs, 'product'), ['MDT IP Interface']);
  assert.deepEqual(identity(r.obs, 'serial'), ['00fa12345678']);
  assert.deepEqual(attribute(r.obs, 'knx.individual-address'), ['1.1.5']);
  assertNotClaimed(udpToServer(3671, HTTP_GET), 'knxip');
  assertSurvivesHostile(knxSearchResponse('x'), (b) => udpFromServer(3671, b));
});

test('HART-IP, FINS, MELSEC: roles by direction; FINS stop is an event', () => {
  const hart = concat([1, 0, 0, 0], u16(2), u16(13), [1, 0, 0, 0x75, 0x30]);
  const finsStop = concat([0x80, 0, 2, 0, 1, 0, 0, 0x0a, 0, 7], u16(0x0402), [0xff, 0xff]);
  const melsec = concat(
    u16(0x5000),
    [0, 0xff],
    u16le(0x03ff),
    [0],
    u16le(12),
    u16le(16),
    u16le(0x0401),
    u16le(0),
    [0, 0, 0, 0xa8, 1, 0],
  );
  const r = run([udpToServer(5094, hart), udpToServer(9600, finsStop), toServer(5007, melsec)]);
  for (const x of [
    'hart-ip-client@10.0.0.1',
    'hart-ip-server@10.0.0.2',
    'fins-client@10.0.0.1',
    'fins-server@10.0.0.2',
    'melsec-client@10.0.0.1',
    'melsec-plc@10.0.0.2',
  ]) {
    assert.ok(roles(r.obs).includes(x), x);
  }
  assert.deepEqual(events(r.obs), ['plc-stop']);
  for (const port of [5094, 9600, 5007]) assertNotClaimed(toServer(port, HTTP_GET), 'hart-ip');
  assertNotClaimed(toServer(9600, HTTP_GET), 'fins');
  assertNotClaimed(toServer(5007, HTTP_GET), 'melsec');
  assertSurvivesHostile(finsStop, (b) => udpToServer(9600, b));
  assertSurvivesHostile(hart, (b) => toServer(5094, b));
});

test('C37.118 configuration frame names the station; EtherCAT master by its MAC', () => {
  const stn = new Uint8Array(16).fill(0x20);
  stn.set(ascii('SUB-7 PMU'));
  const cfg = concat(
    [0xaa, 0x31],
    u16(40),
    u16(7),
    u32(0),
    u32(0),
    u32(1000000),
    u16(1),
    stn,
    u16(7),
    u16(0),
  );
  const r = run([
    udpFromServer(4712, cfg),
    l2(0x88a4, concat(u16le(0x1000 | 14), new Uint8Array(14)), 'ff:ff:ff:ff:ff:ff', '00:01:05:00:00:01'),
  ]);
  assert.deepEqual(identity(r.obs, 'station-name'), ['SUB-7 PMU']);
  assert.ok(roles(r.obs).includes('synchrophasor-pmu@10.0.0.2'));
  assert.ok(roles(r.obs).includes('ethercat-master@00:01:05:00:00:01'));
  assertNotClaimed(udpToServer(4713, HTTP_GET), 'c37118');
  assertSurvivesHostile(cfg, (b) => udpFromServer(4712, b));
});

const CORPUS = corpusFiles(['ics-knxip', 'ics-hart-ip', 'ics-fins', 'ics-c37118']);

test('corpus: roles from ground truth captures, no dissector errors', async (t) => {
  if (CORPUS.length === 0) return t.skip('corpus absent');
  for (const f of CORPUS) assert.equal((await runCapture(f)).dissectorErrors, 0, f);
  const c37 = await runCapture('ics-c37118__iti-ics__C37.118_1PMU_UDP.pcap');
  assert.ok(roles(c37.obs).includes('synchrophasor-pmu@192.168.0.60'));
  assert.ok(roles(c37.obs).includes('synchrophasor-pdc@192.168.0.10'));
  assert.deepEqual(identity(c37.obs, 'station-name'), ['PMU1']);
  const fins = await runCapture('ics-fins__ndpi__fins.pcap');
  assert.ok(identity(fins.obs, 'model').includes('CP1L-EL20DR-D'));
  const hart = await runCapture('ics-hart-ip__ndpi__hart_ip.pcap');
  assert.ok(roles(hart.obs).includes('hart-ip-server@192.168.0.10'));
});
