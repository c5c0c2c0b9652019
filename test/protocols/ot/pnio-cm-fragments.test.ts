import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteWindow } from '../../../shared/decode/window';
import { MAX_PER_LABEL } from '../../../shared/inventory/identity';
import { analyzeFile, createAnalyzer } from '../../../src-main/engine/pipeline';
import { toJson } from '../../../src-main/cli/format';
import { writePcap } from '../../helpers/pcap-writer';
import type { Observation } from '../../../shared/model/observation';
import {
  ClFragments,
  MAX_CALL_BYTES,
  MAX_FRAGMENTS,
  MAX_PENDING_CALLS,
  PENDING_MS,
} from '../../../shared/protocols/ot/rpc-cl-fragments';
import { concat, udpFrame, type Bytes } from '../../helpers/packets';
import { tsharkAvailable, tsharkFrames } from '../../helpers/tshark';
import { assertSurvivesHostile, run } from './helpers';
import {
  arBlockReq,
  connectResBlocks,
  expectedSubmodule,
  pnioObject,
  pnioRpc,
  pnioRpcFragments,
  PFL_FRAG,
  PFL_LAST_FRAG,
} from './pnio-build';

/**
 * PROFINET IO CM Connect split over several connectionless DCE/RPC fragments: read once every
 * fragment from 0 to the one flagged last is in, whatever their order and however often they come;
 * never read in part; within fixed bounds against hostile fragment numbers, lengths and floods of
 * calls. tshark, which reassembles the same fragments, reads the same facts.
 */

const PLC = { mac: '02:00:00:00:0a:01', ip: '192.168.0.1', port: 49153 };
const IOD = { mac: '02:00:00:00:0a:02', ip: '192.168.0.20', port: 34964 };
const CONTROLLER = pnioObject(0x002a, 0x0e04, 100);
const DEVICE = pnioObject(0x011e, 0x0a01, 1);
const SLOTS = 12;

/** A rack of SLOTS modules, each with input and output submodules: about 500 bytes of blocks. */
const REQ_BLOCKS = concat(
  arBlockReq(CONTROLLER, 'plc-line-3'),
  ...Array.from({ length: SLOTS }, (_, i) =>
    expectedSubmodule(i, 0x1000 + i, [
      { subslot: 1, ident: 0x10 + i, io: true },
      { subslot: 2, ident: 0x20 + i, io: false },
    ]),
  ),
);
const RES_BLOCKS = connectResBlocks('io-station-7');

const reqFrags = (size = 128, call = {}, le = true): Bytes[] =>
  pnioRpcFragments(0, DEVICE, REQ_BLOCKS, size, call, le).map((b) => udpFrame(PLC, IOD, b));
const resFrags = (size = 24, call = {}, le = true): Bytes[] =>
  pnioRpcFragments(2, DEVICE, RES_BLOCKS, size, call, le).map((b) => udpFrame(IOD, PLC, b));

/** The Connect body's facts, by device and field, without frame numbers. */
const BODY_FIELDS = new Set([
  'Connect.CMInitiatorObjectUUID.device',
  'Connect.CMInitiatorObjectUUID.vendor',
  'Connect.CMInitiatorObjectUUID.instance',
  'Connect.CMInitiatorStationName',
  'Connect.CMResponderStationName',
  'Connect.ExpectedSubmodule.ModuleIdentNumber',
]);
function bodyFacts(obs: readonly Observation[]): string[] {
  return obs
    .filter((o) => o.protocol === 'pn_io' && BODY_FIELDS.has(o.field))
    .map(
      (o) => `${o.device.ip} ${o.field} ${o.kind === 'identity' || o.kind === 'attribute' ? o.value : '?'}`,
    )
    .sort();
}
function framesOf(obs: readonly Observation[]): number[] {
  return [...new Set(obs.filter((o) => BODY_FIELDS.has(o.field)).map((o) => o.frame))].sort((a, b) => a - b);
}

/** What the same Connect says when it fits one datagram: the reference for every split below. */
const WHOLE = bodyFacts(
  run([
    udpFrame(PLC, IOD, pnioRpc(0, DEVICE, REQ_BLOCKS)),
    udpFrame(IOD, PLC, pnioRpc(2, DEVICE, RES_BLOCKS)),
  ]).obs,
);

test('the unsplit reference names both ends and every slot', () => {
  assert.ok(WHOLE.includes('192.168.0.1 Connect.CMInitiatorObjectUUID.vendor 0x002a'));
  assert.ok(WHOLE.includes('192.168.0.1 Connect.CMInitiatorObjectUUID.device 0x0e04'));
  assert.ok(WHOLE.includes('192.168.0.1 Connect.CMInitiatorStationName plc-line-3'));
  assert.ok(WHOLE.includes('192.168.0.20 Connect.CMResponderStationName io-station-7'));
  for (let i = 0; i < SLOTS; i++)
    assert.ok(
      WHOLE.includes(
        `192.168.0.20 Connect.ExpectedSubmodule.ModuleIdentNumber slot ${i}: 0x0000${(0x1000 + i).toString(16)}`,
      ),
      `slot ${i}`,
    );
});

test('in order: request and response read whole at their last fragment', () => {
  const req = reqFrags();
  const res = resFrags();
  assert.ok(req.length >= 4 && res.length >= 2, `${req.length} + ${res.length} fragments`);
  const r = run([...req, ...res]);
  assert.equal(r.errors, 0);
  assert.deepEqual(bodyFacts(r.obs), WHOLE);
  assert.deepEqual(framesOf(r.obs), [req.length, req.length + res.length]);
  // The device's ids from the RPC object UUID of every fragment, as for any PDU.
  const ids = r.obs.filter((o) => o.field === 'ObjectUUID.vendor' && o.kind === 'identity');
  assert.ok(ids.length >= req.length && ids.every((o) => o.device.ip === IOD.ip));
  assert.ok(r.protos.includes('profinet'));
});

test('every fragment size from 1 byte to the whole body, little- and big-endian', () => {
  for (const le of [true, false]) {
    for (const size of [1, 7, 20, 21, 64, 200, 4096]) {
      const req = reqFrags(size, {}, le);
      const res = resFrags(Math.max(1, size >> 2), {}, le);
      if (req.length > MAX_FRAGMENTS) continue; // over the bound: see the hostile test
      const r = run([...req, ...res]);
      assert.equal(r.errors, 0);
      assert.deepEqual(bodyFacts(r.obs), WHOLE, `size ${size} le ${le}`);
    }
  }
});

test('reversed and shuffled: read once the last missing fragment arrives', () => {
  const req = reqFrags();
  const res = resFrags();
  const r = run([...[...req].reverse(), ...[...res].reverse()]);
  assert.equal(r.errors, 0);
  assert.deepEqual(bodyFacts(r.obs), WHOLE);
  assert.deepEqual(framesOf(r.obs), [req.length, req.length + res.length]);
  // Interleaved request and response fragments, odd ones first.
  const mixed = [...req.filter((_, i) => i % 2), ...res, ...req.filter((_, i) => i % 2 === 0)];
  const m = run(mixed);
  assert.deepEqual(bodyFacts(m.obs), WHOLE);
});

test('duplicated fragments are read once', () => {
  const req = reqFrags();
  const res = resFrags();
  const twice = [...req.flatMap((f, i) => (i === 1 ? [f, f, f] : [f])), ...res, res[0]!, ...req.slice(0, 2)];
  const r = run(twice);
  assert.equal(r.errors, 0);
  assert.deepEqual(bodyFacts(r.obs), WHOLE);
  // The duplicate of fragment 1 before the call is whole changes nothing; those after start no new call.
  assert.deepEqual(framesOf(r.obs), [req.length + 2, req.length + 2 + res.length]);
});

test('one fragment missing: the call is not read, not even in part', () => {
  const req = reqFrags();
  for (let gone = 0; gone < req.length; gone++) {
    const r = run(req.filter((_, i) => i !== gone));
    assert.equal(r.errors, 0);
    assert.deepEqual(bodyFacts(r.obs), [], `fragment ${gone} missing`);
    // The RPC header still names the device (and fragment 0 the controller's role).
    assert.ok(r.obs.some((o) => o.field === 'ObjectUUID.device'));
    assert.equal(
      r.obs.some((o) => o.kind === 'role' && o.role === 'profinet-io-controller'),
      gone !== 0,
    );
  }
});

test('two calls of one flow (other sequence numbers, other activity) interleaved are kept apart', () => {
  const a = reqFrags(128, { seq: 1 });
  const b = pnioRpcFragments(
    0,
    DEVICE,
    concat(arBlockReq(CONTROLLER, 'plc-other'), expectedSubmodule(40, 0x4040, [])),
    30,
    { seq: 2, activity: '0b0b0b0b-1111-2222-3333-444455556666' },
  ).map((x) => udpFrame(PLC, IOD, x));
  const frames: Bytes[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i]) frames.push(a[i]!);
    if (b[i]) frames.push(b[i]!);
  }
  const r = run(frames);
  const got = bodyFacts(r.obs);
  assert.ok(got.includes('192.168.0.1 Connect.CMInitiatorStationName plc-line-3'), got.join('\n'));
  assert.ok(got.includes('192.168.0.1 Connect.CMInitiatorStationName plc-other'));
  assert.ok(got.includes('192.168.0.20 Connect.ExpectedSubmodule.ModuleIdentNumber slot 40: 0x00004040'));
  // The same fragment number and sequence number of another activity is another call.
  const c = reqFrags(128, { seq: 1, activity: '0c0c0c0c-1111-2222-3333-444455556666' });
  const mix = run([...a.slice(0, -1), ...c.slice(-1)]);
  assert.deepEqual(bodyFacts(mix.obs), []);
});

/** Fragment `i` of the request with bytes of its RPC header changed. */
function patched(i: number, edit: (b: Uint8Array) => void): Bytes {
  const b = Uint8Array.from(pnioRpcFragments(0, DEVICE, REQ_BLOCKS, 128)[i]!);
  edit(b);
  return udpFrame(PLC, IOD, b);
}

test('hostile: a huge fragnum, a length beyond the datagram, a second last fragment: not read, counted', () => {
  const req = reqFrags();
  const n = req.length;
  // fragnum 0xffff (little-endian at 76) in place of fragment 1: the call can never be whole.
  const huge = run([...req.slice(0, 1), patched(1, (b) => (b[76] = b[77] = 0xff)), ...req.slice(2)]);
  assert.equal(huge.errors, 0);
  assert.deepEqual(bodyFacts(huge.obs), []);
  // Body length 0xffff in fragment 1's header: malformed, counted, not kept.
  const long = run([...req.slice(0, 1), patched(1, (b) => (b[74] = b[75] = 0xff)), ...req.slice(2)]);
  assert.equal(long.errors, 0);
  assert.deepEqual(bodyFacts(long.obs), []);
  assert.equal(long.decoder.stats.malformed, 1);
  assert.deepEqual(long.decoder.stats.malformedBy, { profinet: 1 });
  // Two fragments flagged last: the call contradicts itself and is dropped.
  const twoLast = run([patched(1, (b) => (b[2]! |= PFL_LAST_FRAG)), ...req.filter((_, i) => i !== 1)]);
  assert.deepEqual(bodyFacts(twoLast.obs), []);
  // A fragment past the one flagged last.
  const past = run([...req, patched(n - 1, (b) => (b[2] = 0x20 | PFL_FRAG))]);
  assert.deepEqual(
    bodyFacts(past.obs),
    WHOLE.filter((f) => !f.includes('Responder')),
  );
  // Truncations, byte flips and random tails of a fragment never throw.
  assertSurvivesHostile(pnioRpcFragments(0, DEVICE, REQ_BLOCKS, 128)[1]!, (b) => udpFrame(PLC, IOD, b));
});

test('hostile: over MAX_FRAGMENTS fragments or MAX_CALL_BYTES bytes the call is dropped, not grown', () => {
  const many = pnioRpcFragments(0, DEVICE, REQ_BLOCKS, Math.ceil(REQ_BLOCKS.length / (MAX_FRAGMENTS + 4)));
  assert.ok(many.length > MAX_FRAGMENTS);
  const r = run(many.map((b) => udpFrame(PLC, IOD, b)));
  assert.equal(r.errors, 0);
  assert.deepEqual(bodyFacts(r.obs), []);
  // Unit level: bytes over the bound in a few fragments.
  const f = new ClFragments();
  const big = new ByteWindow().reset(new Uint8Array(MAX_CALL_BYTES / 2 + 1), 0, MAX_CALL_BYTES / 2 + 1);
  assert.equal(f.add('k', 0, false, big, 0, big.length, 0), null);
  assert.equal(f.add('k', 1, false, big, 0, big.length, 0), null);
  assert.equal(f.pending, 0, 'the call over the byte bound is dropped');
  assert.equal(f.add('k', 2, true, big, 0, 10, 0), null, 'and does not come back whole');
});

test('hostile: thousands of activities on one flow keep at most MAX_PENDING_CALLS calls', () => {
  const f = new ClFragments();
  const w = new ByteWindow().reset(new Uint8Array(100).fill(7), 0, 100);
  for (let i = 0; i < 5000; i++) {
    assert.equal(f.add('act-' + i, 1, true, w, 0, 100, i), null);
    assert.ok(f.pending <= MAX_PENDING_CALLS);
  }
  assert.equal(f.pending, MAX_PENDING_CALLS);
  // The newest calls are the ones kept: the last activity's fragment 0 completes it.
  assert.equal(f.add('act-4999', 0, false, w, 0, 100, 5000)?.length, 200);
  assert.equal(f.add('act-0', 0, false, w, 0, 100, 5000), null);
  // Through the pipeline: 5000 calls with their last fragment only, then a whole Connect still reads.
  const flood = Array.from({ length: 5000 }, (_, i) =>
    patched(1, (b) => {
      b[64] = i & 0xff; // the sequence number (little-endian)
      b[65] = i >> 8;
    }),
  );
  const r = run([...flood, ...reqFrags(128, { seq: 99999 })]);
  assert.equal(r.errors, 0);
  assert.deepEqual(
    bodyFacts(r.obs),
    WHOLE.filter((x) => !x.includes('Responder')),
  );
});

test('a call whose fragments are spread over more than PENDING_MS ages out', () => {
  const w = new ByteWindow().reset(new Uint8Array(10), 0, 10);
  const f = new ClFragments();
  assert.equal(f.add('k', 0, false, w, 0, 10, 0), null);
  assert.equal(f.add('k', 1, true, w, 0, 10, PENDING_MS + 1), null);
  assert.equal(f.pending, 1, 'fragment 0 aged out; fragment 1 waits alone');
  const g = new ClFragments();
  g.add('k', 0, false, w, 0, 10, 0);
  assert.equal(g.add('k', 1, true, w, 0, 10, PENDING_MS)?.length, 20);
});

test('tshark agreement: a Connect reassembled from fragments, in order and reversed', (t) => {
  if (!tsharkAvailable()) return t.skip('tshark not installed');
  const fields = ['pn_io.cminitiator_station_name', 'pn_io.slot_nr', 'pn_io.module_ident_number'];
  for (const order of ['in order', 'reversed'] as const) {
    const req = reqFrags();
    const res = resFrags();
    const frames = order === 'in order' ? [...req, ...res] : [...req.reverse(), ...res.reverse()];
    const rows = tsharkFrames(frames, fields);
    const r = run(frames);
    const reqAt = req.length;
    const resAt = req.length + res.length;
    const col = (frame: number, f: string) => rows.get(frame)?.[fields.indexOf(f)] ?? [];
    const ours = (frame: number, field: string) =>
      r.obs.flatMap((o) =>
        o.frame === frame && o.field === field && (o.kind === 'identity' || o.kind === 'attribute')
          ? [o.value]
          : [],
      );
    // tshark too shows the Connect at the fragment that completes it, and nothing before.
    for (let i = 1; i < reqAt; i++)
      assert.deepEqual(col(i, 'pn_io.cminitiator_station_name'), [], `frame ${i}`);
    assert.deepEqual(col(reqAt, 'pn_io.cminitiator_station_name'), ['plc-line-3'], order);
    assert.deepEqual(
      ours(reqAt, 'Connect.CMInitiatorStationName'),
      col(reqAt, 'pn_io.cminitiator_station_name'),
    );
    assert.deepEqual(
      ours(resAt, 'Connect.CMResponderStationName'),
      col(resAt, 'pn_io.cminitiator_station_name'),
    );
    const slots = col(reqAt, 'pn_io.slot_nr');
    const theirs = col(reqAt, 'pn_io.module_ident_number').map(
      (m, i) => `slot ${Number(slots[i])}: 0x${Number(m).toString(16).padStart(8, '0')}`,
    );
    assert.equal(theirs.length, SLOTS, `tshark decoded ${theirs.length} module idents`);
    assert.deepEqual(
      ours(reqAt, 'Connect.ExpectedSubmodule.ModuleIdentNumber').sort(),
      [...new Set(theirs)].sort(),
    );
  }
});

test('an unfragmented PDU with the frag flag clear is read as before, also with a lone lastfrag', () => {
  const one = pnioRpc(0, DEVICE, REQ_BLOCKS, 0, true, { flags1: 0x20 | PFL_FRAG | PFL_LAST_FRAG });
  const r = run([udpFrame(PLC, IOD, one), udpFrame(IOD, PLC, pnioRpc(2, DEVICE, RES_BLOCKS))]);
  assert.deepEqual(bodyFacts(r.obs), WHOLE);
  assert.equal(PFL_FRAG & PFL_LAST_FRAG, 0);
});

test('the device record: a fragmented Connect names both stations, ids and modules in `identity`', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-pnio-'));
  try {
    const req = reqFrags();
    const file = writePcap(
      join(dir, 'connect.pcap'),
      1,
      [...req.reverse(), ...resFrags()].map((data, i) => ({ data, ts: 1_700_000_000_000 + i })),
    );
    const a = createAnalyzer();
    await analyzeFile(a, file);
    const inv = JSON.parse(toJson(a.snapshot({ evidence: false }))) as {
      devices: { ips: string[]; identity: Record<string, { label: string; value: string }[]> }[];
    };
    const rows = (ip: string) =>
      (inv.devices.find((d) => d.ips.includes(ip))?.identity.profinet ?? []).map(
        (r) => `${r.label}=${r.value}`,
      );
    const device = rows(IOD.ip);
    for (const want of ['station name=io-station-7', 'vendor id=0x011e', 'device id=0x0a01'])
      assert.ok(device.includes(want), `${want} in ${JSON.stringify(device)}`);
    assert.equal(
      device.filter((r) => r.startsWith('module=')).length,
      Math.min(SLOTS, MAX_PER_LABEL),
      'modules, capped per label',
    );
    const controller = rows(PLC.ip);
    for (const want of ['station name=plc-line-3', 'vendor id=0x002a', 'vendor=Siemens AG'])
      assert.ok(controller.includes(want), `${want} in ${JSON.stringify(controller)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
