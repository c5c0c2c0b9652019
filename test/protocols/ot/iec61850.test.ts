import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, u16, type Bytes } from '../../helpers/packets';
import {
  assertNotClaimed,
  assertSurvivesHostile,
  attribute,
  identity,
  l2,
  roles,
  run,
  fromServer,
  toServer,
} from './helpers';
import { corpusFiles, hasTshark, runCapture, tshark } from './corpus';

const vs = (tag: number, s: string): Bytes => concat([tag, s.length], ascii(s));

function goosePdu(gocb: string, dataset: string, goId: string): Bytes {
  const body = concat(
    vs(0x80, gocb),
    [0x81, 2, 0x07, 0xd0],
    vs(0x82, dataset),
    vs(0x83, goId),
    [0x85, 1, 1, 0x86, 1, 0, 0x88, 1, 3],
    [0xab, 3, 0x83, 1, 0],
  );
  const pdu = concat([0x61, body.length], body);
  return concat(u16(0x0001), u16(8 + pdu.length), u16(0), u16(0), pdu);
}

/** TPKT / COTP DT / session Give-Tokens+DT / presentation user data / MMS PDU. */
function mmsFrame(mms: Bytes): Bytes {
  const ctx = concat([0x02, 0x01, 0x03], [0xa0, mms.length], mms);
  const pdv = concat([0x30, ctx.length], ctx);
  const ud = concat([0x61, pdv.length], pdv);
  const payload = concat([0x01, 0x00, 0x01, 0x00], ud);
  return concat([3, 0], u16(7 + payload.length), [2, 0xf0, 0x80], payload);
}

test('GOOSE: publisher role, gocbRef, datSet, goID, stated once per control block', () => {
  const f = l2(0x88b8, goosePdu('IED1LD0/LLN0$GO$gcb1', 'IED1LD0/LLN0$DS1', 'G1'), '01:0c:cd:01:00:01');
  const r = run([f, f, f]);
  assert.deepEqual(attribute(r.obs, 'goose.gocbRef'), ['IED1LD0/LLN0$GO$gcb1']);
  assert.deepEqual(attribute(r.obs, 'goose.datSet'), ['IED1LD0/LLN0$DS1']);
  assert.deepEqual(attribute(r.obs, 'goose.goID'), ['G1']);
  assert.deepEqual(attribute(r.obs, 'goose.confRev'), ['3']);
  assert.deepEqual(roles(r.obs), ['goose-publisher@02:00:00:00:00:02']);
});

test('MMS Identify response gives vendor, model and revision; roles by direction', () => {
  const req = concat([0xa0, 5], [0x02, 1, 7], [0x82, 0]);
  const idBody = concat(vs(0x80, 'ACME'), vs(0x81, 'IED-9000'), vs(0x82, '2.4.1'));
  const rsp = concat([0xa1, 3 + 2 + idBody.length], [0x02, 1, 7], [0xa2, idBody.length], idBody);
  const r = run([toServer(102, mmsFrame(req)), fromServer(102, mmsFrame(rsp))]);
  assert.deepEqual(identity(r.obs, 'vendor'), ['ACME']);
  assert.deepEqual(identity(r.obs, 'model'), ['IED-9000']);
  assert.deepEqual(identity(r.obs, 'firmware'), ['2.4.1']);
  assert.ok(roles(r.obs).includes('mms-client@10.0.0.1'));
  assert.ok(roles(r.obs).includes('mms-server@10.0.0.2'));
  assert.ok(r.protos.includes('mms'));
});

test('not GOOSE / not MMS, and hostile input never throws', () => {
  assertNotClaimed(l2(0x88b8, Uint8Array.from([0, 1, 0, 12, 0, 0, 0, 0, 0x30, 2, 0, 0])), 'goose');
  assertNotClaimed(toServer(102, Uint8Array.from(Buffer.from('GET / HTTP/1.0\r\n\r\n'))), 'mms');
  assertSurvivesHostile(goosePdu('A/LLN0$GO$g', 'A/LLN0$D', 'X'), (b) => l2(0x88b8, b, '01:0c:cd:01:00:01'));
  const idBody = concat(vs(0x80, 'V'), vs(0x81, 'M'), vs(0x82, 'R'));
  assertSurvivesHostile(
    mmsFrame(concat([0xa1, 5 + idBody.length], [0x02, 1, 7], [0xa2, idBody.length], idBody)),
    (b) => fromServer(102, b),
  );
});

const CORPUS = corpusFiles(['ics-goose', 'ics-iec61850']);

test('corpus: goose.gocbRef agrees with tshark per publisher; MMS roles', async (t) => {
  if (CORPUS.length === 0 || !hasTshark()) return t.skip('corpus or tshark absent');
  for (const file of CORPUS) {
    const r = await runCapture(file);
    assert.equal(r.dissectorErrors, 0, file);
    const ts = tshark(file, 'goose', ['eth.src', 'goose.gocbRef']);
    const theirs = new Set(
      [...ts.values()].flatMap(([mac, ref]) => (ref ?? []).map((x) => mac![0] + ' ' + x)),
    );
    const ours = new Set(
      r.obs.flatMap((o) =>
        o.kind === 'attribute' && o.key === 'goose.gocbRef' ? [o.device.mac + ' ' + o.value] : [],
      ),
    );
    assert.deepEqual([...ours].sort(), [...theirs].sort(), file);
    t.diagnostic(`${file} goose.gocbRef: ${ours.size} (publisher, gocbRef) pairs equal`);
  }
  const r = await runCapture('ics-iec61850__iti-ics__Sample_File_MMS_and_GOOSE.pcap');
  assert.ok(
    r.obs.some((o) => o.kind === 'role' && o.role === 'mms-client' && o.device.ip === '172.16.0.101'),
  );
  assert.ok(
    r.obs.some((o) => o.kind === 'role' && o.role === 'mms-server' && o.device.ip === '172.16.202.5'),
  );
});
