import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, u16, u16le, u32le, type Bytes } from '../../helpers/packets';
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
  udpFromServer,
  udpToServer,
} from './helpers';
import { agreement, corpusFiles, dec, hasTshark, runCapture, tshark } from './corpus';
import {
  assemblyPoints,
  ekeySegment,
  forwardOpen,
  sendUnitData,
  symbolSegment,
} from '../../helpers/ot-frames';

const PORT = 44818;

function encap(
  cmd: number,
  body: Bytes,
  o: { status?: number; session?: number; ctx?: number; len?: number } = {},
): Bytes {
  return concat(
    u16le(cmd),
    u16le(o.len ?? body.length),
    u32le(o.session ?? 0),
    u32le(o.status ?? 0),
    u32le(o.ctx ?? 0x11223344),
    u32le(0),
    u32le(0),
    body,
  );
}

function identityBody(
  name: string,
  o: { vendor?: number; type?: number; product?: number; serial?: number } = {},
): Bytes {
  return concat(
    u16le(o.vendor ?? 1),
    u16le(o.type ?? 0x0e),
    u16le(o.product ?? 54),
    [20, 11],
    u16le(0x0030),
    u32le(o.serial ?? 0x00c0ffee),
    [name.length],
    ascii(name),
  );
}

function listIdentityReply(name: string): Bytes {
  const item = concat(u16le(1), u16(2), u16(PORT), [10, 0, 0, 2], Array(8).fill(0), identityBody(name), [3]);
  return encap(0x63, concat(u16le(1), u16le(0x0c), u16le(item.length), item));
}

/** SendRRData carrying one unconnected CIP message (null address item + 0xb2 data item). */
function rr(cip: Bytes, ctx = 0x11223344): Bytes {
  return encap(
    0x6f,
    concat(u32le(0), u16le(10), u16le(2), u16le(0), u16le(0), u16le(0xb2), u16le(cip.length), cip),
    { ctx },
  );
}

/** A CIP request: service, path (class / instance / attribute, 8-bit segments), data. */
function cipReq(svc: number, cls: number, inst: number, attr = -1, data: number[] = []): Bytes {
  const path = [0x20, cls, 0x24, inst, ...(attr >= 0 ? [0x30, attr] : [])];
  return concat([svc, path.length / 2], path, data);
}

test('ListIdentity reply: vendor, device type, product code, revision, serial, name, state', () => {
  const r = run([
    udpToServer(PORT, encap(0x63, new Uint8Array(0))),
    udpFromServer(PORT, listIdentityReply('1756-L61/B LOGIX5561')),
  ]);
  assert.deepEqual(identity(r.obs, 'vendor-id'), ['1']);
  assert.deepEqual(identity(r.obs, 'product-code'), ['54']);
  assert.deepEqual(identity(r.obs, 'firmware'), ['20.11']);
  assert.deepEqual(identity(r.obs, 'serial'), ['0x00c0ffee']);
  assert.deepEqual(identity(r.obs, 'product'), ['1756-L61/B LOGIX5561']);
  assert.deepEqual(identity(r.obs, 'state'), ['operational']);
  assert.equal(identity(r.obs, 'device-type').length, 1);
  // The device profile's code beside its name: rules can match 14, not our wording of it.
  assert.deepEqual(identity(r.obs, 'device-type-id'), ['14']);
  const who = r.obs.find((o) => o.kind === 'identity')!;
  assert.deepEqual(who.device, { mac: '02:00:00:00:00:02', ip: '10.0.0.2' });
  assert.equal(who.frame, 2);
});

test('CIP Get_Attributes_All on Identity through Unconnected_Send is paired with its reply', () => {
  const inner = cipReq(0x01, 0x01, 1);
  const ucs = concat(
    cipReq(0x52, 0x06, 1),
    [0x07, 0xe9],
    u16le(inner.length),
    inner,
    [0x01, 0x00, 0x01, 0x00],
  );
  const reply = concat(
    [0x81, 0, 0, 0],
    identityBody('1756-ENBT/A', { type: 0x0c, product: 58, serial: 0x0051aec3 }),
  );
  const r = run([toServer(PORT, rr(ucs, 7)), fromServer(PORT, rr(reply, 7))]);
  assert.deepEqual(identity(r.obs, 'product'), ['1756-ENBT/A']);
  assert.deepEqual(identity(r.obs, 'serial'), ['0x0051aec3']);
  assert.deepEqual(identity(r.obs, 'product-code'), ['58']);
  // The reply is attributed to the replying device, not the requester.
  assert.ok(r.obs.filter((o) => o.kind === 'identity').every((o) => o.device.ip === '10.0.0.2'));
});

test('connected requests pair by their exact sequence count, an odd one apart from its even neighbour', () => {
  // An Identity read in flight when the next request goes out: its reply must find it, not the later
  // request (whose count, 5, once made the same key as 4).
  const reply = concat([0x81, 0, 0, 0], identityBody('1756-L71/B LOGIX5571'));
  const r = run([
    toServer(PORT, sendUnitData(4, cipReq(0x01, 0x01, 1))),
    toServer(PORT, sendUnitData(5, cipReq(0x0e, 0x8e, 1, 1))),
    fromServer(PORT, sendUnitData(4, reply, 0x5678)),
  ]);
  assert.deepEqual(identity(r.obs, 'product'), ['1756-L71/B LOGIX5571']);
});

test('a reply whose request was never seen states nothing (no pairing, no guess)', () => {
  const reply = concat([0x81, 0, 0, 0], identityBody('X'));
  const r = run([fromServer(PORT, rr(reply, 9))]);
  assert.deepEqual(identity(r.obs, 'product'), []);
});

test('Forward_Open gives scanner and adapter roles; Reset, firmware and TCP/IP set are events', () => {
  const fo = cipReq(0x54, 0x06, 1, -1, [
    0x0a,
    0x0e,
    ...u32le(0),
    ...u32le(0x1234),
    ...u16le(1),
    ...u16le(1),
    ...u32le(7),
    0,
    0,
    0,
    0,
    ...u32le(20000),
    ...u16le(0x43f4),
    ...u32le(20000),
    ...u16le(0x43f4),
    1,
    2,
    0x20,
    4,
  ]);
  const frames = [
    toServer(PORT, rr(fo, 1)),
    toServer(PORT, rr(cipReq(0x05, 0x01, 1, -1, [0]), 2)),
    toServer(PORT, rr(cipReq(0x4d, 0xa1, 1), 3)),
    toServer(PORT, rr(cipReq(0x10, 0xf5, 1, 5, [1, 2, 3, 4]), 4)),
  ];
  const r = run(frames);
  assert.ok(roles(r.obs).includes('cip-scanner@10.0.0.1'));
  assert.ok(roles(r.obs).includes('cip-adapter@10.0.0.2'));
  const ev = events(r.obs);
  for (const e of ['cip-connection-open', 'device-reset', 'firmware-update', 'ip-settings-change'])
    assert.ok(ev.includes(e), e);
  const open = r.obs.find((o) => o.kind === 'event' && o.event === 'cip-connection-open');
  assert.ok(
    open?.kind === 'event' && open.facts.connection === 'O->T RPI 20 ms, T->O RPI 20 ms',
    'RPIs of the crafted Forward_Open',
  );
  const reset = r.obs.find((o) => o.kind === 'event' && o.event === 'device-reset');
  assert.ok(
    reset !== undefined &&
      reset.kind === 'event' &&
      reset.peer?.ip === '10.0.0.2' &&
      typeof reset.facts.type === 'number' &&
      String(reset.facts.path).startsWith('class 0x'),
  );
});

test('RegisterSession and UDP class-1 I/O are recognised', () => {
  const reg = encap(0x65, Uint8Array.from([1, 0, 0, 0]), { session: 0x12020200 });
  const io = concat(
    u16le(2),
    u16le(0x8002),
    u16le(8),
    u32le(0xaabbccdd),
    u32le(5),
    u16le(0x00b1),
    u16le(6),
    u16le(5),
    [1, 2, 3, 4],
  );
  const r = run([fromServer(PORT, reg), udpToServer(2222, io)]);
  assert.deepEqual(attribute(r.obs, 'enip.session'), ['0x12020200']);
  assert.deepEqual(attribute(r.obs, 'cip.io.connection'), ['0xaabbccdd']);
  assert.ok(roles(r.obs).includes('cip-io-producer@10.0.0.1'));
});

test('non-EtherNet/IP payloads on 44818 and 2222 are not EtherNet/IP', () => {
  assertNotClaimed(toServer(PORT, HTTP_GET), 'enip');
  assertNotClaimed(udpToServer(2222, HTTP_GET), 'enip');
  // A valid command with non-zero options is rejected; so is an unknown command.
  const bad = encap(0x63, new Uint8Array(0));
  bad[20] = 1;
  assertNotClaimed(udpToServer(PORT, bad), 'enip');
  assertNotClaimed(udpToServer(PORT, encap(0x99, new Uint8Array(0))), 'enip');
});

test('hostile EtherNet/IP: truncation, lying lengths, random bytes never throw', () => {
  assertSurvivesHostile(listIdentityReply('1756-ENBT/A'), (b) => udpFromServer(PORT, b));
  const inner = cipReq(0x01, 0x01, 1);
  const ucs = concat(cipReq(0x52, 0x06, 1), [0x07, 0xe9], u16le(inner.length), inner, [1, 0, 1, 0]);
  assertSurvivesHostile(rr(ucs), (b) => toServer(PORT, b));
  assertSurvivesHostile(rr(concat([0x8a, 0, 0, 0], u16le(2), u16le(6), u16le(10), [0x81, 0, 0, 0])), (b) =>
    fromServer(PORT, b),
  );
  const lying = listIdentityReply('A');
  lying[2] = 0xff; // encapsulation length far beyond the datagram
  assertSurvivesHostile(lying, (b) => udpFromServer(PORT, b));
});

const CORPUS = corpusFiles(['enip', 'multi-lan-enip-plant']);

test('corpus: agreement with tshark on ListIdentity and CIP Identity fields', async (t) => {
  if (CORPUS.length === 0 || !hasTshark()) return t.skip('corpus or tshark absent');
  const fields = [
    'enip.lir.vendor',
    'enip.lir.name',
    'enip.lir.serial',
    'cip.id.product_name',
    'cip.id.serial_number',
    'cip.id.vendor_id',
  ];
  const totals = new Map<string, [number, number]>();
  for (const file of CORPUS) {
    const r = await runCapture(file);
    assert.equal(r.dissectorErrors, 0, file);
    const ts = tshark(file, 'enip.lir.name || cip.id.product_name || cip.id.serial_number', fields);
    const pick = (prefix: string, attr: string) => (o: (typeof r.obs)[number]) =>
      o.kind === 'identity' && o.attr === attr && o.field.startsWith(prefix) ? o.value : null;
    const checks = [
      agreement(ts, 0, fields[0]!, r.obs, pick('ListIdentity', 'vendor-id'), dec),
      agreement(ts, 1, fields[1]!, r.obs, pick('ListIdentity', 'product')),
      agreement(ts, 2, fields[2]!, r.obs, pick('ListIdentity', 'serial')),
      agreement(ts, 3, fields[3]!, r.obs, pick('Identity', 'product')),
      agreement(ts, 4, fields[4]!, r.obs, pick('Identity', 'serial')),
      agreement(ts, 5, fields[5]!, r.obs, pick('Identity', 'vendor-id'), dec),
    ];
    for (const a of checks) {
      assert.deepEqual(a.disagreements, [], `${file} ${a.field}`);
      // Every frame tshark decodes, we decode (these captures need no TCP reassembly).
      assert.deepEqual(a.tsharkOnly, [], `${file} ${a.field}: tshark-only frames`);
      const tot = totals.get(a.field) ?? [0, 0];
      totals.set(a.field, [tot[0] + a.both, tot[1] + a.agree]);
    }
  }
  for (const [f, [both, agree]] of totals) t.diagnostic(`${f}: ${agree}/${both} frames agree`);
  assert.ok((totals.get('enip.lir.name')?.[0] ?? 0) > 0, 'no ListIdentity reply decoded in the corpus');
  assert.ok((totals.get('cip.id.product_name')?.[0] ?? 0) > 0, 'no Identity reply decoded in the corpus');
});

test('corpus: ground-truth facts for the ControlLogix lab', async (t) => {
  if (!CORPUS.includes('multi-lan-enip-plant__iti-ics__EIP-IPAddressChangeAttempt.pcap'))
    return t.skip('corpus absent');
  const r = await runCapture('multi-lan-enip-plant__iti-ics__EIP-IPAddressChangeAttempt.pcap');
  const plc = r.obs.filter((o) => o.device.mac === '00:00:bc:3e:eb:e4');
  const products = new Set(identity(plc, 'product'));
  for (const p of ['1756-L61/B LOGIX5561', '1756-ENBT/A', 'MVI56 ProSoft Technology, Inc.'])
    assert.ok(products.has(p), p);
  const serials = new Set(identity(plc, 'serial'));
  for (const s of ['0x0051823f', '0x0051aec3', '0x0000ad77', '0x0000ad5e']) assert.ok(serials.has(s), s);
  const fw = new Set(identity(plc, 'firmware'));
  for (const v of ['16.20', '4.7', '1.2']) assert.ok(fw.has(v), v);
  assert.ok(new Set(identity(plc, 'vendor-id')).has('309'));
  // The engineering station is the client/scanner.
  assert.ok(roles(r.obs).includes('enip-client@192.168.10.105'));

  const fwc = await runCapture('multi-lan-enip-plant__iti-ics__EIP-FirmwareChange.pcap');
  assert.ok(events(fwc.obs).includes('firmware-update'));
  assert.ok(events(fwc.obs).includes('device-reset'));
  const upd = fwc.obs.find((o) => o.kind === 'event' && o.event === 'firmware-update');
  assert.equal(upd?.device.ip, '192.168.10.105');
});

/** Every `cip.ekey.*` and `cip.connection-target` attribute as `ip key=value`, in order. */
const targetFacts = (obs: ReturnType<typeof run>['obs']) =>
  obs.flatMap((o) =>
    o.kind === 'attribute' && (o.key.startsWith('cip.ekey.') || o.key === 'cip.connection-target')
      ? [`${o.device.ip} ${o.key}=${o.value}`]
      : [],
  );

test("Forward_Open's electronic key and connection points are stated about the target, once per path", () => {
  const io = concat(
    ekeySegment({ vendor: 1, deviceType: 7, productCode: 42, major: 2, minor: 3 }),
    assemblyPoints(1, 101, 100),
  );
  const drive = concat(
    [0x01, 0x00],
    ekeySegment({ deviceType: 2, compatible: true, major: 5 }),
    assemblyPoints(1, 150, 100),
  );
  const r = run([
    toServer(PORT, rr(forwardOpen({ transport: 0x01, path: io }), 1)),
    // The same path again (a reconnect) says nothing new; another path on the flow does.
    toServer(PORT, rr(forwardOpen({ transport: 0x01, path: io, serial: 2 }), 2)),
    toServer(PORT, rr(forwardOpen({ transport: 0x01, path: drive, serial: 3, large: true }), 3)),
  ]);
  assert.deepEqual(targetFacts(r.obs), [
    '10.0.0.2 cip.connection-target=class 1 to assembly',
    '10.0.0.2 cip.ekey.vendor-id=1',
    '10.0.0.2 cip.ekey.vendor=Rockwell Automation/Allen-Bradley',
    '10.0.0.2 cip.ekey.device-type-id=7',
    '10.0.0.2 cip.ekey.device-type=General Purpose Discrete I/O',
    '10.0.0.2 cip.ekey.product-code=42',
    '10.0.0.2 cip.ekey.revision=2.3',
    '10.0.0.2 cip.connection-target=class 1 to assembly',
    '10.0.0.2 cip.ekey.device-type-id=2',
    '10.0.0.2 cip.ekey.device-type=AC Drive',
    '10.0.0.2 cip.ekey.revision=5.0 or compatible',
  ]);
  // The role and the event stay once per flow.
  assert.equal(events(r.obs).filter((e) => e === 'cip-connection-open').length, 1);
  const key = r.obs.find((o) => o.kind === 'attribute' && o.key === 'cip.ekey.vendor-id');
  assert.equal(key?.field, 'Forward_Open.ekey.vendorId');
});

test('Forward_Opens that key nothing state nothing about their target', () => {
  // Class 3 to the Message Router (the corpus' explicit-messaging connections); a routed path (port
  // 2, an IP address) keys a device past the receiver; a symbolic tag states its tag connection only.
  const routed = concat(
    [0x12, 9],
    ascii('10.0.0.99'),
    [0],
    ekeySegment({ deviceType: 2 }),
    assemblyPoints(1, 2, 3),
  );
  const r = run([
    toServer(PORT, rr(forwardOpen({ transport: 0xa3, path: Uint8Array.from([0x20, 0x02, 0x24, 0x01]) }), 1)),
    toServer(PORT, rr(forwardOpen({ transport: 0x01, path: routed, serial: 2 }), 2)),
    toServer(PORT, rr(forwardOpen({ transport: 0x01, path: symbolSegment('Tag'), serial: 3 }), 3)),
  ]);
  assert.deepEqual(targetFacts(r.obs), ['10.0.0.2 cip.connection-target=class 1 to tag']);
  assert.ok(roles(r.obs).includes('cip-adapter@10.0.0.2'));
});

test('Forward_Open targets are bounded per flow', () => {
  const frames = Array.from({ length: 20 }, (_, i) =>
    toServer(
      PORT,
      rr(
        forwardOpen({
          transport: 0x01,
          path: concat(ekeySegment({ productCode: i + 1 }), assemblyPoints(1, 2, 3)),
          serial: i,
        }),
        i,
      ),
    ),
  );
  const r = run(frames);
  assert.equal(attribute(r.obs, 'cip.ekey.product-code').length, 8);
});

test('hostile Forward_Open paths: truncation, lying sizes, random bytes never throw', () => {
  const path = concat(
    [0x01, 0x00],
    ekeySegment({ vendor: 1, deviceType: 2, productCode: 9, major: 1 }),
    assemblyPoints(1, 2, 3),
  );
  assertSurvivesHostile(rr(forwardOpen({ transport: 0x01, path })), (b) => toServer(PORT, b));
  assertSurvivesHostile(rr(forwardOpen({ transport: 0x01, path, large: true })), (b) => toServer(PORT, b));
  // A stated size past the message, and a key cut short inside its stated size: nothing read; the
  // whole path after them on the same flow is read as ever.
  const r = run([
    toServer(PORT, rr(forwardOpen({ transport: 0x01, path: path.subarray(0, 6), pathWords: 40 }), 1)),
    toServer(
      PORT,
      rr(forwardOpen({ transport: 0x01, path: concat([0x34, 4], u16le(1), u16le(2)), serial: 2 }), 2),
    ),
    toServer(PORT, rr(forwardOpen({ transport: 0x01, path, serial: 3 }), 3)),
  ]);
  assert.equal(r.errors, 0);
  assert.deepEqual(
    r.obs.flatMap((o) => (o.kind === 'attribute' && o.key.startsWith('cip.ekey.') ? [o.frame] : [])),
    [3, 3, 3, 3, 3, 3],
    'only the whole path states its key',
  );
  assert.deepEqual(attribute(r.obs, 'cip.ekey.product-code'), ['9']);
});

test('a Forward_Open inside an Unconnected_Send keys the receiver only when the route stays on its backplane', () => {
  const path = concat(ekeySegment({ deviceType: 7 }), assemblyPoints(1, 2, 3));
  const ucs = (fo: Bytes, route: number[]) =>
    concat(
      cipReq(0x52, 0x06, 1),
      [0x07, 0xe9],
      u16le(fo.length),
      fo,
      fo.length % 2 === 1 ? [0] : [],
      [route.length / 2, 0],
      route,
    );
  const fo = (serial: number) => forwardOpen({ transport: 0x01, path, serial });
  const offNet = [0x12, 9, ...ascii('10.0.0.99'), 0];
  const r = run([toServer(PORT, rr(ucs(fo(1), offNet), 1)), toServer(PORT, rr(ucs(fo(2), [0x01, 0x00]), 2))]);
  assert.deepEqual(
    r.obs.flatMap((o) => (o.kind === 'attribute' && o.key === 'cip.ekey.device-type-id' ? [o.frame] : [])),
    [2],
  );
});

test('requests in flight pair with their replies as the ring of pending requests fills, wraps and empties', () => {
  const identityRead = cipReq(0x01, 0x01, 1);
  const write = cipReq(0x10, 0x64, 1, 3, [1, 0]);
  const reply = (n: number) => fromServer(PORT, rr(concat([0x81, 0, 0, 0], identityBody(`P${n}`)), 1000 + n));
  const frames: Bytes[] = [];
  // 40 Identity reads in flight, a write between each (not paired: it leaves a slot of its own too):
  // the ring keeps the newest 32 requests, so reads 25..40 are kept and reads 1..24 overwritten.
  for (let n = 1; n <= 40; n++) {
    frames.push(toServer(PORT, rr(identityRead, 1000 + n)));
    frames.push(toServer(PORT, rr(write, 5000 + n)));
  }
  for (const n of [40, 1, 24, 25, 33]) frames.push(reply(n));
  // Four more go into the four oldest slots in ring order: read 25's (answered, empty), write 25's,
  // read 26's and write 26's (overwritten). Then every read is answered, each at most once.
  for (let n = 41; n <= 44; n++) frames.push(toServer(PORT, rr(identityRead, 1000 + n)));
  for (let n = 26; n <= 44; n++) if (n !== 33 && n !== 40) frames.push(reply(n));
  frames.push(reply(44), reply(27));
  const r = run(frames);
  const answered = identity(r.obs, 'product').map((s) => Number(s.slice(1)));
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  assert.deepEqual(answered, [40, 25, 33, ...range(27, 32), ...range(34, 39), ...range(41, 44)]);
});
