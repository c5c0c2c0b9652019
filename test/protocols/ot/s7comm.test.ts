import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, tcpFrame, u16, type Bytes } from '../../helpers/packets';
import {
  HTTP_GET,
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
import { agreement, corpusFiles, dec, hasTshark, runCapture, tshark } from './corpus';

const PORT = 102;

/** TPKT + COTP DT around a payload. */
function dt(payload: Bytes): Bytes {
  return concat([3, 0], u16(7 + payload.length), [2, 0xf0, 0x80], payload);
}

function cr(): Bytes {
  const params = [0xc1, 2, 0x01, 0x00, 0xc2, 2, 0x01, 0x02, 0xc0, 1, 0x0a];
  const cotp = [6 + params.length, 0xe0, 0, 0, 0, 1, 0, ...params];
  return concat([3, 0], u16(4 + cotp.length), cotp);
}

function s7(rosctr: number, params: number[] | Bytes, data: number[] | Bytes = []): Bytes {
  const p = Uint8Array.from(params);
  const d = Uint8Array.from(data);
  const ack = rosctr === 2 || rosctr === 3;
  return dt(concat([0x32, rosctr, 0, 0], u16(0x0100), u16(p.length), u16(d.length), ack ? [0, 0] : [], p, d));
}

function pad(s: string, n: number): Bytes {
  const b = new Uint8Array(n).fill(0x20);
  b.set(ascii(s).subarray(0, n));
  return b;
}

/** Userdata response to Read SZL: parameter head, then return code, size, length, SZL header, records. */
function szlResponse(id: number, recLen: number, records: Bytes[]): Bytes {
  const body = concat(u16(id), u16(0), u16(recLen), u16(records.length), ...records);
  return s7(
    7,
    [0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00],
    concat([0xff, 0x09], u16(body.length), body),
  );
}

function rec1c(index: number, text: string): Bytes {
  const b = new Uint8Array(32);
  b.set(ascii(text));
  return concat(u16(index), b);
}

function rec11(index: number, mlfb: string, ausbg: number, ausbe: number): Bytes {
  return concat(u16(index), pad(mlfb, 20), u16(0x00c0), u16(ausbg), u16(ausbe));
}

test('SZL 0x001C, 0x0011 and 0x0424 answers give the PLC identity and state', () => {
  const r = run([
    toServer(PORT, cr()),
    toServer(PORT, s7(1, [0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xe0])),
    fromServer(PORT, s7(3, [0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0xf0])),
    fromServer(
      PORT,
      szlResponse(0x001c, 34, [
        rec1c(1, 'Line 4 PLC'),
        rec1c(2, 'PLC_1'),
        rec1c(3, 'Plant A'),
        rec1c(5, 'S C-X4U123456789'),
        rec1c(7, 'CPU 1516-3 PN/DP'),
      ]),
    ),
    fromServer(
      PORT,
      szlResponse(0x0011, 28, [rec11(1, '6ES7 516-3AN01-0AB0', 3, 1), rec11(7, '', 0x5602, 0x0803)]),
    ),
    fromServer(PORT, szlResponse(0x0424, 20, [concat(u16(0x5144), [0xff, 0x04], new Uint8Array(16))])),
  ]);
  assert.deepEqual(identity(r.obs, 'station-name'), ['Line 4 PLC']);
  assert.deepEqual(attribute(r.obs, 's7.module-name'), ['PLC_1']);
  assert.deepEqual(attribute(r.obs, 's7.plant-id'), ['Plant A']);
  assert.deepEqual(identity(r.obs, 'serial'), ['S C-X4U123456789']);
  assert.deepEqual(identity(r.obs, 'product'), ['CPU 1516-3 PN/DP']);
  assert.deepEqual(identity(r.obs, 'model'), ['6ES7 516-3AN01-0AB0']);
  assert.deepEqual(identity(r.obs, 'hardware'), ['3']);
  assert.deepEqual(identity(r.obs, 'firmware'), ['V2.8.3']);
  assert.deepEqual(identity(r.obs, 'state'), ['stop']);
  assert.deepEqual(attribute(r.obs, 's7.pdu-length'), ['240']);
  assert.deepEqual(attribute(r.obs, 's7.tsap'), ['0100/0102']);
  assert.ok(roles(r.obs).includes('s7-client@10.0.0.1'));
  assert.ok(roles(r.obs).includes('s7-server@10.0.0.2'));
  assert.ok(r.obs.filter((o) => o.kind === 'identity').every((o) => o.device.ip === '10.0.0.2'));
});

test('download, PLC stop and PI start are events by the engineering station', () => {
  const file = ascii('_0800001P');
  const r = run([
    toServer(PORT, s7(1, concat([0x1a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, file.length], file))),
    toServer(PORT, s7(1, concat([0x29, 0, 0, 0, 0, 0, 0x09], ascii('P_PROGRAM')))),
    toServer(PORT, s7(1, concat([0x28, 0, 0, 0, 0, 0, 0, 0xfd], u16(0), [9], ascii('P_PROGRAM')))),
  ]);
  const ev = events(r.obs);
  assert.deepEqual(ev, ['program-download', 'plc-stop', 'plc-start']);
  const dl = r.obs.find((o) => o.kind === 'event' && o.event === 'program-download');
  assert.ok(
    dl?.kind === 'event' &&
      dl.facts.file === '_0800001P' &&
      dl.device.ip === '10.0.0.1' &&
      dl.peer?.ip === '10.0.0.2',
  );
  assert.ok(roles(r.obs).includes('s7-programmer@10.0.0.1'));
});

test('S7comm-plus is recognised with its version; MMS and other traffic on 102 is not S7', () => {
  const plus = dt(concat([0x72, 0x03], u16(4), [0x31, 0x00, 0x00, 0x04], [0x72, 0x03, 0, 0]));
  const r = run([toServer(PORT, plus)]);
  assert.ok(r.protos.includes('s7comm'));
  assert.deepEqual(attribute(r.obs, 's7comm-plus.version'), ['V3']);
  assertNotClaimed(toServer(PORT, HTTP_GET), 's7comm');
  // ISO session Give-Tokens + Data-Transfer: MMS, not S7.
  assertNotClaimed(
    toServer(PORT, dt(Uint8Array.from([0x01, 0x00, 0x01, 0x00, 0x61, 0x02, 0x30, 0x00]))),
    's7comm',
  );
});

test('hostile S7comm never throws', () => {
  assertSurvivesHostile(szlResponse(0x001c, 34, [rec1c(1, 'A'), rec1c(5, 'B')]), (b) => fromServer(PORT, b));
  assertSurvivesHostile(szlResponse(0x0011, 28, [rec11(1, 'X', 1, 1)]), (b) => fromServer(PORT, b));
  assertSurvivesHostile(s7(1, concat([0x28, 0, 0, 0, 0, 0, 0, 0xfd], u16(0), [9], ascii('P_PROGRAM'))), (b) =>
    toServer(PORT, b),
  );
  const lying = szlResponse(0x001c, 34, [rec1c(1, 'A')]);
  lying[lying.length - 34 - 2] = 0x7f; // record count lies
  assertSurvivesHostile(lying, (b) => fromServer(PORT, b));
});

/** One fragment of a userdata answer to Read SZL: data-unit reference, "last data unit" 0 (yes) / 1 (no). */
function szlFragment(ref: number, more: boolean, payload: Bytes): Bytes {
  return s7(
    7,
    [0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, 0x02, ref, more ? 1 : 0, 0x00, 0x00],
    concat([0xff, 0x09], u16(payload.length), payload),
  );
}

/** SZL 0x001C answer body (header and records) cut into `parts` pieces at uneven offsets. */
function szl1cPieces(parts: number[]): Bytes[] {
  const recs = [rec1c(1, 'Line 4 PLC'), rec1c(2, 'PLC_1'), rec1c(5, 'S C-X4U123456789'), rec1c(7, 'CPU 315')];
  const body = concat(u16(0x001c), u16(0), u16(34), u16(recs.length), ...recs);
  const out: Bytes[] = [];
  let at = 0;
  for (const n of parts) out.push(body.subarray(at, (at += n)));
  out.push(body.subarray(at));
  return out;
}

const frameIds = (obs: ReturnType<typeof run>['obs'], attr: string) =>
  obs.flatMap((o) => (o.kind === 'identity' && o.attr === attr ? [o.value + '@' + o.frame] : []));

test('fragmented SZL answer: reassembled per data-unit reference, decoded at the last fragment', () => {
  // Cut inside the SZL header of nothing, inside the second record and inside the third.
  const [a, b, c] = szl1cPieces([50, 60]);
  const r = run([
    fromServer(PORT, szlFragment(0xd5, true, a!)),
    toServer(PORT, s7(7, [0x00, 0x01, 0x12, 0x08, 0x12, 0x44, 0x01, 0x02, 0xd5, 0x00, 0x00, 0x00])),
    fromServer(PORT, szlFragment(0xd5, true, b!)),
    fromServer(PORT, szlFragment(0xd5, false, c!)),
  ]);
  assert.deepEqual(frameIds(r.obs, 'station-name'), ['Line 4 PLC@4']);
  assert.deepEqual(frameIds(r.obs, 'serial'), ['S C-X4U123456789@4']);
  assert.deepEqual(frameIds(r.obs, 'product'), ['CPU 315@4']);
  assert.deepEqual(attribute(r.obs, 's7.module-name'), ['PLC_1']);
});

test('fragmented SZL answers: two interleaved references, a lost head, and aged-out answers', () => {
  const [a1, a2] = szl1cPieces([40]);
  const [b1, b2] = szl1cPieces([90]);
  const r = run([
    fromServer(PORT, szlFragment(1, true, a1!)),
    fromServer(PORT, szlFragment(2, true, b1!)),
    fromServer(PORT, szlFragment(1, false, a2!)),
    fromServer(PORT, szlFragment(2, false, b2!)),
  ]);
  assert.deepEqual(frameIds(r.obs, 'station-name'), ['Line 4 PLC@3', 'Line 4 PLC@4']);
  // A tail whose head was never seen would start mid-record: decoded, it must not invent values.
  const [, tail] = szl1cPieces([37]);
  const lost = run([fromServer(PORT, szlFragment(9, false, tail!))]);
  assert.deepEqual(identity(lost.obs, 'station-name'), []);
  // An answer whose follow-ups stop coming is dropped after a bound, and its late tail is ignored.
  const [h, t2] = szl1cPieces([40]);
  const frames = [fromServer(PORT, szlFragment(7, true, h!))];
  for (let i = 0; i < 20; i++) frames.push(fromServer(PORT, szlFragment(100 + i, true, h!)));
  frames.push(fromServer(PORT, szlFragment(7, false, t2!)));
  const aged = run(frames);
  assert.deepEqual(identity(aged.obs, 'station-name'), []);
});

test('TPKTs split across TCP segments (inside the TPKT header and inside a record) are collected', () => {
  const answer = szlResponse(0x001c, 34, [rec1c(1, 'Split PLC'), rec1c(5, 'S C-SPLIT0001')]);
  const mode = szlResponse(0x0424, 20, [concat(u16(0x5144), [0xff, 0x08], new Uint8Array(16))]);
  const stream = concat(answer, mode);
  const cut1 = 2; // inside the TPKT header
  const cut2 = answer.length - 20; // inside the second record
  const r = run([
    toServer(PORT, s7(1, [0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xe0])),
    // The direction's first segment starts a TPKT: from there on the framing is known.
    fromServer(PORT, s7(3, [0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0xf0])),
    fromServer(PORT, stream.subarray(0, cut1)),
    fromServer(PORT, stream.subarray(cut1, cut2)),
    fromServer(PORT, stream.subarray(cut2)),
  ]);
  assert.deepEqual(frameIds(r.obs, 'station-name'), ['Split PLC@5']);
  assert.deepEqual(frameIds(r.obs, 'serial'), ['S C-SPLIT0001@5']);
  assert.deepEqual(frameIds(r.obs, 'state'), ['run@5']);
  assert.ok(r.protos.includes('s7comm'));
});

test('the first S7 PDU of a flow split across segments is collected too', () => {
  const setup = s7(1, [0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xe0]);
  const answer = szlResponse(0x001c, 34, [rec1c(1, 'First PLC')]);
  const srv = { mac: '02:00:00:00:00:02', ip: '10.0.0.2', port: PORT };
  const cli = { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 50124 };
  const r = run([
    tcpFrame(cli, srv, setup.subarray(0, 9), { seq: 1 }),
    tcpFrame(cli, srv, setup.subarray(9), { seq: 10 }),
    tcpFrame(srv, cli, answer.subarray(0, 8), { seq: 1 }),
    tcpFrame(srv, cli, answer.subarray(8), { seq: 9 }),
  ]);
  assert.deepEqual(frameIds(r.obs, 'station-name'), ['First PLC@4']);
  assert.ok(roles(r.obs).includes('s7-client@10.0.0.1'));
});

test('TPKT framing: a gap or a lying length loses the framing until a segment starts a TPKT again', () => {
  const good = szlResponse(0x001c, 34, [rec1c(1, 'After gap')]);
  const first = szlResponse(0x001c, 34, [rec1c(1, 'Before gap')]);
  const srv = { mac: '02:00:00:00:00:02', ip: '10.0.0.2', port: PORT };
  const cli = { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 50123 };
  const r = run([
    tcpFrame(cli, srv, s7(1, [0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xe0]), { seq: 1000 }),
    // First half of an answer, then a gap of 10 bytes, then its second half: nothing decoded.
    tcpFrame(srv, cli, first.subarray(0, 30), { seq: 5000 }),
    tcpFrame(srv, cli, first.subarray(40), { seq: 5040 }),
    // A TPKT whose length lies (says 0xffff) followed by a good one in the next segment.
    tcpFrame(srv, cli, concat([3, 0, 0xff, 0xff, 2, 0xf0, 0x80], new Uint8Array(20)), { seq: 6000 }),
    tcpFrame(srv, cli, good, { seq: 6027 }),
  ]);
  assert.deepEqual(identity(r.obs, 'station-name'), []);
  // Resynchronised: a new segment that starts with a TPKT after a gap is read.
  const r2 = run([
    tcpFrame(cli, srv, s7(1, [0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xe0]), { seq: 1000 }),
    tcpFrame(srv, cli, first.subarray(0, 30), { seq: 5000 }),
    tcpFrame(srv, cli, good, { seq: 9000 }),
  ]);
  assert.deepEqual(identity(r2.obs, 'station-name'), ['After gap']);
});

const CORPUS = corpusFiles(['s7comm', 'sll-s7commplus', 'multi-lan-s7']);

test('corpus: SZL fields agree with tshark frame by frame', async (t) => {
  if (CORPUS.length === 0 || !hasTshark()) return t.skip('corpus or tshark absent');
  const fields = [
    's7comm.szl.001c.0001.name',
    's7comm.szl.001c.0002.name',
    's7comm.szl.001c.0005.serialn',
    's7comm.szl.001c.0007.cputypname',
    's7comm.szl.0424.0000.bzu_id.req',
    's7comm.data.userdata.szl_id',
  ];
  const totals = new Map<string, [number, number]>();
  for (const file of CORPUS) {
    const r = await runCapture(file);
    assert.equal(r.dissectorErrors, 0, file);
    const ts = tshark(file, 's7comm.param.userdata.type == 8 && s7comm.data.userdata.szl_id', fields);
    const id = (attr: string, field: string) => (o: (typeof r.obs)[number]) =>
      o.kind === 'identity' && o.attr === attr && o.field === field ? o.value : null;
    const at = (key: string) => (o: (typeof r.obs)[number]) =>
      o.kind === 'attribute' && o.key === key ? o.value : null;
    const mode = (s: string) => (Number(s) === 8 ? 'run' : Number(s) <= 4 ? 'stop' : 'other');
    const checks = [
      agreement(ts, 0, fields[0]!, r.obs, id('station-name', 'SZL0x001C.plcName'), (s) => s.trim()),
      agreement(ts, 1, fields[1]!, r.obs, at('s7.module-name'), (s) => s.trim()),
      agreement(ts, 2, fields[2]!, r.obs, id('serial', 'SZL0x001C.serialNumber'), (s) => s.trim()),
      agreement(ts, 3, fields[3]!, r.obs, id('product', 'SZL0x001C.cpuType'), (s) => s.trim()),
      agreement(ts, 4, fields[4]!, r.obs, id('state', 'SZL0x0424.mode'), mode),
    ];
    for (const a of checks) {
      assert.deepEqual(a.disagreements, [], `${file} ${a.field}`);
      // Fragmented answers are decoded at their last fragment, the frame tshark reassembles at.
      assert.deepEqual(a.oursOnly, [], `${file} ${a.field}: frames only we report`);
      const tot = totals.get(a.field) ?? [0, 0];
      totals.set(a.field, [tot[0] + a.both, tot[1] + a.agree]);
      // SZL 0x0124 (mode transition history) carries bzu_id too; we read the current mode (0x0424)
      // only. Any other frame tshark has and we lack is a disagreement.
      for (const fr of a.tsharkOnly) {
        const ids = (ts.get(fr)![5] ?? []).map(dec);
        assert.ok(
          a.field.includes('.0424.') && ids.includes(dec('0x0124')),
          `${file} frame ${fr}: ${a.field}`,
        );
        t.diagnostic(`${file} ${a.field}: frame ${fr} tshark-only (SZL 0x0124, which we do not read)`);
      }
    }
    // Every SZL id answered per tshark is one we saw answered (frames we could decode).
    const szlIds = new Set([...ts.values()].flatMap((c) => (c[5] ?? []).map(dec)));
    const ours = new Set(attribute(r.obs, 's7.szl-answered').map(dec));
    for (const x of ours) assert.ok(szlIds.has(x), `${file}: we report SZL ${x} answered, tshark does not`);
  }
  for (const [f, [both, agree]] of totals) t.diagnostic(`${f}: ${agree}/${both} frames agree`);
  assert.ok((totals.get(fields[0]!)?.[0] ?? 0) > 0);
});

test('corpus: ground truth for the S7-300 and snap7 captures, S7comm-plus roles', async (t) => {
  if (!CORPUS.includes('s7comm-szl__iti-ics__snap7_s300_everything.pcapng')) return t.skip('corpus absent');
  const r = await runCapture('s7comm-szl__iti-ics__snap7_s300_everything.pcapng');
  const plc = r.obs.filter((o) => o.device.mac === '00:0e:8c:d0:f9:cb');
  assert.ok(identity(plc, 'station-name').includes('S7300/ET200M station_1'));
  assert.ok(attribute(plc, 's7.module-name').includes('PLC_1'));
  assert.ok(identity(plc, 'serial').includes('S C-B1U393142011'));
  assert.ok(identity(plc, 'product').includes('CPU 315-2 PN/DP'));
  assert.ok(identity(plc, 'model').includes('6ES7 315-2EH14-0AB0'));
  assert.ok(identity(plc, 'hardware').includes('3'));
  assert.ok(
    r.obs.some((o) => o.kind === 'role' && o.role === 's7-client' && o.device.mac === '00:0c:29:c1:49:92'),
  );
  assert.ok(
    r.obs.some((o) => o.kind === 'role' && o.role === 's7-server' && o.device.mac === '00:0e:8c:d0:f9:cb'),
  );
  for (const e of ['plc-stop', 'plc-start', 'program-upload']) assert.ok(events(r.obs).includes(e), e);

  const ident = await runCapture('s7comm-szl__icsnpp-s7comm__s7ident.pcap');
  assert.ok(identity(ident.obs, 'station-name').includes('SNAP7-SERVER'));
  assert.ok(identity(ident.obs, 'serial').includes('S C-C2UR28922012'));

  const plus = await runCapture('sll-s7commplus__icsnpp-s7comm__s7comm_plus.pcap');
  // Linux cooked capture: only source MACs are known, so the server (a receiver here) is named by IP.
  assert.ok(
    plus.obs.some((o) => o.kind === 'role' && o.role === 's7plus-server' && o.device.ip === '192.168.0.1'),
  );
  assert.ok(
    plus.obs.some((o) => o.kind === 'role' && o.role === 's7-client' && o.device.mac === '00:50:56:bd:18:fd'),
  );
  assert.ok(
    plus.obs.some(
      (o) => o.kind === 'attribute' && o.key === 's7.pdu-length' && o.device.mac === 'ac:64:17:46:0d:51',
    ),
  );
});
