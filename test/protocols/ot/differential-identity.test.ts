import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Observation } from '../../../shared/model/observation';
import {
  c37Cfg2,
  c37Pmu,
  finsControllerData,
  hartCmd0,
  hartCmd20,
  hartTokenResponse,
  enipListIdentityReply,
  hartip,
  mbapAdu,
  modbusDeviceIdReply,
} from '../../helpers/ot-frames';
import { BRIDGE, GARBAGE, ekeyPlant } from '../../helpers/enip-connections';
import { tcpFrame, udpFrame, type Bytes } from '../../helpers/packets';
import { writePcap } from '../../helpers/pcap-writer';
import { tshark, tsharkAvailable, tsharkFields } from '../../helpers/tshark';
import { run } from './helpers';

/**
 * tshark agreement on the OT identity fields read from crafted frames: HART-IP command 0 / 20
 * answers (token-passing form: tshark 4.0 has no direct PDU), C37.118 CFG-2 listing several PMUs,
 * FINS Controller Data Read; and Modbus and EtherNet/IP identity replies split across TCP segments,
 * which both reassemble. tshark and our decoder read the same bytes from one pcap.
 */

const PLC = { mac: '02:00:00:00:00:02', ip: '10.0.0.2', port: 0 };
const HOST = { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 50000 };
const from = (port: number, payload: Bytes) => udpFrame({ ...PLC, port }, HOST, payload);

const ADDR = [0x26, 0x4e, 0x00, 0x00, 0xd2];
const FRAMES = [
  from(
    5094,
    hartip(
      1,
      3,
      hartTokenResponse(ADDR, 0, hartCmd0({ type: 0x264e, maker: 38, id: [1, 2, 3], sw: 9, hw: 2 })),
    ),
  ),
  from(5094, hartip(1, 3, hartTokenResponse(ADDR, 20, hartCmd20('FT-101 inlet')))),
  from(
    4713,
    c37Cfg2(900, [
      c37Pmu('SUB-A PMU1', 11, 3, 1, 1),
      c37Pmu('SUB-B PMU2', 12, 2, 0, 0),
      c37Pmu('SUB-C', 13, 0, 0, 2),
    ]),
  ),
  from(9600, finsControllerData('CJ2M-CPU33', '02.01')),
];

const id = (proto: string, attr: string) => (o: Observation) =>
  o.protocol === proto && o.kind === 'identity' && o.attr === attr ? o.value : null;
const attr = (proto: string, key: string) => (o: Observation) =>
  o.protocol === proto && o.kind === 'attribute' && o.key === key ? o.value : null;

interface Check {
  frame: number;
  field: string;
  ours: (o: Observation) => string | null;
  theirs?: (v: string[]) => string[];
}

const CHECKS: Check[] = [
  { frame: 1, field: 'hart_ip.pt.rsp.manufacturer_Id', ours: id('hart-ip', 'vendor-id') },
  { frame: 1, field: 'hart_ip.pt.rsp.expanded_device_type', ours: id('hart-ip', 'device-type-id') },
  {
    frame: 1,
    field: 'hart_ip.pt.rsp.device_id',
    ours: id('hart-ip', 'serial'),
    theirs: (v) => v.map((x) => x.replace(/:/g, '')),
  },
  { frame: 1, field: 'hart_ip.pt.rsp.software_rev', ours: id('hart-ip', 'firmware') },
  { frame: 1, field: 'hart_ip.pt.rsp.device_rev', ours: attr('hart-ip', 'hart.device-revision') },
  { frame: 1, field: 'hart_ip.pt.rsp.hart_univ_rev', ours: attr('hart-ip', 'hart.universal-revision') },
  { frame: 2, field: 'hart_ip.pt.rsp.tag', ours: id('hart-ip', 'station-name') },
  { frame: 3, field: 'synphasor.idcode_stream_source', ours: attr('c37118', 'c37118.idcode') },
  { frame: 3, field: 'synphasor.idcode_data_source', ours: attr('c37118', 'c37118.pmu-idcode') },
  { frame: 4, field: 'omron.controller.model', ours: id('fins', 'model') },
  { frame: 4, field: 'omron.controller.version', ours: id('fins', 'firmware') },
  { frame: 4, field: 'omron.area_data.program_area_size', ours: attr('fins', 'fins.program-area-size') },
  { frame: 4, field: 'omron.area_data.dm_words', ours: attr('fins', 'fins.dm-words') },
  { frame: 4, field: 'omron.area_data.memory_card', ours: attr('fins', 'fins.memory-card') },
];

test('tshark agreement: HART-IP, C37.118 and FINS identity fields on crafted frames', (t) => {
  if (!tsharkAvailable()) return t.skip('tshark not installed');
  const dir = mkdtempSync(join(tmpdir(), 'gp-ot-diff-'));
  try {
    const file = writePcap(
      join(dir, 'ot.pcap'),
      1,
      FRAMES.map((data) => ({ data })),
    );
    const fields = [...new Set(CHECKS.map((c) => c.field))];
    const rows = tsharkFields(file, fields, 'a', undefined, { aggregator: '\u001f' });
    const { obs, errors } = run(FRAMES);
    assert.equal(errors, 0);
    for (const c of CHECKS) {
      const raw = rows.get(c.frame)?.[fields.indexOf(c.field)] ?? [];
      const theirs = [...new Set((c.theirs ? c.theirs(raw) : raw).map((v) => v.trim()))].sort();
      const ours = [
        ...new Set(obs.filter((o) => o.frame === c.frame).flatMap((o) => c.ours(o) ?? [])),
      ].sort();
      assert.ok(theirs.length > 0, `${c.field}: tshark decoded nothing in frame ${c.frame}`);
      assert.deepEqual(ours, theirs, `${c.field} (frame ${c.frame})`);
    }
    // tshark 4.0 names CFG-1/2 stations only in its tree text: "Station #n: "STN"".
    const tree = tshark(['-n', '-r', file, '-V', '-Y', 'frame.number==3']);
    const stations = [...tree.matchAll(/Station #\d+: "([^"]*)"/g)].map((m) => m[1]!.trim());
    const ours = obs.flatMap((o) => (o.frame === 3 ? (id('c37118', 'station-name')(o) ?? []) : []));
    assert.equal(stations.length, 3);
    assert.deepEqual(ours, stations);
    t.diagnostic(`${CHECKS.length + 1} fields agree on ${FRAMES.length} crafted frames`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Two segments of one server-to-client direction: the payload cut at `cut`. */
function split(serverPort: number, clientPort: number, payload: Bytes, cut: number): Bytes[] {
  const server = { ...PLC, port: serverPort };
  const client = { ...HOST, port: clientPort };
  return [
    tcpFrame(server, client, payload.subarray(0, cut), { seq: 5000 }),
    tcpFrame(server, client, payload.subarray(cut), { seq: 5000 + cut }),
  ];
}

test('tshark agreement: Modbus and EtherNet/IP identity replies split across TCP segments', (t) => {
  if (!tsharkAvailable()) return t.skip('tshark not installed');
  const objects: [number, string][] = [
    [0, 'Schneider Electric'],
    [1, 'BMX P34 2020'],
    [2, 'v2.70'],
  ];
  const frames = [
    ...split(502, 41001, mbapAdu(1, modbusDeviceIdReply(objects)), 20),
    ...split(44818, 41002, enipListIdentityReply('1756-EN2T/D ControlLogix', 1, 0x00c0ffee), 40),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'gp-ot-split-'));
  try {
    const file = writePcap(
      join(dir, 'split.pcap'),
      1,
      frames.map((data) => ({ data })),
    );
    const fields = ['modbus.object_str_value', 'enip.lir.name', 'enip.lir.vendor'];
    const rows = tsharkFields(file, fields, 'a', undefined, { aggregator: '\u001f' });
    const { obs, errors } = run(frames);
    assert.equal(errors, 0);
    const ours = (frame: number, f: (o: Observation) => string | null) =>
      obs.filter((o) => o.frame === frame).flatMap((o) => f(o) ?? []);
    // tshark reports a reassembled PDU at its last segment, as we do.
    const mb = (o: Observation) => (o.protocol === 'modbus' && o.kind === 'identity' ? o.value : null);
    assert.deepEqual(ours(2, mb).sort(), (rows.get(2)?.[0] ?? []).slice().sort());
    assert.deepEqual(ours(1, mb), []);
    assert.equal((rows.get(2)?.[0] ?? []).length, 3);
    assert.deepEqual(ours(4, id('enip', 'product')), rows.get(4)?.[1] ?? ['(tshark: none)']);
    // tshark shows the vendor id in hex, we keep it in decimal.
    const vendor = (rows.get(4)?.[2] ?? ['(tshark: none)']).map((v) => String(Number(v)));
    assert.deepEqual(ours(4, id('enip', 'vendor-id')), vendor);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tshark agreement: the electronic key of crafted Forward_Opens, per target', (t) => {
  if (!tsharkAvailable()) return t.skip('tshark not installed');
  const recs = ekeyPlant();
  const frames = recs.map((r) => r.data);
  const dir = mkdtempSync(join(tmpdir(), 'gp-ekey-diff-'));
  try {
    const file = writePcap(join(dir, 'ekey.pcap'), 1, recs);
    const fields = [
      'ip.dst',
      'cip.ekey.vendor',
      'cip.ekey.devtype',
      'cip.ekey.product_code',
      '_ws.malformed',
    ];
    const rows = tsharkFields(file, fields, 'a', 'cip.ekey.format');
    const { obs, errors } = run(frames);
    assert.equal(errors, 0);
    const keys = ['cip.ekey.vendor-id', 'cip.ekey.device-type-id', 'cip.ekey.product-code'];
    const ours = (frame: number) =>
      keys.map((k) => obs.flatMap((o) => (o.frame === frame ? (attr('enip', k)(o) ?? []) : [])));
    let compared = 0;
    for (const [frame, cols] of rows) {
      const target = cols[0]![0]!;
      // tshark shows wildcards (0) too; we state only what the key fixes, in decimal.
      const theirs = cols.slice(1, 4).map((v) =>
        v
          .map(Number)
          .filter((n) => n !== 0)
          .map(String),
      );
      const mine = ours(frame);
      const ekeyObs = obs.filter(
        (o) => o.frame === frame && o.kind === 'attribute' && o.key.startsWith('cip.ekey.'),
      );
      if (target === BRIDGE.ip) {
        // Routed on past the receiver (port 2, an IP address): the key is another device's, not stated.
        assert.deepEqual(ekeyObs, [], `frame ${frame}: a routed path's key`);
        continue;
      }
      if (target === GARBAGE.ip) {
        // Cut short inside its stated size: tshark shows what it read and marks it malformed.
        assert.ok(cols[4]!.length > 0, `frame ${frame}: tshark did not mark the cut key malformed`);
        assert.deepEqual(ekeyObs, [], `frame ${frame}: a cut key`);
        continue;
      }
      assert.ok(
        ekeyObs.every((o) => o.device.ip === target),
        `frame ${frame}: stated about the target`,
      );
      assert.deepEqual(mine, theirs, `frame ${frame} (${target})`);
      if (theirs.some((v) => v.length > 0)) compared++;
    }
    // The drive, the discrete I/O and the self-stated PLC carry non-zero keys.
    assert.equal(compared, 3, 'keyed frames compared');
    t.diagnostic(`${rows.size} Forward_Opens with a key; ${compared} keyed targets agree with tshark`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
