import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, u16, type Bytes } from '../../helpers/packets';
import {
  HTTP_GET,
  TLS_HELLO,
  assertNotClaimed,
  assertSurvivesHostile,
  attribute,
  events,
  fromServer,
  identity,
  roles,
  run,
  toServer,
} from './helpers';
import { agreement, corpusFiles, hasTshark, runCapture, tshark } from './corpus';

const PORT = 502;

function adu(unit: number, pdu: number[] | Bytes, tid = 1, lenOverride?: number): Bytes {
  const body = pdu instanceof Uint8Array ? pdu : Uint8Array.from(pdu);
  return concat(u16(tid), u16(0), u16(lenOverride ?? body.length + 1), [unit], body);
}

function devIdReply(objects: [number, string][]): Bytes {
  const objs = objects.flatMap(([id, v]) => [id, v.length, ...ascii(v)]);
  return Uint8Array.from([0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, objects.length, ...objs]);
}

test('43/14 Read Device Identification reply: vendor, product code, revision, URL, names', () => {
  const req = adu(1, [0x2b, 0x0e, 0x01, 0x00]);
  const rep = adu(
    1,
    devIdReply([
      [0, 'Schneider Electric'],
      [1, 'BMX P34 2020'],
      [2, 'v2.70'],
      [3, 'http://www.se.com'],
      [4, 'Modicon M340'],
      [5, 'P34 CPU'],
      [6, 'Pump station 4'],
    ]),
  );
  const r = run([toServer(PORT, req), fromServer(PORT, rep)]);
  assert.deepEqual(identity(r.obs, 'vendor'), ['Schneider Electric']);
  assert.deepEqual(identity(r.obs, 'product-code'), ['BMX P34 2020']);
  assert.deepEqual(identity(r.obs, 'firmware'), ['v2.70']);
  assert.deepEqual(attribute(r.obs, 'modbus.vendor-url'), ['http://www.se.com']);
  assert.deepEqual(identity(r.obs, 'product'), ['Modicon M340']);
  assert.deepEqual(identity(r.obs, 'model'), ['P34 CPU']);
  assert.deepEqual(identity(r.obs, 'software'), ['Pump station 4']);
  assert.ok(r.obs.filter((o) => o.kind === 'identity').every((o) => o.device.ip === '10.0.0.2'));
  assert.ok(roles(r.obs).includes('modbus-client@10.0.0.1'));
  assert.ok(roles(r.obs).includes('modbus-server@10.0.0.2'));
  assert.deepEqual(attribute(r.obs, 'modbus.unit-id'), ['1']);
});

test('writes are counted sparsely, exceptions and UMAS programming are events', () => {
  const frames: Bytes[] = [];
  for (let i = 0; i < 12; i++) frames.push(toServer(PORT, adu(3, [0x06, 0x00, i, 0x00, 0x01], i)));
  frames.push(fromServer(PORT, adu(3, [0x83, 0x02])));
  frames.push(toServer(PORT, adu(0, [0x5a, 0x00, 0x41])));
  const r = run(frames);
  const writes = r.obs.filter((o) => o.kind === 'event' && o.event === 'modbus-write');
  // 12 writes: reported at 1 and 10, not twelve times.
  assert.equal(writes.length, 2);
  assert.ok(writes[1]!.kind === 'event' && writes[1]!.facts.count === 10);
  const ev = events(r.obs);
  assert.ok(ev.includes('modbus-exception'));
  assert.ok(ev.includes('programming'));
  assert.ok(ev.includes('plc-stop'));
});

test('two ADUs in one segment are both decoded', () => {
  const two = concat(adu(1, [0x2b, 0x0e, 0x01, 0x00], 1), adu(9, [0x03, 0x00, 0x00, 0x00, 0x01], 2));
  const r = run([
    toServer(PORT, two),
    fromServer(PORT, concat(adu(1, devIdReply([[0, 'V']]), 1), adu(9, [0x03, 0x02, 0x00, 0x07], 2))),
  ]);
  assert.deepEqual(identity(r.obs, 'vendor'), ['V']);
  assert.deepEqual(attribute(r.obs, 'modbus.unit-id').sort(), ['1', '9']);
});

test('non-Modbus payloads on port 502 are not Modbus', () => {
  assertNotClaimed(toServer(PORT, HTTP_GET), 'modbus');
  assertNotClaimed(toServer(PORT, TLS_HELLO), 'modbus');
  // Protocol id other than 0, and a length that does not match the segment.
  const badPid = adu(1, [0x03, 0, 0, 0, 1]);
  badPid[3] = 1;
  assertNotClaimed(toServer(PORT, badPid), 'modbus');
  assertNotClaimed(toServer(PORT, adu(1, [0x03, 0, 0, 0, 1], 1, 40)), 'modbus');
});

test('hostile Modbus never throws', () => {
  const rep = adu(
    1,
    devIdReply([
      [0, 'Vendor'],
      [4, 'Product'],
      [2, '1.0'],
    ]),
  );
  assertSurvivesHostile(rep, (b) => fromServer(PORT, b));
  const lying = Uint8Array.from(rep);
  lying[6 + 1 + 6] = 200; // object count far beyond the PDU
  assertSurvivesHostile(lying, (b) => fromServer(PORT, b));
});

const CORPUS = corpusFiles(['modbus', 'fuzz-modbus']);

test('corpus: modbus.object_str_value agrees with tshark; ground-truth roles and unit ids', async (t) => {
  if (CORPUS.length === 0 || !hasTshark()) return t.skip('corpus or tshark absent');
  let both = 0;
  let agree = 0;
  for (const file of CORPUS) {
    const r = await runCapture(file);
    assert.equal(r.dissectorErrors, 0, file);
    const ts = tshark(file, 'modbus.object_str_value', ['modbus.object_str_value']);
    const a = agreement(ts, 0, 'modbus.object_str_value', r.obs, (o) =>
      o.protocol === 'modbus' && o.field.startsWith('ReadDeviceId.')
        ? o.kind === 'identity'
          ? o.value
          : o.kind === 'attribute'
            ? o.value
            : null
        : null,
    );
    assert.deepEqual(a.disagreements, [], file);
    assert.deepEqual(a.tsharkOnly, [], file);
    both += a.both;
    agree += a.agree;
  }
  t.diagnostic(`modbus.object_str_value: ${agree}/${both} frames agree`);
  assert.ok(both > 0);

  const ex = await runCapture('modbus-fc43__icsnpp-modbus__modbus_example.pcap');
  assert.deepEqual(identity(ex.obs, 'vendor'), ['Zeek Modbus Test']);
  assert.deepEqual(identity(ex.obs, 'firmware'), ['1.2.3.6']);
  const units = new Set(
    attribute(
      ex.obs.filter((o) => o.device.ip === '127.0.0.1'),
      'modbus.unit-id',
    ),
  );
  for (const u of ['4', '5', '6', '7']) assert.ok(units.has(u), 'unit ' + u);

  const big = await runCapture('modbus__iti-ics__modbus_test.pcap');
  const server = big.obs.filter((o) => o.device.mac === '00:90:e8:4c:83:db');
  assert.ok(roles(server).some((r) => r.startsWith('modbus-server@')));
  const bigUnits = new Set(attribute(server, 'modbus.unit-id'));
  for (const u of ['1', '2', '3', '7']) assert.ok(bigUnits.has(u), 'unit ' + u);
  for (const mac of ['20:47:47:87:d4:96', 'b0:83:fe:89:1a:cd', 'b8:ae:ed:b0:c1:a5']) {
    assert.ok(
      big.obs.some((o) => o.kind === 'role' && o.role === 'modbus-client' && o.device.mac === mac),
      mac,
    );
  }
  // Observations stay sparse: far fewer than packets.
  assert.ok(big.obs.length < big.frames / 4, `${big.obs.length} observations for ${big.frames} frames`);
});
