import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../../shared/decode/decoder';
import { LAYERS } from '../../../shared/decode/layers/index';
import { LINKTYPE_ETHERNET } from '../../../shared/decode/linktypes';
import type { Observation } from '../../../shared/model/observation';
import { OT_PROTOCOLS } from '../../../shared/protocols/ot/index';
import {
  POLL_INTERVALS,
  POLL_MAX_GAP_MS,
  POLL_SIGNATURES,
  PollMeter,
  periodText,
} from '../../../shared/protocols/common/polling';
import { concat, tcpFrame, u16, u16le, u32, u32le, udpFrame, type Bytes } from '../../helpers/packets';
import { mbapAdu, registerSession, sendRRData, sendUnitData } from '../../helpers/ot-frames';
import { prng } from '../../helpers/random';

/**
 * The polling period as a behaviour fact: the median interval between repeats of one request from a
 * master to a field device, per pair of addresses (across connections), stated on the device (`polled-every`) and on the master
 * (`polls-every`); a CIP producer's cyclic I/O (`io-cycle`). Regular polling only; bounded state.
 */

const MASTER = { mac: '02:00:00:00:0b:01', ip: '10.1.0.1', port: 51000 };
const DEVICE = { mac: '02:00:00:00:0b:02', ip: '10.1.0.2', port: 0 };

/** Frames at the given capture times (ms), through one engine-like decoder (learning once on). */
function runAt(frames: readonly { at: number; frame: Bytes }[]): Observation[] {
  const decoder = new Decoder(LAYERS, OT_PROTOCOLS, 65536, 60_000, true);
  const obs: Observation[] = [];
  decoder.onObservation = (o) => obs.push(o);
  frames.forEach(({ at, frame }, i) =>
    decoder.decode(frame, LINKTYPE_ETHERNET, 1_700_000_000_000 + at, i + 1, frame.length),
  );
  assert.equal(decoder.stats.dissectorErrors, 0);
  return obs;
}

function polls(obs: readonly Observation[]): string[] {
  return obs.flatMap((o) =>
    o.kind === 'attribute' && o.field === 'poll' ? [`${o.protocol} ${o.device.ip} ${o.key} ${o.value}`] : [],
  );
}

/**
 * A master's cycle every `period` ms (with `jitter` ms either way): `requests` built for cycle `c`
 * back to back 2 ms apart, each answered 1 ms later by `reply` when given.
 */
function cycles(
  n: number,
  period: number,
  requests: (c: number) => Bytes[],
  reply?: (c: number, k: number) => Bytes,
  jitter = 0,
): { at: number; frame: Bytes }[] {
  const rnd = prng(7);
  const out: { at: number; frame: Bytes }[] = [];
  for (let c = 0; c < n; c++) {
    let at = c * period + (rnd() * 2 - 1) * jitter;
    requests(c).forEach((frame, k) => {
      out.push({ at, frame });
      if (reply) out.push({ at: at + 1, frame: reply(c, k) });
      at += 2;
    });
  }
  return out;
}

test('PollMeter: the period of repeated requests, not the gap between a cycle’s requests', () => {
  const m = new PollMeter();
  m.answer();
  const said: number[] = [];
  for (let c = 0; c < 20; c++)
    for (let k = 0; k < 3; k++) {
      const v = m.request(100 + k, c * 1000 + k * 3);
      if (v > 0) said.push(v);
    }
  assert.deepEqual(said, [1000], 'stated once, at the first full ring');
  // It takes POLL_INTERVALS repeats of one request.
  const n = new PollMeter();
  n.answer();
  for (let c = 0; c < POLL_INTERVALS; c++) assert.equal(n.request(1, c * 50), -1);
  assert.equal(n.request(1, POLL_INTERVALS * 50), 50);
});

test('PollMeter: requests nobody answers are not polling; the first answer lets the period be said', () => {
  const m = new PollMeter();
  for (let c = 0; c < 30; c++) assert.equal(m.request(1, c * 1000), -1, `unanswered request ${c}`);
  m.answer();
  assert.equal(m.request(1, 30_000), 1000);
});

test('PollMeter: jitter is not news; a period that doubles or halves is stated again', () => {
  const m = new PollMeter();
  m.answer();
  const rnd = prng(3);
  const said: number[] = [];
  let t = 0;
  for (let c = 0; c < 40; c++) {
    t += 1000 + (rnd() * 2 - 1) * 150;
    const v = m.request(9, t);
    if (v > 0) said.push(Math.round(v / 100) * 100);
  }
  assert.equal(said.length, 1, `jittered 1 s polls stated once: ${said.join(',')}`);
  for (let c = 0; c < 20; c++) {
    t += 250;
    const v = m.request(9, t);
    if (v > 0) said.push(v);
  }
  assert.deepEqual(said.slice(1), [250]);
});

test('PollMeter: irregular repeats (bursts, browsing) have no period; gaps are not polling', () => {
  const m = new PollMeter();
  m.answer();
  const rnd = prng(11);
  let t = 0;
  for (let c = 0; c < 200; c++) {
    // A request and its retry a few ms later, then a pause of random length: no cycle.
    t += c % 2 === 0 ? 5 + rnd() * 10 : 500 + rnd() * 5000;
    assert.equal(m.request(5, t), -1, `irregular at ${c}`);
  }
  const g = new PollMeter();
  g.answer();
  for (let c = 0; c < 50; c++) assert.equal(g.request(5, c * (POLL_MAX_GAP_MS + 1)), -1);
});

test('PollMeter: bounded: thousands of signatures keep POLL_SIGNATURES, and a poll among them is still timed', () => {
  const m = new PollMeter();
  m.answer();
  let said = -1;
  for (let c = 0; c < 30; c++) {
    // Each cycle: one repeated read, then many one-off requests that would flush an unbounded table.
    const v = m.request(42, c * 1000);
    if (v > 0) said = v;
    for (let k = 0; k < POLL_SIGNATURES - 2; k++) m.request(1_000_000 + c * 100 + k, c * 1000 + 1 + k);
  }
  assert.equal(said, 1000);
  // The state is fixed-size typed arrays: nothing grows with what was heard.
  const sizes = Object.values(m).map((v) => (ArrayBuffer.isView(v) ? v.byteLength : 8));
  assert.ok(sizes.reduce((a, b) => a + b, 0) < 512, `state ${sizes.join('+')} bytes`);
});

test('periodText rounds to steps, so near periods read the same', () => {
  assert.equal(periodText(1000), '1000 ms');
  assert.equal(periodText(980), '1000 ms');
  assert.equal(periodText(1040), '1000 ms');
  assert.equal(periodText(14_800), '15000 ms');
  assert.equal(periodText(16_200), '15000 ms');
  assert.equal(periodText(10.2), '10 ms');
  assert.equal(periodText(4.1), '4 ms');
  assert.equal(periodText(0.52), '0.5 ms');
  assert.equal(periodText(120_000), '120000 ms');
});

test('Modbus: three reads per cycle every second, the device polled every 1000 ms, the master polling', () => {
  const server = { ...DEVICE, port: 502 };
  let tid = 1;
  const read = (addr: number) =>
    mbapAdu(1, Uint8Array.from([0x03, addr >> 8, addr & 0xff, 0x00, 0x0a]), tid++);
  const obs = runAt(
    cycles(
      12,
      1000,
      () => [0x0000, 0x0100, 0x0200].map((a) => tcpFrame(MASTER, server, read(a))),
      () => tcpFrame(server, MASTER, mbapAdu(1, Uint8Array.from([0x03, 0x02, 0, 1]), tid)),
      40,
    ),
  );
  assert.deepEqual(polls(obs), [
    'modbus 10.1.0.2 polled-every 1000 ms',
    'modbus 10.1.0.1 polls-every 1000 ms',
  ]);
});

test('Modbus: requests that never repeat (a one-off scan) state no period', () => {
  const server = { ...DEVICE, port: 502 };
  const frames = Array.from({ length: 60 }, (_, i) => ({
    at: i * 1000,
    frame: tcpFrame({ ...MASTER, port: 52000 }, server, mbapAdu(1, Uint8Array.from([0x03, 0, i, 0, 1]), i)),
  }));
  assert.deepEqual(polls(runAt(frames)), []);
});

test('Modbus: the same write every second, answered, is control, not polling', () => {
  const server = { ...DEVICE, port: 502 };
  const client = { ...MASTER, port: 52700 };
  const frames = cycles(
    12,
    1000,
    (c) => [tcpFrame(client, server, mbapAdu(1, Uint8Array.from([0x06, 0, 1, 0, 7]), c))],
    (c) => tcpFrame(server, client, mbapAdu(1, Uint8Array.from([0x06, 0, 1, 0, 7]), c)),
  );
  assert.deepEqual(polls(runAt(frames)), []);
});

test('Modbus: the same read every second that nobody answers polls nothing', () => {
  const server = { ...DEVICE, port: 502 };
  const frames = Array.from({ length: 30 }, (_, i) => ({
    at: i * 1000,
    frame: tcpFrame({ ...MASTER, port: 52500 }, server, mbapAdu(1, Uint8Array.from([0x03, 0, 0, 0, 1]), i)),
  }));
  assert.deepEqual(polls(runAt(frames)), []);
});

test('S7comm: the same read job every 200 ms', () => {
  const server = { ...DEVICE, port: 102 };
  const client = { ...MASTER, port: 53000 };
  const dt = (payload: Bytes) => concat([3, 0], u16(7 + payload.length), [2, 0xf0, 0x80], payload);
  const job = (ref: number, params: number[]) =>
    dt(concat([0x32, 1, 0, 0], u16(ref), u16(params.length), u16(0), params));
  // Read Var, one item: DB1.DBW0, 2 bytes.
  const readVar = [0x04, 1, 0x12, 0x0a, 0x10, 0x02, 0x00, 0x02, 0x00, 0x01, 0x84, 0x00, 0x00, 0x00];
  let ref = 1;
  // The ack-data: header with error class and code, Read Var with one item, data.
  const ack = (r: number) =>
    dt(concat([0x32, 3, 0, 0], u16(r), u16(2), u16(6), [0, 0], [0x04, 1], [0xff, 0x04, 0x00, 0x10, 0, 0]));
  const obs = runAt(
    cycles(
      10,
      200,
      () => [tcpFrame(client, server, job(ref++, readVar))],
      () => tcpFrame(server, client, ack(ref - 1)),
    ),
  );
  assert.deepEqual(polls(obs), ['s7comm 10.1.0.2 polled-every 200 ms', 's7comm 10.1.0.1 polls-every 200 ms']);
});

test('DNP3: a class 0 poll (READ) every 5 s, whatever the sequence numbers; select and operate are no polling', () => {
  const server = { ...DEVICE, port: 20000 };
  const client = { ...MASTER, port: 54000 };
  const crc = (b: number[]): number[] => {
    let c = 0;
    for (const x of b) {
      c ^= x;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa6bc : c >>> 1;
    }
    return [...u16le(~c & 0xffff)];
  };
  const frame = (seq: number) => {
    const user = [0xc0 | (seq & 0x3f), 0xc0 | (seq & 0x0f), 0x01, 0x3c, 0x01, 0x06];
    const hdr = [0x05, 0x64, 5 + user.length, 0xc4, 10, 0, 1, 0];
    return Uint8Array.from([...hdr, ...crc(hdr), ...user, ...crc(user)]);
  };
  const response = () => {
    const user = [0xc0, 0xc0, 0x81, 0x00, 0x00];
    const hdr = [0x05, 0x64, 5 + user.length, 0x44, 1, 0, 10, 0];
    return Uint8Array.from([...hdr, ...crc(hdr), ...user, ...crc(user)]);
  };
  let seq = 0;
  // SELECT then OPERATE in a loop, answered: control, not polling.
  const control = (fc: number) => {
    const user = [0xc0 | (seq & 0x3f), 0xc0 | (seq++ & 0x0f), fc, 0x0c, 0x01, 0x17, 0x01, 0x00];
    const hdr = [0x05, 0x64, 5 + user.length, 0xc4, 10, 0, 1, 0];
    return Uint8Array.from([...hdr, ...crc(hdr), ...user, ...crc(user)]);
  };
  const operate = runAt(
    cycles(
      12,
      100,
      () => [tcpFrame(client, server, control(3)), tcpFrame(client, server, control(4))],
      () => tcpFrame(server, client, response()),
    ),
  );
  assert.deepEqual(polls(operate), []);
  const obs = runAt(
    cycles(
      9,
      5000,
      () => [tcpFrame(client, server, frame(seq++))],
      () => tcpFrame(server, client, response()),
    ),
  );
  assert.deepEqual(polls(obs), ['dnp3 10.1.0.2 polled-every 5000 ms', 'dnp3 10.1.0.1 polls-every 5000 ms']);
});

test('IEC 104: an interrogation every 60 s, APCI sequence numbers aside; commands are no polling', () => {
  const server = { ...DEVICE, port: 2404 };
  const client = { ...MASTER, port: 55000 };
  let ns = 0;
  const gi = () => {
    const asdu = [100, 1, 6, 0, ...u16le(4711), 0, 0, 0, 20];
    const n = ns++ << 1;
    return Uint8Array.from([0x68, 4 + asdu.length, n & 0xff, n >> 8, 0, 0, ...asdu]);
  };
  const ack = () => Uint8Array.from([0x68, 4, 0x01, 0x00, (ns << 1) & 0xff, ns >> 7]);
  // A single command (C_SC_NA_1) every second is control, not polling.
  const cmd = () => {
    const asdu = [45, 1, 6, 0, ...u16le(4711), 1, 0, 0, 0x81];
    const n = ns++ << 1;
    return Uint8Array.from([0x68, 4 + asdu.length, n & 0xff, n >> 8, 0, 0, ...asdu]);
  };
  const commands = runAt(
    cycles(
      10,
      1000,
      () => [tcpFrame(client, server, cmd())],
      () => tcpFrame(server, client, ack()),
    ),
  );
  assert.deepEqual(polls(commands), []);
  const obs = runAt(
    cycles(
      8,
      60_000,
      () => [tcpFrame(client, server, gi())],
      () => tcpFrame(server, client, ack()),
    ),
  );
  assert.deepEqual(polls(obs), [
    'iec104 10.1.0.2 polled-every 60000 ms',
    'iec104 10.1.0.1 polls-every 60000 ms',
  ]);
});

test('BACnet: ReadProperty of two objects every 30 s, invoke ids aside', () => {
  const a = { ...MASTER, port: 47808 };
  const b = { ...DEVICE, port: 47808 };
  let invoke = 0;
  const rp = (instance: number) => {
    const apdu = [0x00, 0x05, invoke++ & 0xff, 0x0c, 0x0c, ...u32((0 << 22) | instance), 0x19, 0x55];
    const npdu = [0x01, 0x04];
    return concat([0x81, 0x0a], u16(4 + npdu.length + apdu.length), npdu, apdu);
  };
  // An Error PDU (class device, code other): the server answered, with nothing to keep.
  const err = () =>
    concat([0x81, 0x0a], u16(4 + 2 + 7), [0x01, 0x00], [0x50, invoke & 0xff, 0x0c, 0x91, 0x00, 0x91, 0x00]);
  const obs = runAt(
    cycles(
      8,
      30_000,
      () => [udpFrame(a, b, rp(1)), udpFrame(a, b, rp(2))],
      () => udpFrame(b, a, err()),
    ),
  );
  assert.deepEqual(polls(obs), [
    'bacnet 10.1.0.2 polled-every 30000 ms',
    'bacnet 10.1.0.1 polls-every 30000 ms',
  ]);
});

test('EtherNet/IP: a Read Tag over a CIP connection every 100 ms; cyclic I/O every 10 ms', () => {
  const server = { ...DEVICE, port: 44818 };
  const client = { ...MASTER, port: 56000 };
  const readTag = Uint8Array.from([0x4c, 0x03, 0x91, 0x03, 0x54, 0x61, 0x67, 0x00, 0x01, 0x00]);
  const unitData = (seq: number) => sendUnitData(seq, readTag);
  const replyTag = Uint8Array.from([0xcc, 0x00, 0x00, 0x00, 0xc3, 0x00, 0x01, 0x00]);
  const unitReply = (seq: number) => sendUnitData(seq, replyTag, 0x5678);
  let seq = 0;
  const explicit = runAt(
    cycles(
      10,
      100,
      () => [tcpFrame(client, server, unitData(seq++))],
      () => tcpFrame(server, client, unitReply(seq - 1)),
    ),
  );
  assert.deepEqual(polls(explicit), [
    'enip 10.1.0.2 polled-every 100 ms',
    'enip 10.1.0.1 polls-every 100 ms',
  ]);
  // The same cycle of Write Tag (0x4d) requests, or of Set_Attribute_Single on an object, is
  // control, not polling: no period.
  const writeTag = Uint8Array.from([
    0x4d, 0x03, 0x91, 0x03, 0x54, 0x61, 0x67, 0x00, 0xc4, 0x00, 1, 0, 1, 0, 0, 0,
  ]);
  const setAttr = Uint8Array.from([0x10, 0x03, 0x20, 0x64, 0x24, 0x01, 0x30, 0x03, 0x01, 0x00]);
  for (const req of [writeTag, setAttr]) {
    let n = 0;
    const control = runAt(
      cycles(
        10,
        100,
        () => [tcpFrame(client, server, sendUnitData(n++, req))],
        () =>
          tcpFrame(server, client, sendUnitData(n - 1, Uint8Array.from([req[0]! | 0x80, 0, 0, 0]), 0x5678)),
      ),
    );
    assert.deepEqual(polls(control), []);
  }

  // Class 1 I/O on UDP 2222 both ways: sequenced address (connection id, sequence), connected data.
  const io = (conn: number, n: number) =>
    concat(
      u16le(2),
      u16le(0x8002),
      u16le(8),
      u32le(conn),
      u32le(n),
      u16le(0x00b1),
      u16le(6),
      u16le(n),
      [1, 2, 3, 4],
    );
  const adapter = { ...DEVICE, port: 2222 };
  const scanner = { ...MASTER, port: 2222 };
  const frames: { at: number; frame: Bytes }[] = [];
  for (let n = 0; n < 12; n++) {
    frames.push({ at: n * 10, frame: udpFrame(scanner, adapter, io(0x1111, n)) });
    frames.push({ at: n * 20 + 3, frame: udpFrame(adapter, scanner, io(0x2222, n)) });
  }
  const cyc = runAt(frames).flatMap((o) =>
    o.kind === 'attribute' && o.key === 'io-cycle' ? [`${o.device.ip} ${o.value}`] : [],
  );
  assert.deepEqual(cyc.sort(), ['10.1.0.1 10 ms', '10.1.0.2 20 ms']);
});

type End = { mac: string; ip: string; port: number };

/**
 * A master that connects, polls and closes every `period` ms, `n` times, each time from a new source
 * port: SYN, SYN-ACK, ACK, then each request and its reply 1 ms apart, then FIN both ways. `exchange`
 * gives poll `c`'s request-reply pairs.
 */
function connectionPerPoll(
  n: number,
  period: number,
  server: End,
  exchange: (c: number) => [Bytes, Bytes][],
): { at: number; frame: Bytes }[] {
  const out: { at: number; frame: Bytes }[] = [];
  for (let c = 0; c < n; c++) {
    const client = { ...MASTER, port: 40000 + c * 7 };
    let at = c * period;
    const put = (from: End, to: End, payload: Bytes, flags: number) =>
      out.push({ at: at++, frame: tcpFrame(from, to, payload, { flags }) });
    put(client, server, new Uint8Array(0), 0x02);
    put(server, client, new Uint8Array(0), 0x12);
    put(client, server, new Uint8Array(0), 0x10);
    for (const [request, reply] of exchange(c)) {
      put(client, server, request, 0x18);
      put(server, client, reply, 0x18);
    }
    put(client, server, new Uint8Array(0), 0x11);
    put(server, client, new Uint8Array(0), 0x11);
    put(client, server, new Uint8Array(0), 0x10);
  }
  return out;
}

test('Modbus: a master that opens a new connection for every read, every second: polled every 1000 ms', () => {
  const server = { ...DEVICE, port: 502 };
  const frames = connectionPerPoll(8, 1000, server, (c) => [
    [
      mbapAdu(1, Uint8Array.from([0x03, 0x00, 0x10, 0x00, 0x04]), c + 1),
      mbapAdu(1, Uint8Array.from([0x03, 0x08, 0, 1, 0, 2, 0, 3, 0, 4]), c + 1),
    ],
  ]);
  assert.deepEqual(polls(runAt(frames)), [
    'modbus 10.1.0.2 polled-every 1000 ms',
    'modbus 10.1.0.1 polls-every 1000 ms',
  ]);
  // Five connections give four intervals: not yet a period (the pair needs POLL_INTERVALS repeats).
  assert.deepEqual(
    polls(
      runAt(
        connectionPerPoll(POLL_INTERVALS, 1000, server, (c) => [
          [
            mbapAdu(1, Uint8Array.from([0x03, 0x00, 0x10, 0x00, 0x04]), c + 1),
            mbapAdu(1, Uint8Array.from([0x03, 0x08, 0, 1, 0, 2, 0, 3, 0, 4]), c + 1),
          ],
        ]),
      ),
    ),
    [],
  );
});

test('Modbus: per pair means per master: two masters reading one device on alternate seconds are two periods', () => {
  const server = { ...DEVICE, port: 502 };
  const other = { mac: '02:00:00:00:0b:03', ip: '10.1.0.3', port: 0 };
  const read = Uint8Array.from([0x03, 0x00, 0x10, 0x00, 0x04]);
  const reply = Uint8Array.from([0x03, 0x08, 0, 1, 0, 2, 0, 3, 0, 4]);
  const frames: { at: number; frame: Bytes }[] = [];
  for (let c = 0; c < 8; c++) {
    // Each master reads every 2 s on its own connection; together the device is read every second.
    const m = c % 2 === 0 ? MASTER : other;
    const client = { ...m, port: 41000 + c };
    frames.push({ at: c * 1000, frame: tcpFrame(client, server, mbapAdu(1, read, c)) });
    frames.push({ at: c * 1000 + 1, frame: tcpFrame(server, client, mbapAdu(1, reply, c)) });
  }
  // Four reads per master: three intervals each, no period; a device-wide meter would say 1000 ms.
  assert.deepEqual(polls(runAt(frames)), []);
  for (let c = 8; c < 16; c++) {
    const m = c % 2 === 0 ? MASTER : other;
    const client = { ...m, port: 41000 + c };
    frames.push({ at: c * 1000, frame: tcpFrame(client, server, mbapAdu(1, read, c)) });
    frames.push({ at: c * 1000 + 1, frame: tcpFrame(server, client, mbapAdu(1, reply, c)) });
  }
  assert.deepEqual(polls(runAt(frames)).sort(), [
    'modbus 10.1.0.1 polls-every 2000 ms',
    'modbus 10.1.0.2 polled-every 2000 ms',
    'modbus 10.1.0.2 polled-every 2000 ms',
    'modbus 10.1.0.3 polls-every 2000 ms',
  ]);
});

test('EtherNet/IP: a client that registers a session and reads once per connection, every second', () => {
  const server = { ...DEVICE, port: 44818 };
  // Get_Attribute_Single of an assembly's data (class 4, instance 100, attribute 3), and its reply.
  const read = Uint8Array.from([0x0e, 0x03, 0x20, 0x04, 0x24, 0x64, 0x30, 0x03]);
  const data = Uint8Array.from([0x8e, 0x00, 0x00, 0x00, 1, 2, 3, 4]);
  const frames = connectionPerPoll(8, 1000, server, (c) => {
    const session = 0x1000 + c;
    return [
      [registerSession(), registerSession(session)],
      [sendRRData(session, read, c), sendRRData(session, data, c)],
    ];
  });
  assert.deepEqual(polls(runAt(frames)), [
    'enip 10.1.0.2 polled-every 1000 ms',
    'enip 10.1.0.1 polls-every 1000 ms',
  ]);
});
