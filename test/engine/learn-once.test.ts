/**
 * Learn once per flow (issue 19): a dissector that has learnt all a flow can tell says so
 * (AppContext.finished) and the engine stops handing it the flow's payloads, which still count as
 * its protocol. OT dissectors keep decoding writes and commands in full while routine polling takes
 * a cheap path, and those still raise their alerts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers/index';
import { LINKTYPE_ETHERNET } from '../../shared/decode/linktypes';
import type { Observation } from '../../shared/model/observation';
import type { AppProtocol } from '../../shared/protocols/contract';
import { tls } from '../../shared/protocols/it/tls';
import { ssh } from '../../shared/protocols/it/ssh';
import { http, HTTP_MESSAGES } from '../../shared/protocols/it/http';
import { modbus } from '../../shared/protocols/ot/modbus';
import { enip } from '../../shared/protocols/ot/enip';
import { AlertEngine } from '../../shared/alerts/engine';
import { ascii, concat, tcpFrame, u16, u16le, u32le, type Bytes } from '../helpers/packets';
import { mbapAdu, sendRRData, sendUnitData } from '../helpers/ot-frames';

/** A dissector that records the frames it was handed. */
function counted(a: AppProtocol): { app: AppProtocol; frames: number[] } {
  const frames: number[] = [];
  return {
    frames,
    app: {
      ...a,
      dissect: (w, p, ctx) => {
        frames.push(p.frame);
        return a.dissect(w, p, ctx);
      },
    },
  };
}

interface Run {
  decoder: Decoder;
  obs: Observation[];
  /** The protocol names that claimed each frame, by frame number (1-based). */
  protos: string[][];
}

function run(frames: readonly Bytes[], apps: readonly AppProtocol[], learnOnce = true): Run {
  // As the engine runs it: learning once per flow on (the bare decoder's default is off).
  const decoder = new Decoder(LAYERS, apps, 65536, 0, learnOnce);
  const obs: Observation[] = [];
  decoder.onObservation = (o) => obs.push(o);
  const protos: string[][] = [[]];
  frames.forEach((f, i) => {
    const b = Uint8Array.from(f);
    const p = decoder.decode(b, LINKTYPE_ETHERNET, 1_700_000_000_000 + i * 1000, i + 1, b.length);
    protos.push(p.protos.slice(0, p.protoCount));
  });
  return { decoder, obs, protos };
}

const values = (obs: readonly Observation[], kind: string, key: string): string[] =>
  obs.flatMap((o) => {
    const x = o as unknown as Record<string, unknown>;
    return o.kind === kind && typeof x[key] === 'string' ? [x[key]] : [];
  });

const CLIENT = { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 50123 };
const u24 = (v: number) => [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
const record = (type: number, body: Bytes) => concat([type, 3, 3], u16(body.length), body);
const handshake = (type: number, body: Bytes) => concat([type], u24(body.length), body);
const ext = (type: number, body: number[]) => [...u16(type), ...u16(body.length), ...body];

function clientHello(sni: string): Bytes {
  const name = [...ascii(sni)];
  const exts = ext(0, [...u16(name.length + 3), 0, ...u16(name.length), ...name]);
  return record(
    22,
    handshake(
      1,
      concat(
        u16(0x0303),
        new Uint8Array(32).fill(7),
        [0],
        [0, 2, 0x13, 0x01],
        [1, 0],
        u16(exts.length),
        exts,
      ),
    ),
  );
}

/** A ServerHello; TLS 1.3 (supported_versions 0x0304) or 1.2 followed by ServerHelloDone. */
function serverHello(v13: boolean): Bytes {
  const exts = v13 ? ext(43, [...u16(0x0304)]) : [];
  const sh = handshake(
    2,
    concat(u16(0x0303), new Uint8Array(32).fill(9), [0], [0x13, 0x01], [0], u16(exts.length), exts),
  );
  return record(22, v13 ? sh : concat(sh, handshake(14, new Uint8Array(0))));
}

for (const v13 of [true, false]) {
  test(`TLS ${v13 ? '1.3' : '1.2'}: after both hellos the flow is finished; later payloads reach no dissector`, () => {
    const srv = { mac: '02:00:00:00:00:20', ip: '10.0.0.20', port: 443 };
    const t = counted(tls);
    const r = run(
      [
        tcpFrame(CLIENT, srv, clientHello('api.example.org')),
        tcpFrame(srv, CLIENT, serverHello(v13)),
        // After the handshake: application data, garbage, and a ClientHello naming another server.
        tcpFrame(CLIENT, srv, record(23, new Uint8Array(64).fill(0xab))),
        tcpFrame(srv, CLIENT, new Uint8Array(200).fill(0x5a)),
        tcpFrame(CLIENT, srv, clientHello('evil.example.org')),
      ],
      [t.app],
    );
    assert.deepEqual(t.frames, [1, 2]);
    assert.deepEqual(r.decoder.learnOnce, { flowsFinished: 1, payloadsSkipped: 3 });
    // Still TLS to the inventory (protocol lists, edges), every one of them.
    for (const f of [3, 4, 5]) assert.ok(r.protos[f]!.includes('tls'), `frame ${f}: ${r.protos[f]}`);
    assert.deepEqual(values(r.obs, 'name-query', 'name'), ['api.example.org']);
    assert.deepEqual(values(r.obs, 'role', 'role'), ['tls-server']);
    assert.deepEqual(values(r.obs, 'fingerprint', 'scheme'), ['ja3', 'ja4', 'ja3s', 'ja4s']);
  });
}

test('TLS: a flow whose server never answered is not finished, and its later payloads are dissected', () => {
  const srv = { mac: '02:00:00:00:00:21', ip: '10.0.0.21', port: 443 };
  const t = counted(tls);
  const r = run(
    [tcpFrame(CLIENT, srv, clientHello('a.example.org')), tcpFrame(CLIENT, srv, new Uint8Array(40).fill(1))],
    [t.app],
  );
  assert.deepEqual(t.frames, [1, 2]);
  assert.deepEqual(r.decoder.learnOnce, { flowsFinished: 0, payloadsSkipped: 0 });
});

/** SSH_MSG_KEXINIT as a binary packet: length, padding length, code 20, cookie, ten name-lists. */
function kexinit(kex: string): Bytes {
  const lists = [
    kex,
    'ssh-ed25519',
    'aes128-ctr',
    'aes128-ctr',
    'hmac-sha2-256',
    'hmac-sha2-256',
    'none',
    'none',
    '',
    '',
  ];
  const be32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const body = concat(
    [20],
    new Uint8Array(16).fill(3),
    ...lists.map((l) => concat(be32(l.length), ascii(l))),
    [0, 0, 0, 0, 0],
  );
  return concat(be32(body.length + 5), [4], body, new Uint8Array(4));
}

test('SSH: after both banners and both KEXINITs, a later banner-like payload is not read', () => {
  const srv = { mac: '02:00:00:00:00:22', ip: '10.0.0.22', port: 22 };
  const frames = (clientKex: boolean) => [
    tcpFrame(srv, CLIENT, concat(ascii('SSH-2.0-OpenSSH_9.6\r\n'), kexinit('curve25519-sha256'))),
    tcpFrame(CLIENT, srv, ascii('SSH-2.0-PuTTY_Release_0.80\r\n')),
    ...(clientKex ? [tcpFrame(CLIENT, srv, kexinit('diffie-hellman-group14-sha256'))] : []),
    // Encrypted traffic, one segment of which happens to start like a banner.
    tcpFrame(srv, CLIENT, concat(ascii('SSH-2.0-Evil_6.6\r\n'), new Uint8Array(30).fill(0xee))),
    tcpFrame(CLIENT, srv, new Uint8Array(48).fill(0x77)),
  ];
  const s = counted(ssh);
  const r = run(frames(true), [s.app]);
  assert.deepEqual(s.frames, [1, 2, 3]);
  assert.deepEqual(r.decoder.learnOnce, { flowsFinished: 1, payloadsSkipped: 2 });
  assert.ok(r.protos[4]!.includes('ssh') && r.protos[5]!.includes('ssh'));
  assert.deepEqual(values(r.obs, 'software', 'product'), ['OpenSSH', 'PuTTY_Release']);
  assert.deepEqual(values(r.obs, 'fingerprint', 'scheme'), ['hassh-server', 'hassh']);
  // The control: without the client's KEXINIT the flow is not finished, and the same bytes are read.
  const open = run(frames(false), [ssh]);
  assert.equal(open.decoder.learnOnce.flowsFinished, 0);
  assert.ok(values(open.obs, 'software', 'product').includes('Evil'));
});

test(`HTTP: after ${HTTP_MESSAGES} requests and responses a keep-alive connection is finished`, () => {
  const srv = { mac: '02:00:00:00:00:23', ip: '10.0.0.23', port: 80 };
  const frames: Bytes[] = [];
  for (let i = 1; i <= HTTP_MESSAGES + 1; i++) {
    frames.push(
      tcpFrame(
        CLIENT,
        srv,
        ascii(`GET /${i} HTTP/1.1\r\nHost: cam.example\r\nUser-Agent: agent/${i}\r\n\r\n`),
      ),
    );
    frames.push(tcpFrame(srv, CLIENT, ascii('HTTP/1.1 204 No Content\r\nServer: Boa/0.94\r\n\r\n')));
  }
  const h = counted(http);
  const r = run(frames, [h.app]);
  assert.equal(h.frames.length, 2 * HTTP_MESSAGES);
  assert.deepEqual(r.decoder.learnOnce, { flowsFinished: 1, payloadsSkipped: 2 });
  assert.ok(r.protos[frames.length]!.includes('http'));
  const agents = values(r.obs, 'software', 'raw').filter((v) => v.startsWith('agent/'));
  assert.deepEqual(
    agents,
    Array.from({ length: HTTP_MESSAGES }, (_, i) => `agent/${i + 1}`),
  );
});

test('HTTP: each direction stops on its own, so a flow seen one way states what the whole flow does', () => {
  const srv = { mac: '02:00:00:00:00:25', ip: '10.0.0.25', port: 80 };
  const frames: Bytes[] = [];
  for (let i = 1; i <= HTTP_MESSAGES + 2; i++)
    frames.push(
      tcpFrame(
        CLIENT,
        srv,
        ascii(`GET /${i} HTTP/1.1\r\nHost: cam.example\r\nUser-Agent: one-way/${i}\r\n\r\n`),
      ),
    );
  const agents = (r: Run) => values(r.obs, 'software', 'raw').filter((v) => v.startsWith('one-way/'));
  const r = run(frames, [http]);
  assert.equal(agents(r).length, HTTP_MESSAGES);
  // Never finished (no server seen), and every payload still went to the dissector.
  assert.deepEqual(r.decoder.learnOnce, { flowsFinished: 0, payloadsSkipped: 0 });
  // With learning once off (the bare decoder, as the tshark comparisons run it) every request is read.
  assert.equal(agents(run(frames, [http], false)).length, HTTP_MESSAGES + 2);
});

test('HTTP: a response whose title is still being looked for keeps the flow open', () => {
  const srv = { mac: '02:00:00:00:00:24', ip: '10.0.0.24', port: 80 };
  const frames: Bytes[] = [];
  for (let i = 1; i <= HTTP_MESSAGES; i++) {
    frames.push(tcpFrame(CLIENT, srv, ascii(`GET /${i} HTTP/1.1\r\nHost: cam.example\r\n\r\n`)));
    const last = i === HTTP_MESSAGES;
    frames.push(
      tcpFrame(
        srv,
        CLIENT,
        ascii(
          `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n${last ? '<html><he' : '<html><head></head>'}`,
        ),
      ),
    );
  }
  frames.push(tcpFrame(srv, CLIENT, ascii('ad><title>Camera 7</title></head>')));
  const r = run(frames, [http]);
  assert.deepEqual(values(r.obs, 'attribute', 'value'), ['Camera 7']);
  assert.equal(r.decoder.learnOnce.flowsFinished, 1);
});

/**
 * A CIP Identity object's Get_Attributes_All reply data: vendor 1, type 0x0e (PLC), product code
 * 166, revision 33.11, status 0x3060, serial 0xc0ffee, and the product name.
 */
function identityAttributes(product: string): Bytes {
  const name = ascii(product);
  return concat(
    u16le(1),
    u16le(0x0e),
    u16le(166),
    [33, 11],
    u16le(0x3060),
    u32le(0xc0ffee),
    [name.length],
    name,
  );
}

const PLC = { mac: '02:00:00:00:00:30', ip: '10.0.0.30', port: 502 };
const HMI = { mac: '02:00:00:00:00:31', ip: '10.0.0.31', port: 50500 };

function alertsOf(obs: readonly Observation[]): string[] {
  const engine = new AlertEngine({ learning: { durationMs: 0 } });
  for (const o of obs) engine.observe(o);
  return engine
    .drain()
    .filter((a) => a.kind === 'ot-event')
    .map((a) => String(a.detail.event));
}

test('Modbus: routine reads take the cheap path; a write and a program download after them are still read', () => {
  const frames: Bytes[] = [];
  const POLLS = 20;
  for (let i = 0; i < POLLS; i++) {
    frames.push(tcpFrame(HMI, PLC, mbapAdu(1, concat([0x03, 0x00, 0x10, 0x00, 0x02]), i + 1)));
    frames.push(tcpFrame(PLC, HMI, mbapAdu(1, concat([0x03, 0x04, 0, i, 0, 0]), i + 1)));
  }
  frames.push(tcpFrame(HMI, PLC, mbapAdu(1, concat([0x06, 0x00, 0x10, 0x00, 0x2a]), 100)));
  frames.push(tcpFrame(HMI, PLC, mbapAdu(1, concat([0x5a, 0x00, 0x31, 0x00]), 101)));
  // A reply from another unit id is new: read in full, and stated.
  frames.push(tcpFrame(PLC, HMI, mbapAdu(2, concat([0x03, 0x02, 0, 1]), 102)));
  const r = run(frames, [modbus]);
  const state = r.decoder.flows.get(r.decoder.packet, false)?.state?.get('modbus') as { routine: number };
  // The first request and the first reply state the roles and the unit id; the rest are routine.
  assert.equal(state.routine, 2 * POLLS - 2);
  assert.deepEqual(values(r.obs, 'role', 'role'), [
    'modbus-client',
    'modbus-server',
    'modbus-umas-engineering',
  ]);
  const polling = r.obs.filter((o) => o.field === 'poll');
  assert.deepEqual(
    values(
      r.obs.filter((o) => !polling.includes(o)),
      'attribute',
      'value',
    ),
    ['1', '2'],
  );
  // The cheap path still times the polling: the same read every other frame, frames 1 s apart.
  assert.deepEqual(
    polling.map((o) => (o.kind === 'attribute' ? `${o.device.ip} ${o.key} ${o.value}` : '')),
    ['10.0.0.30 polled-every 2000 ms', '10.0.0.31 polls-every 2000 ms'],
  );
  assert.deepEqual(values(r.obs, 'event', 'event'), ['modbus-write', 'programming', 'program-download']);
  assert.deepEqual(alertsOf(r.obs), ['programming', 'program-download']);
  for (let f = 1; f <= frames.length; f++) assert.ok(r.protos[f]!.includes('modbus'), `frame ${f}`);
});

const readTag = concat([0x4c, 3, 0x91, 4], ascii('Tag1'), u16le(1));
const readTagReply = concat([0xcc, 0, 0, 0], u16le(0xc4), u32le(42));

test('EtherNet/IP: Read Tag polling takes the cheap path; an identity read, a Stop and an IP change are still read', () => {
  const plc = { ...PLC, port: 44818 };
  const frames: Bytes[] = [];
  const POLLS = 10;
  for (let i = 1; i <= POLLS; i++) {
    frames.push(tcpFrame(HMI, plc, sendUnitData(i, readTag)));
    frames.push(tcpFrame(plc, HMI, sendUnitData(i, readTagReply)));
  }
  // Get_Attributes_All on Identity instance 1, and its reply naming the product.
  frames.push(tcpFrame(HMI, plc, sendUnitData(50, concat([0x01, 2, 0x20, 0x01, 0x24, 0x01]))));
  const ident = identityAttributes('1756-L85E/B');
  frames.push(tcpFrame(plc, HMI, sendUnitData(50, concat([0x81, 0, 0, 0], ident))));
  frames.push(tcpFrame(HMI, plc, sendUnitData(51, concat([0x07, 2, 0x20, 0x8e, 0x24, 0x01]))));
  frames.push(
    tcpFrame(
      HMI,
      plc,
      sendUnitData(52, concat([0x10, 3, 0x20, 0xf5, 0x24, 0x01, 0x30, 0x05], u32le(0x0a000063))),
    ),
  );
  const r = run(frames, [enip]);
  const state = r.decoder.flows.get(r.decoder.packet, false)?.state?.get('enip') as { routine: number };
  // The first request states the client role and connected messaging, and the first reply starts the
  // reply direction's stream: every later read and reply is routine.
  assert.equal(state.routine, 2 * POLLS - 2);
  const product = r.obs.flatMap((o) => (o.kind === 'identity' && o.attr === 'product' ? [o.value] : []));
  assert.deepEqual(product, ['1756-L85E/B']);
  assert.deepEqual(values(r.obs, 'event', 'event'), ['controller-stop', 'ip-settings-change']);
  assert.deepEqual(alertsOf(r.obs), ['controller-stop', 'ip-settings-change']);
});

test('EtherNet/IP: SendRRData messages in step go straight to CIP; polling, an identity read and a Reset still read', () => {
  const plc = { ...PLC, port: 44818 };
  const frames: Bytes[] = [];
  const POLLS = 10;
  // Get_Attribute_Single, class 0x64 instance 1 attribute 3, paired by the sender context.
  const read = concat([0x0e, 3, 0x20, 0x64, 0x24, 0x01, 0x30, 0x03]);
  for (let i = 1; i <= POLLS; i++) {
    frames.push(tcpFrame(HMI, plc, sendRRData(0x11, read, i)));
    frames.push(tcpFrame(plc, HMI, sendRRData(0x11, concat([0x8e, 0, 0, 0], u16le(7)), i)));
  }
  const ident = identityAttributes('1756-L85E/B');
  frames.push(tcpFrame(HMI, plc, sendRRData(0x11, concat([0x01, 2, 0x20, 0x01, 0x24, 0x01]), 50)));
  frames.push(tcpFrame(plc, HMI, sendRRData(0x11, concat([0x81, 0, 0, 0], ident), 50)));
  frames.push(tcpFrame(HMI, plc, sendRRData(0x11, concat([0x05, 2, 0x20, 0x01, 0x24, 0x01, 0x00]), 51)));
  const r = run(frames, [enip]);
  const state = r.decoder.flows.get(r.decoder.packet, false)?.state?.get('enip') as { routine: number };
  // The first request states the client role and the first reply starts the reply direction's
  // stream; every later message takes the short way, the identity read and the Reset too.
  assert.equal(state.routine, 2 * POLLS - 2 + 3);
  const product = r.obs.flatMap((o) => (o.kind === 'identity' && o.attr === 'product' ? [o.value] : []));
  assert.deepEqual(product, ['1756-L85E/B']);
  assert.deepEqual(
    r.obs
      .filter((o) => o.field === 'poll')
      .map((o) => (o.kind === 'attribute' ? `${o.device.ip} ${o.key} ${o.value}` : '')),
    ['10.0.0.30 polled-every 2000 ms', '10.0.0.31 polls-every 2000 ms'],
  );
  assert.deepEqual(
    values(r.obs, 'attribute', 'value').filter((v) => v.startsWith('service')),
    [
      'service 0x0e on class 0x64 instance 1 attribute 3',
      'service 0x01 on class 0x1 instance 1',
      'service 0x05 on class 0x1 instance 1',
    ],
  );
  assert.deepEqual(values(r.obs, 'event', 'event'), ['device-reset']);
  assert.deepEqual(alertsOf(r.obs), ['device-reset']);
});

test('EtherNet/IP: whole SendUnitData messages in step go straight to CIP and state what the stream path states', () => {
  const plc = { ...PLC, port: 44818 };
  const ident = identityAttributes('1756-L85E/B');
  // Multiple_Service to the Message Router: Get_Attributes_All on Identity, Get_Attribute_Single.
  const subA = concat([0x01, 2, 0x20, 0x01, 0x24, 0x01]);
  const subB = concat([0x0e, 3, 0x20, 0x64, 0x24, 0x01, 0x30, 0x03]);
  const multi = concat(
    [0x0a, 2, 0x20, 0x02, 0x24, 0x01],
    u16le(2),
    u16le(6),
    u16le(6 + subA.length),
    subA,
    subB,
  );
  const repA = concat([0x81, 0, 0, 0], ident);
  const repB = concat([0x8e, 0, 0, 0], u16le(7));
  const multiReply = concat([0x8a, 0, 0, 0], u16le(2), u16le(6), u16le(6 + repA.length), repA, repB);
  // Get_Attribute_List on Identity instance 1: the serial number (attribute 6).
  const list = concat([0x03, 2, 0x20, 0x01, 0x24, 0x01], u16le(1), u16le(6));
  const listReply = concat([0x83, 0, 0, 0], u16le(1), u16le(6), u16le(0), u32le(0xbadc0de));
  // A Reset without its type byte: the message is short, the segment is not truncated.
  const reset = concat([0x05, 2, 0x20, 0x01, 0x24, 0x01]);
  const messages: [typeof HMI, typeof plc, Bytes][] = [
    [HMI, plc, sendUnitData(1, readTag)],
    [plc, HMI, sendUnitData(1, readTagReply)],
    [HMI, plc, sendUnitData(2, multi)],
    [plc, HMI, sendUnitData(2, multiReply)],
    [HMI, plc, sendUnitData(3, list)],
    [plc, HMI, sendUnitData(3, listReply)],
    [HMI, plc, sendUnitData(4, reset)],
  ];
  const whole = run(
    messages.map(([a, b, m]) => tcpFrame(a, b, m)),
    [enip],
  );
  // The same messages each split over two segments: read whole by the direction's stream.
  const split = run(
    messages.flatMap(([a, b, m]) => [tcpFrame(a, b, m.subarray(0, 30)), tcpFrame(a, b, m.subarray(30))]),
    [enip],
  );
  const state = (r: Run) =>
    r.decoder.flows.get(r.decoder.packet, false)?.state?.get('enip') as { direct: number };
  // After the first request and reply (which state the roles and start the streams), all five.
  assert.equal(state(whole).direct, 5);
  assert.equal(state(split).direct, 0);
  const facts = (r: Run) => r.obs.map((o) => JSON.stringify({ ...o, frame: 0, ts: 0 }));
  assert.ok(facts(whole).length > 0);
  assert.deepEqual(facts(whole), facts(split));
  const identity = whole.obs.flatMap((o) => (o.kind === 'identity' ? [`${o.attr} ${o.value}`] : []));
  assert.ok(identity.includes('product 1756-L85E/B'), identity.join(', '));
  assert.ok(
    identity.some((v) => v.startsWith('serial') && v.includes('badc0de')),
    identity.join(', '),
  );
  assert.deepEqual(values(whole.obs, 'event', 'event'), ['device-reset']);
  assert.deepEqual(alertsOf(whole.obs), ['device-reset']);
  assert.equal(whole.decoder.stats.malformed, 0);
});

test('EtherNet/IP: a short SendRRData message read the short way is not a truncated segment', () => {
  const plc = { ...PLC, port: 44818 };
  const read = concat([0x0e, 3, 0x20, 0x64, 0x24, 0x01, 0x30, 0x03]);
  const frames = [
    tcpFrame(HMI, plc, sendRRData(0x11, read, 1)),
    tcpFrame(plc, HMI, sendRRData(0x11, concat([0x8e, 0, 0, 0], u16le(7)), 1)),
    // A Reset without its type byte, as the stream path reads it too.
    tcpFrame(HMI, plc, sendRRData(0x11, concat([0x05, 2, 0x20, 0x01, 0x24, 0x01]), 2)),
  ];
  const r = run(frames, [enip]);
  const state = r.decoder.flows.get(r.decoder.packet, false)?.state?.get('enip') as { routine: number };
  assert.equal(state.routine, 1);
  assert.deepEqual(values(r.obs, 'event', 'event'), ['device-reset']);
  assert.equal(r.decoder.stats.malformed, 0);
});
