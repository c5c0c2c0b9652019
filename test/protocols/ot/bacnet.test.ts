import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, u16, u32, type Bytes } from '../../helpers/packets';
import {
  HTTP_GET,
  assertNotClaimed,
  assertSurvivesHostile,
  attribute,
  events,
  identity,
  roles,
  run,
  udpFromServer,
  udpToServer,
} from './helpers';
import { corpusFiles, hasTshark, runCapture, tshark } from './corpus';

const PORT = 47808;

function bvlc(fn: number, npduApdu: Bytes, extra: number[] = []): Bytes {
  return concat([0x81, fn], u16(4 + extra.length + npduApdu.length), extra, npduApdu);
}
const NPDU = [0x01, 0x00];
const deviceOid = (instance: number) => u32((8 << 22) | instance);

function iAm(instance: number, vendor: number): Bytes {
  return concat(
    NPDU,
    [0x10, 0x00, 0xc4],
    deviceOid(instance),
    [0x22],
    u16(1476),
    [0x91, 0x03],
    [0x21, vendor],
  );
}

function charString(s: string): Bytes {
  const b = ascii(s);
  return concat([0x75, b.length + 1, 0x00], b);
}

/** ReadProperty-ACK for the device object: [0] oid, [1] property, [3] { value }. */
function rpAck(instance: number, prop: number, value: Bytes): Bytes {
  return concat(NPDU, [0x30, 0x01, 0x0c], [0x0c], deviceOid(instance), [0x19, prop], [0x3e], value, [0x3f]);
}

test('I-Am gives instance, vendor id, max APDU and segmentation; Who-Is gives a role', () => {
  const r = run([
    udpToServer(PORT, bvlc(0x0b, concat(NPDU, [0x10, 0x08]))),
    udpFromServer(PORT, bvlc(0x0b, iAm(4242, 5))),
  ]);
  assert.deepEqual(identity(r.obs, 'instance'), ['4242']);
  assert.deepEqual(identity(r.obs, 'vendor-id'), ['5']);
  assert.deepEqual(attribute(r.obs, 'bacnet.max-apdu'), ['1476']);
  assert.deepEqual(attribute(r.obs, 'bacnet.segmentation'), ['none']);
  assert.ok(roles(r.obs).includes('bacnet-who-is-sender@10.0.0.1'));
  assert.ok(roles(r.obs).includes('bacnet-device@10.0.0.2'));
});

test('ReadProperty-ACK and ReadPropertyMultiple-ACK carry the device object identity', () => {
  const rpm = concat(
    NPDU,
    [0x30, 0x02, 0x0e],
    [0x0c],
    deviceOid(77),
    [0x1e],
    [0x29, 70, 0x4e],
    charString('MS-NAE4510-2'),
    [0x4f],
    [0x29, 44, 0x4e],
    charString('5.1.0.4400'),
    [0x4f],
    [0x29, 28, 0x5e, 0x91, 0x01, 0x91, 0x20, 0x5f], // description: an error, skipped
    [0x29, 120, 0x4e, 0x21, 5, 0x4f],
    [0x1f],
  );
  const r = run([
    udpFromServer(PORT, bvlc(0x0a, rpAck(77, 121, charString('Johnson Controls')))),
    udpFromServer(PORT, bvlc(0x0a, rpAck(77, 58, charString('bay 12')))),
    udpFromServer(PORT, bvlc(0x0a, rpm)),
  ]);
  // The vendor-name property first; a registry name for vendor id 5 may follow it.
  assert.equal(identity(r.obs, 'vendor')[0], 'Johnson Controls');
  assert.deepEqual(identity(r.obs, 'location'), ['bay 12']);
  assert.deepEqual(identity(r.obs, 'model'), ['MS-NAE4510-2']);
  assert.deepEqual(identity(r.obs, 'firmware'), ['5.1.0.4400']);
  assert.deepEqual(identity(r.obs, 'vendor-id'), ['5']);
  assert.deepEqual(identity(r.obs, 'description'), []);
});

test('properties of non-device objects are not device identity', () => {
  const ai = concat(
    NPDU,
    [0x30, 0x01, 0x0c, 0x0c],
    u32((0 << 22) | 3),
    [0x19, 77, 0x3e],
    charString('Zone temp'),
    [0x3f],
  );
  const r = run([udpFromServer(PORT, bvlc(0x0a, ai))]);
  assert.deepEqual(identity(r.obs, 'station-name'), []);
});

test('a forwarded I-Am is attributed to its original sender', () => {
  const r = run([udpFromServer(PORT, bvlc(0x04, iAm(9, 8), [192, 168, 7, 9, 0xba, 0xc0]))]);
  const inst = r.obs.find((o) => o.kind === 'identity' && o.attr === 'instance');
  assert.equal(inst?.device.ip, '192.168.7.9');
  assert.equal(inst?.device.mac, null);
});

test('ReinitializeDevice and DeviceCommunicationControl are events', () => {
  const reinit = concat(NPDU, [0x00, 0x05, 0x01, 20, 0x09, 0x01]);
  const dcc = concat(NPDU, [0x00, 0x05, 0x02, 17, 0x19, 0x01]);
  const r = run([udpToServer(PORT, bvlc(0x0a, reinit)), udpToServer(PORT, bvlc(0x0a, dcc))]);
  assert.deepEqual(events(r.obs), ['device-restart', 'communication-control']);
});

test('every BVLC function: NPDUs read, management claimed and silent, unknown ones not BACnet', () => {
  for (let fn = 0; fn <= 0xff; fn++) {
    const extra = fn === 0x04 ? [192, 168, 7, 9, 0xba, 0xc0] : [];
    const r = run([udpFromServer(PORT, bvlc(fn, iAm(9, 8), extra))]);
    const ids = identity(r.obs, 'instance');
    if (fn === 0x09 || fn === 0x0a || fn === 0x0b || fn === 0x04) {
      assert.deepEqual(ids, ['9'], `function ${fn}`);
      assert.equal(r.protos.includes('bacnet'), true, `function ${fn}`);
    } else if (fn <= 0x0c) {
      assert.equal(r.protos.includes('bacnet'), true, `management function ${fn} is BACnet`);
      assert.equal(r.obs.filter((o) => o.protocol === 'bacnet').length, 0, `function ${fn}`);
    } else assert.equal(r.protos.includes('bacnet'), false, `function ${fn} is not BACnet`);
  }
});

test('non-BACnet payloads on 47808 are not BACnet', () => {
  assertNotClaimed(udpToServer(PORT, HTTP_GET), 'bacnet');
  // Right type byte, wrong BVLC length.
  assertNotClaimed(udpToServer(PORT, concat([0x81, 0x0a], u16(99), iAm(1, 1))), 'bacnet');
});

test('hostile BACnet never throws', () => {
  assertSurvivesHostile(bvlc(0x0a, rpAck(1, 121, charString('Vendor'))), (b) => udpFromServer(PORT, b));
  assertSurvivesHostile(bvlc(0x0b, iAm(1, 1)), (b) => udpFromServer(PORT, b));
  const deep = bvlc(0x0a, concat(NPDU, [0x30, 0x02, 0x0e, 0x0c], deviceOid(1), Array(200).fill(0x1e)));
  assertSurvivesHostile(deep, (b) => udpFromServer(PORT, b));
});

const CORPUS = corpusFiles(['bacnet', 'vlan-qinq-bacnet']);

test('corpus: I-Am instance and vendor agree with tshark; ReadProperty facts from ground truth', async (t) => {
  if (CORPUS.length === 0 || !hasTshark()) return t.skip('corpus or tshark absent');
  let frames = 0;
  for (const file of CORPUS) {
    const r = await runCapture(file);
    assert.equal(r.dissectorErrors, 0, file);
    const ts = tshark(file, 'bacapp.unconfirmed_service == 0', [
      'ip.src',
      'bacapp.instance_number',
      'bacapp.vendor_identifier',
    ]);
    // I-Am is stated once per flow and value: compare per sender, every tshark value must be ours.
    const ours = new Map<string, Set<string>>();
    for (const o of r.obs) {
      if (o.kind !== 'identity' || !o.field.startsWith('I-Am')) continue;
      const k = o.device.ip + '|' + o.attr;
      if (!ours.has(k)) ours.set(k, new Set());
      ours.get(k)!.add(o.value);
    }
    for (const [frame, [src, inst, vendor]] of ts) {
      frames++;
      for (const v of inst ?? [])
        assert.ok(ours.get(src![0] + '|instance')?.has(v), `${file} frame ${frame}: instance ${v}`);
      for (const v of vendor ?? [])
        assert.ok(ours.get(src![0] + '|vendor-id')?.has(v), `${file} frame ${frame}: vendor ${v}`);
    }
    // And nothing of ours that tshark does not show.
    const tsValues = new Set(
      [...ts.values()].flatMap(([src, inst]) => (inst ?? []).map((v) => src![0] + '|' + v)),
    );
    for (const o of r.obs) {
      if (o.kind === 'identity' && o.attr === 'instance')
        assert.ok(tsValues.has(o.device.ip + '|' + o.value), `${file}: extra ${o.value}`);
    }
  }
  t.diagnostic(
    `bacapp.instance_number / bacapp.vendor_identifier: ${frames} I-Am frames, all values matched`,
  );
  assert.ok(frames > 0);

  const ex = await runCapture('bacnet__icsnpp-bacnet__bacnet_example.pcap');
  const d = ex.obs.filter((o) => o.device.ip === '172.20.32.114');
  assert.ok(identity(d, 'model').includes('ZAC-176'));
  assert.ok(identity(d, 'firmware').includes('2.6.4'));
  assert.ok(identity(d, 'software').includes('0.5.8'));
  assert.ok(identity(d, 'location').includes('bay_1756'));
  assert.ok(identity(d, 'instance').includes('394'));
  assert.ok(roles(ex.obs).includes('bacnet-who-is-sender@172.20.32.200'));

  const jci = await runCapture('bacnet__iti-ics__bacnet_test.pcap');
  assert.ok(identity(jci.obs, 'model').includes('MS-NAE4510-2'));
});
