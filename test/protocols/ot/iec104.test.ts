import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, u16le, type Bytes } from '../../helpers/packets';
import {
  HTTP_GET,
  assertNotClaimed,
  assertSurvivesHostile,
  attribute,
  events,
  fromServer,
  roles,
  run,
  toServer,
} from './helpers';
import { corpusFiles, hasTshark, runCapture, tshark } from './corpus';

const PORT = 2404;

const u = (fn: number): Bytes => Uint8Array.from([0x68, 4, fn, 0, 0, 0]);
/** An I frame carrying one ASDU: type, VSQ 1, cause, originator 0, common address, IOA, element. */
function i(type: number, cause: number, ca: number, element: number[]): Bytes {
  const asdu = [type, 1, cause, 0, ...u16le(ca), 1, 0, 0, ...element];
  return Uint8Array.from([0x68, 4 + asdu.length, 0, 0, 0, 0, ...asdu]);
}

test('controlling / controlled stations, common address, commands and reset as events', () => {
  const r = run([
    toServer(PORT, u(0x07)),
    fromServer(PORT, u(0x0b)),
    toServer(PORT, i(100, 6, 4711, [20])),
    fromServer(PORT, concat(i(100, 7, 4711, [20]), i(1, 20, 4711, [1]))),
    toServer(PORT, i(45, 6, 4711, [0x81])),
    toServer(PORT, i(105, 6, 4711, [1])),
  ]);
  assert.ok(roles(r.obs).includes('iec104-controlling-station@10.0.0.1'));
  assert.ok(roles(r.obs).includes('iec104-controlled-station@10.0.0.2'));
  const ca = r.obs.filter((o) => o.kind === 'attribute' && o.key === 'iec104.common-address');
  assert.deepEqual(
    ca.map((o) => o.device.ip + '=' + (o.kind === 'attribute' ? o.value : '')),
    ['10.0.0.2=4711'],
  );
  assert.deepEqual(events(r.obs), ['iec104-command', 'device-restart']);
  assert.deepEqual(attribute(r.obs, 'iec104.interrogation'), ['general']);
});

test('non-104 payloads on 2404 are not IEC 104', () => {
  assertNotClaimed(toServer(PORT, HTTP_GET), 'iec104');
  assertNotClaimed(toServer(PORT, Uint8Array.from([0x68, 4, 0x33, 0, 0, 0])), 'iec104'); // unknown U function
  assertNotClaimed(toServer(PORT, Uint8Array.from([0x68, 40, 0, 0, 0, 0, 1, 2])), 'iec104'); // length lies
});

test('hostile IEC 104 never throws', () => {
  assertSurvivesHostile(concat(i(100, 6, 1, [20]), u(0x43), i(45, 6, 1, [1])), (b) => toServer(PORT, b));
});

const CORPUS = corpusFiles(['iec104']);

test('corpus: iec60870_asdu.addr agrees with tshark per station; ground-truth roles', async (t) => {
  if (CORPUS.length === 0 || !hasTshark()) return t.skip('corpus or tshark absent');
  let n = 0;
  for (const file of CORPUS) {
    const r = await runCapture(file);
    assert.equal(r.dissectorErrors, 0, file);
    const ts = tshark(file, 'iec60870_asdu', ['iec60870_asdu.addr']);
    const theirs = new Set([...ts.values()].flatMap((c) => c[0] ?? []));
    const ours = new Set(attribute(r.obs, 'iec104.common-address'));
    assert.deepEqual([...ours].sort(), [...theirs].sort(), file);
    n += ours.size;
  }
  t.diagnostic(`iec60870_asdu.addr: ${n} common address(es), sets equal`);
  const r = await runCapture('iec104__iti-ics__TestDissectIec104.pcap');
  assert.ok(
    r.obs.some(
      (o) =>
        o.kind === 'role' && o.role === 'iec104-controlling-station' && o.device.mac === '00:13:72:d7:87:8a',
    ),
  );
  assert.ok(
    r.obs.some(
      (o) =>
        o.kind === 'role' && o.role === 'iec104-controlled-station' && o.device.mac === '00:15:c5:18:d4:cc',
    ),
  );
  assert.ok(attribute(r.obs, 'iec104.common-address').includes('37133'));
});
