import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../../shared/model/observation';
import { MAX_MODULES } from '../../../shared/protocols/ot/pnio-cm';
import { concat, udpFrame, type Bytes } from '../../helpers/packets';
import { tsharkAvailable, tsharkFrames } from '../../helpers/tshark';
import { assertNotClaimed, assertSurvivesHostile, run } from './helpers';
import { arBlockReq, connectResBlocks, expectedSubmodule, pnioObject, pnioRpc } from './pnio-build';

/**
 * PROFINET IO CM Connect over UDP 34964: the device's vendor and device id from the RPC object UUID,
 * the controller's from the ARBlockReq, both station names, the expected modules per slot (capped);
 * one protocol name, hostile datagrams, and tshark's reading of the same frames.
 */

const PLC = { mac: '02:00:00:00:0a:01', ip: '192.168.0.1', port: 49153 };
const IOD = { mac: '02:00:00:00:0a:02', ip: '192.168.0.20', port: 34964 };
// Siemens (0x002a) controller, device id 0x0e04; a device of vendor 0x011e, device id 0x0a01.
const CONTROLLER = pnioObject(0x002a, 0x0e04, 100);
const DEVICE = pnioObject(0x011e, 0x0a01, 1);

const request = (): Bytes =>
  udpFrame(
    PLC,
    IOD,
    pnioRpc(
      0,
      DEVICE,
      concat(
        arBlockReq(CONTROLLER, 'plc-line-3'),
        expectedSubmodule(0, 0x00000032, [
          { subslot: 1, ident: 0x1, io: false },
          { subslot: 0x8000, ident: 0x2, io: false },
        ]),
        expectedSubmodule(1, 0x00000110, [{ subslot: 1, ident: 0x11, io: true }]),
        expectedSubmodule(2, 0x00000220, [{ subslot: 1, ident: 0x22, io: true }]),
      ),
    ),
  );
const response = (): Bytes => udpFrame(IOD, PLC, pnioRpc(2, DEVICE, connectResBlocks('io-station-7')));

function facts(obs: readonly Observation[]): string[] {
  return obs
    .filter((o) => o.protocol === 'pn_io')
    .map((o) => {
      const v = o.kind === 'identity' || o.kind === 'attribute' ? o.value : o.kind === 'role' ? o.role : '?';
      return `${o.frame} ${o.device.ip} ${o.field} ${v}`;
    })
    .sort();
}

test('Connect request and response: both ends named, modules per slot, one protocol name', () => {
  const r = run([request(), response()]);
  assert.equal(r.errors, 0);
  assert.deepEqual(facts(r.obs), [
    '1 192.168.0.1 Connect profinet-io-controller',
    '1 192.168.0.1 Connect.CMInitiatorObjectUUID.device 0x0e04',
    '1 192.168.0.1 Connect.CMInitiatorObjectUUID.instance 0.100',
    '1 192.168.0.1 Connect.CMInitiatorObjectUUID.vendor 0x002a',
    '1 192.168.0.1 Connect.CMInitiatorObjectUUID.vendor Siemens AG',
    '1 192.168.0.1 Connect.CMInitiatorStationName plc-line-3',
    '1 192.168.0.20 Connect.ExpectedSubmodule.ModuleIdentNumber slot 0: 0x00000032',
    '1 192.168.0.20 Connect.ExpectedSubmodule.ModuleIdentNumber slot 1: 0x00000110',
    '1 192.168.0.20 Connect.ExpectedSubmodule.ModuleIdentNumber slot 2: 0x00000220',
    '1 192.168.0.20 ObjectUUID.device 0x0a01',
    '1 192.168.0.20 ObjectUUID.instance 0.1',
    '1 192.168.0.20 ObjectUUID.vendor 0x011e',
    '2 192.168.0.20 Connect profinet-io-device',
    '2 192.168.0.20 Connect.CMResponderStationName io-station-7',
    '2 192.168.0.20 ObjectUUID.device 0x0a01',
    '2 192.168.0.20 ObjectUUID.instance 0.1',
    '2 192.168.0.20 ObjectUUID.vendor 0x011e',
  ]);
  assert.ok(r.protos.includes('profinet'));
  assert.ok(!r.protos.includes('pn_io'), 'a part is not a protocol of its own');
});

test('a big-endian data representation (RPC header and NDR counts) reads the same', () => {
  const blocks = concat(arBlockReq(CONTROLLER, 'plc-be'), expectedSubmodule(3, 0x330, []));
  const r = run([
    udpFrame(PLC, IOD, pnioRpc(0, DEVICE, blocks, 0, false)),
    udpFrame(IOD, PLC, pnioRpc(2, DEVICE, connectResBlocks('dev-be'), 0, false)),
  ]);
  assert.equal(r.errors, 0);
  const got = facts(r.obs);
  for (const f of [
    '1 192.168.0.1 Connect.CMInitiatorStationName plc-be',
    '1 192.168.0.20 Connect.ExpectedSubmodule.ModuleIdentNumber slot 3: 0x00000330',
    '1 192.168.0.20 ObjectUUID.vendor 0x011e',
    '2 192.168.0.20 Connect.CMResponderStationName dev-be',
    '2 192.168.0.20 ObjectUUID.device 0x0a01',
  ])
    assert.ok(got.includes(f), `${f} in ${JSON.stringify(got)}`);
});

test('a Read on an established AR names the device by its object UUID only', () => {
  const r = run([udpFrame(PLC, IOD, pnioRpc(0, DEVICE, new Uint8Array(64), 2))]);
  assert.deepEqual(facts(r.obs), [
    '1 192.168.0.20 ObjectUUID.device 0x0a01',
    '1 192.168.0.20 ObjectUUID.instance 0.1',
    '1 192.168.0.20 ObjectUUID.vendor 0x011e',
  ]);
});

test('modules stated per Connect are capped', () => {
  const slots = Array.from({ length: MAX_MODULES + 20 }, (_, i) =>
    expectedSubmodule(i, 0x1000 + i, [{ subslot: 1, ident: 1, io: true }]),
  );
  const r = run([udpFrame(PLC, IOD, pnioRpc(0, DEVICE, concat(arBlockReq(CONTROLLER, 'x'), ...slots)))]);
  assert.equal(r.errors, 0);
  const mods = r.obs.filter((o) => o.kind === 'attribute' && o.key === 'pn_io.module');
  assert.equal(mods.length, MAX_MODULES);
});

test('not PNIO: other RPC interfaces, version 5, DNS-like bytes on 34964 are not claimed', () => {
  const other = pnioRpc(0, DEVICE, new Uint8Array(20));
  other[24] ^= 0xff; // another interface UUID
  assertNotClaimed(udpFrame(PLC, IOD, other), 'profinet');
  const v5 = pnioRpc(0, DEVICE, new Uint8Array(20));
  v5[0] = 5;
  assertNotClaimed(udpFrame(PLC, IOD, v5), 'profinet');
  assertNotClaimed(udpFrame(PLC, IOD, new Uint8Array(120).fill(0x41)), 'profinet');
});

test('hostile: truncations, byte flips and random tails of Connect never throw', () => {
  const req = pnioRpc(
    0,
    DEVICE,
    concat(arBlockReq(CONTROLLER, 'plc'), expectedSubmodule(1, 5, [{ subslot: 1, ident: 1, io: true }])),
  );
  assertSurvivesHostile(req, (b) => udpFrame(PLC, IOD, b));
  assertSurvivesHostile(pnioRpc(2, DEVICE, connectResBlocks('dev')), (b) => udpFrame(IOD, PLC, b));
});

test('tshark agreement: PNIO CM Connect vendor and device ids, station names, module idents', (t) => {
  if (!tsharkAvailable()) return t.skip('tshark not installed');
  const frames = [request(), response()];
  const fields = [
    'dcerpc.obj_id',
    'pn_io.cminitiator_uuid',
    'pn_io.cminitiator_station_name',
    'pn_io.slot_nr',
    'pn_io.module_ident_number',
  ];
  const rows = tsharkFrames(frames, fields);
  const r = run(frames);
  const col = (frame: number, f: string) => rows.get(frame)?.[fields.indexOf(f)] ?? [];
  const ours = (frame: number, field: string) =>
    r.obs.flatMap((o) =>
      o.frame === frame && o.field === field && (o.kind === 'identity' || o.kind === 'attribute')
        ? [o.value]
        : [],
    );
  // The object UUID's last 12 hex digits: instance, device id, vendor id.
  const ids = (u: string) => {
    const m = /^dea00000-6c97-11d1-8271-([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})$/.exec(u);
    assert.ok(m, `not a PNIO object UUID: ${u}`);
    return { device: '0x' + m[2]!, vendor: '0x' + m[3]! };
  };
  for (const frame of [1, 2]) {
    const obj = col(frame, 'dcerpc.obj_id');
    assert.equal(obj.length, 1, `tshark: object UUID in frame ${frame}`);
    const id = ids(obj[0]!);
    assert.deepEqual(ours(frame, 'ObjectUUID.device'), [id.device]);
    assert.deepEqual(
      ours(frame, 'ObjectUUID.vendor').filter((v) => v.startsWith('0x')),
      [id.vendor],
    );
  }
  const init = ids(col(1, 'pn_io.cminitiator_uuid')[0] ?? '');
  assert.deepEqual(ours(1, 'Connect.CMInitiatorObjectUUID.device'), [init.device]);
  assert.deepEqual(
    ours(1, 'Connect.CMInitiatorObjectUUID.vendor').filter((v) => v.startsWith('0x')),
    [init.vendor],
  );
  assert.deepEqual(ours(1, 'Connect.CMInitiatorStationName'), col(1, 'pn_io.cminitiator_station_name'));
  // tshark shows the ARServerBlock's CMResponderStationName under the same field.
  assert.deepEqual(ours(2, 'Connect.CMResponderStationName'), col(2, 'pn_io.cminitiator_station_name'));
  // Module ident numbers per slot, as "slot N: 0x........" (tshark lists each slot's submodules too).
  const slots = col(1, 'pn_io.slot_nr');
  const idents = col(1, 'pn_io.module_ident_number');
  assert.ok(idents.length > 0, 'tshark decoded no module ident');
  const theirs = idents.map(
    (m, i) => `slot ${Number(slots[i])}: 0x${Number(m).toString(16).padStart(8, '0')}`,
  );
  assert.deepEqual(
    ours(1, 'Connect.ExpectedSubmodule.ModuleIdentNumber').sort(),
    [...new Set(theirs)].sort(),
  );
  t.diagnostic(
    `tshark: ${JSON.stringify(Object.fromEntries(fields.map((f) => [f, [col(1, f), col(2, f)]])))}`,
  );
});
