import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, ethernet, mac, u16, u32 } from '../../helpers/packets';
import { decodeFrames, decodeOne, hostileVariants, ofKind } from './run';

const SWITCH = '00:1b:54:aa:bb:01';

function tlv(type: number, value: number[] | Uint8Array): number[] {
  const v = [...value];
  return [(type << 1) | (v.length >> 8), v.length & 0xff, ...v];
}

const lldpPdu = concat(
  tlv(1, [4, ...mac('00:1b:54:aa:bb:00')]),
  tlv(2, [5, ...ascii('Gi1/0/7')]),
  tlv(3, u16(120)),
  tlv(4, ascii('uplink to floor 2')),
  tlv(5, ascii('sw-floor2')),
  tlv(6, ascii('Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E2')),
  tlv(7, [...u16(0x0014), ...u16(0x0004)]),
  tlv(8, [5, 1, 10, 0, 0, 2, 2, ...u32(7), 0]),
  tlv(127, [0x00, 0x80, 0xc2, 1, ...u16(20)]),
  tlv(127, [0x00, 0x12, 0xbb, 5, ...ascii('HW 1.0')]),
  tlv(127, [0x00, 0x12, 0xbb, 8, ...ascii('FOC1234X0AB')]),
  tlv(127, [0x00, 0x12, 0xbb, 10, ...ascii('WS-C2960X-24PS-L')]),
  tlv(127, [0x00, 0x00, 0x5e, 1, ...ascii('https://example.com/mud/sw.json')]),
  tlv(0, []),
);

test('LLDP: chassis, port, system name/description, capabilities, management address, VLAN, MED, MUD', () => {
  const obs = decodeOne(ethernet('01:80:c2:00:00:0e', SWITCH, 0x88cc, lldpPdu));
  assert.ok(obs.length > 0);
  const n = ofKind(obs, 'neighbor');
  assert.deepEqual(
    n.map((o) => [o.chassisId, o.portId, o.portDescription, o.vlan]),
    [['00:1b:54:aa:bb:00', 'Gi1/0/7', 'uplink to floor 2', 20]],
  );
  assert.deepEqual(
    ofKind(obs, 'hostname').map((o) => o.name),
    ['sw-floor2'],
  );
  const ids = new Map(ofKind(obs, 'identity').map((o) => [o.attr, o.value]));
  assert.match(ids.get('description')!, /^Cisco IOS Software, C2960X/);
  assert.equal(ids.get('hardware'), 'HW 1.0');
  assert.equal(ids.get('serial'), 'FOC1234X0AB');
  assert.equal(ids.get('model'), 'WS-C2960X-24PS-L');
  assert.equal(ids.get('mud-url'), 'https://example.com/mud/sw.json');
  const attrs = new Map(ofKind(obs, 'attribute').map((o) => [o.key, o.value]));
  assert.equal(attrs.get('capabilities.available'), 'bridge,router');
  assert.equal(attrs.get('capabilities.enabled'), 'bridge');
  // The raw bits beside the names: rules match the code, not our wording.
  assert.deepEqual(
    ofKind(obs, 'attribute')
      .filter((o) => o.key === 'capabilities.enabled-bit')
      .map((o) => o.value),
    ['0x0004'],
  );
  assert.deepEqual(
    ofKind(obs, 'address').map((o) => [o.device.mac, o.ip]),
    [[SWITCH, '10.0.0.2']],
  );
});

test('LLDP: a frame whose first TLV is not a chassis id is not LLDP', () => {
  const r = decodeFrames([
    ethernet('01:80:c2:00:00:0e', SWITCH, 0x88cc, Uint8Array.from(tlv(5, ascii('x')))),
  ]);
  assert.equal(r.obs.length, 0);
});

function cdpTlv(type: number, v: number[] | Uint8Array): number[] {
  return [...u16(type), ...u16(4 + v.length), ...v];
}

function snapFrame(dst: string, src: string, payload: Uint8Array): Uint8Array {
  const llc = concat([0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00], payload);
  return concat(mac(dst), mac(src), u16(llc.length), llc);
}

test('CDP: device id, addresses, port, capabilities, software, platform, native VLAN, VTP domain', () => {
  const pdu = concat(
    [2, 180, 0, 0],
    cdpTlv(1, ascii('core-sw1.example.com')),
    cdpTlv(2, [...u32(1), 1, 1, 0xcc, ...u16(4), 10, 1, 1, 1]),
    cdpTlv(3, ascii('GigabitEthernet1/0/1')),
    cdpTlv(4, u32(0x28)),
    cdpTlv(5, ascii('Cisco IOS Software, Version 15.0(2)SE')),
    cdpTlv(6, ascii('cisco WS-C3750X-48P')),
    cdpTlv(9, ascii('CORP')),
    cdpTlv(10, u16(5)),
  );
  const obs = decodeOne(snapFrame('01:00:0c:cc:cc:cc', SWITCH, pdu));
  assert.deepEqual(
    ofKind(obs, 'hostname').map((o) => o.name),
    ['core-sw1.example.com'],
  );
  const ids = new Map(ofKind(obs, 'identity').map((o) => [o.attr, o.value]));
  assert.equal(ids.get('model'), 'cisco WS-C3750X-48P');
  assert.equal(ids.get('software'), 'Cisco IOS Software, Version 15.0(2)SE');
  assert.equal(ids.get('domain'), 'CORP');
  assert.deepEqual(
    ofKind(obs, 'address').map((o) => o.ip),
    ['10.1.1.1'],
  );
  const attrs = new Map(ofKind(obs, 'attribute').map((o) => [o.key, o.value]));
  assert.equal(attrs.get('capabilities'), 'switch,igmp');
  assert.deepEqual(
    ofKind(obs, 'attribute')
      .filter((o) => o.key === 'capability-bit')
      .map((o) => o.value),
    ['0x00000008', '0x00000020'],
  );
  assert.equal(attrs.get('native-vlan'), '5');
  assert.deepEqual(
    ofKind(obs, 'neighbor').map((o) => [o.chassisId, o.portId, o.vlan]),
    [['core-sw1.example.com', 'GigabitEthernet1/0/1', 5]],
  );
});

test('STP: bridge id, root bridge role', () => {
  const bpdu = concat(
    u16(0),
    [2, 2, 0x3c],
    u16(0x8000),
    mac('00:00:0c:11:11:11'),
    u32(4),
    u16(0x8001),
    mac('00:1b:54:aa:bb:00'),
    u16(0x8007),
    u16(1),
    u16(20),
    u16(2),
    u16(15),
    [0],
  );
  const llc = concat([0x42, 0x42, 0x03], bpdu);
  const frame = concat(mac('01:80:c2:00:00:00'), mac(SWITCH), u16(llc.length), llc);
  const obs = decodeOne(frame);
  const attrs = new Map(ofKind(obs, 'attribute').map((o) => [o.key, o.value]));
  assert.equal(attrs.get('stp-bridge-id'), '32769/00:1b:54:aa:bb:00');
  assert.equal(attrs.get('stp-root-id'), '32768/00:00:0c:11:11:11');
  assert.equal(attrs.get('stp-protocol'), 'rstp');
  const root = ofKind(obs, 'role').find((o) => o.role === 'stp-root-bridge');
  assert.equal(root?.device.mac, '00:00:0c:11:11:11');
});

test('LLDP / CDP: lying TLV lengths, truncation and corruption never throw', () => {
  const lying = concat(tlv(1, [4, ...mac(SWITCH)]), [0x0a, 0xff, 0x41]);
  const frames = [
    ethernet('01:80:c2:00:00:0e', SWITCH, 0x88cc, lying),
    ...hostileVariants(ethernet('01:80:c2:00:00:0e', SWITCH, 0x88cc, lldpPdu), 14),
  ];
  const cdp = concat([2, 180, 0, 0], cdpTlv(2, [...u32(0xffffffff), 1, 200, 0xcc]), [0, 1, 0, 2]);
  frames.push(snapFrame('01:00:0c:cc:cc:cc', SWITCH, cdp));
  const r = decodeFrames(frames);
  assert.equal(r.errors, 0);
});
