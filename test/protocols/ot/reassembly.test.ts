import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, tcpFrame, type Bytes } from '../../helpers/packets';
import { enipListIdentityReply, mbapAdu, modbusDeviceIdReply } from '../../helpers/ot-frames';
import { CLIENT, SERVER, identity, run } from './helpers';

/**
 * OT PDUs split across TCP segments (Modbus/TCP ADUs, EtherNet/IP encapsulation; S7comm's TPKTs in
 * s7comm.test.ts) are collected per direction and read whole at their last segment, within fixed
 * bounds; a gap loses the framing until a segment starts a PDU again.
 */

let port = 41000;
/** The payloads as consecutive segments of one server-to-client direction of a fresh flow. */
function segments(serverPort: number, parts: Bytes[], seqs?: number[]): Bytes[] {
  const client = { ...CLIENT, port: port++ };
  let seq = 1000;
  return parts.map((b, i) => {
    const f = tcpFrame({ ...SERVER, port: serverPort }, client, b, { seq: seqs?.[i] ?? seq });
    seq += b.length;
    return f;
  });
}

const MODBUS_REPLY = mbapAdu(
  1,
  modbusDeviceIdReply([
    [0, 'Schneider Electric'],
    [1, 'BMX P34 2020'],
    [2, 'v2.70'],
  ]),
);

test('Modbus: a 43/14 reply split at any byte past its header is read whole, at its last segment', () => {
  // A flow's first segment must hold an MBAP header and function code (8 bytes) to be believed.
  for (let cut = 8; cut < MODBUS_REPLY.length; cut++) {
    const r = run(segments(502, [MODBUS_REPLY.subarray(0, cut), MODBUS_REPLY.subarray(cut)]));
    assert.equal(r.errors, 0);
    assert.deepEqual(identity(r.obs, 'vendor'), ['Schneider Electric'], `cut at ${cut}`);
    assert.deepEqual(identity(r.obs, 'product-code'), ['BMX P34 2020'], `cut at ${cut}`);
    assert.ok(
      r.obs.filter((o) => o.kind === 'identity').every((o) => o.frame === 2),
      `cut at ${cut}`,
    );
  }
});

test('Modbus: once the framing is known, an ADU split inside its header is read too', () => {
  const read = mbapAdu(1, Uint8Array.from([3, 2, 0, 0]), 7);
  const next = concat(mbapAdu(1, Uint8Array.from([3, 2, 0, 0]), 8), MODBUS_REPLY);
  for (const first of [1, 3, 5, 7]) {
    const cut1 = read.length + first;
    const cut2 = cut1 + 20;
    // The first segment is whole ADUs: the framing is known from there on.
    const r = run(
      segments(502, [read, next.subarray(0, cut1), next.subarray(cut1, cut2), next.subarray(cut2)]),
    );
    assert.equal(r.errors, 0);
    assert.deepEqual(identity(r.obs, 'firmware'), ['v2.70'], `header cut after ${first}`);
  }
});

test('Modbus: a gap inside a split ADU reads nothing of it; the next segment that starts an ADU is read', () => {
  const cut = 20;
  const next = mbapAdu(1, modbusDeviceIdReply([[0, 'Later Vendor']]), 2);
  // Segment 2 is missing: its bytes never arrive, segment 3 starts a new ADU after the gap.
  const frames = segments(502, [MODBUS_REPLY.subarray(0, cut), next], [1000, 1000 + MODBUS_REPLY.length]);
  const r = run(frames);
  assert.equal(r.errors, 0);
  assert.deepEqual(identity(r.obs, 'vendor'), ['Later Vendor']);
});

test('Modbus: random splits of a stream of ADUs never throw and lose no ADU', () => {
  const stream = concat(
    ...Array.from({ length: 20 }, (_, i) => mbapAdu(1, modbusDeviceIdReply([[0, 'V' + i]]), i)),
  );
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed / 2 ** 32);
  for (let round = 0; round < 20; round++) {
    const parts: Bytes[] = [];
    // The first segment is the first ADU, whole (the framing is learnt from it); after it, any split.
    const first = 6 + (stream[4]! << 8) + stream[5]!;
    let o = 0;
    while (o < stream.length) {
      const n = o === 0 ? first : 1 + Math.floor(rnd() * 40);
      parts.push(stream.subarray(o, o + n));
      o += n;
    }
    const r = run(segments(502, parts));
    assert.equal(r.errors, 0);
    assert.equal(new Set(identity(r.obs, 'vendor')).size, 20);
  }
});

test('EtherNet/IP: a ListIdentity reply split across TCP segments gives the whole product name', () => {
  const reply = enipListIdentityReply('1756-EN2T/D ControlLogix EtherNet/IP');
  for (const cut of [24, 30, 40, reply.length - 2]) {
    const r = run(segments(44818, [reply.subarray(0, cut), reply.subarray(cut)]));
    assert.equal(r.errors, 0);
    assert.deepEqual(identity(r.obs, 'product'), ['1756-EN2T/D ControlLogix EtherNet/IP'], `cut at ${cut}`);
  }
  // The rest alone, without its start, is not EtherNet/IP.
  const tail = run(segments(44818, [reply.subarray(30)]));
  assert.deepEqual(identity(tail.obs, 'product'), []);
});

test('hostile continuations: garbage, lying lengths and huge messages cost the framing, never an exception', () => {
  let seed = 11;
  const junk = (n: number) =>
    Uint8Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed >>> 24));
  // A split Modbus reply whose rest is garbage, then a header that lies (length 0xffff).
  const lying = Uint8Array.from(MODBUS_REPLY);
  lying[4] = 0xff;
  lying[5] = 0xff;
  const later = mbapAdu(1, modbusDeviceIdReply([[0, 'After Garbage']]), 9);
  const mb = run(
    segments(
      502,
      [MODBUS_REPLY.subarray(0, 30), junk(200), lying, junk(50), later],
      [1000, 1030, 1230, 1230 + lying.length, 5000],
    ),
  );
  assert.equal(mb.errors, 0);
  // The bytes that follow in sequence are the reply's rest, whatever they hold (tshark reads them so
  // too): one garbled value, then the framing is lost until a segment starts an ADU after the gap.
  const vendors = identity(mb.obs, 'vendor');
  assert.equal(vendors.length, 2);
  assert.ok(vendors[0]!.startsWith('Schneider Elec'));
  assert.equal(vendors[1], 'After Garbage');
  // An EtherNet/IP message that says it is 60000 bytes long: at most ENCAP_CAP of it is held, the
  // rest stepped over; the identity reply after it in the same direction is still read.
  const big = concat(Uint8Array.from([0x6f, 0, 0x60, 0xea]), new Uint8Array(20));
  const parts: Bytes[] = [big];
  for (let i = 0; i < 60; i++) parts.push(junk(1000));
  parts.push(enipListIdentityReply('After Big'));
  const en = run(segments(44818, parts));
  assert.equal(en.errors, 0);
  assert.deepEqual(identity(en.obs, 'product'), ['After Big']);
});
