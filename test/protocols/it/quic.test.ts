import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteWindow } from '../../../shared/decode/window';
import { Packet } from '../../../shared/decode/packet';
import type { AppContext } from '../../../shared/protocols/contract';
import type { Observation } from '../../../shared/model/observation';
import { dissectQuic } from '../../../shared/protocols/it/quic';
import {
  initialKeys,
  openPacket,
  quicVersion,
  readLongHeader,
  type LongHeader,
} from '../../../shared/protocols/it/quic-initial';
import { concat, udpFrame } from '../../helpers/packets';
import { tsharkAvailable, tsharkFields } from '../../helpers/tshark';
import { PCAPS, runCapture } from './corpus';
import { decodeFrames, hostileVariants, ofKind } from './run';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sha12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

const CLIENT = { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 50123 };
const SERVER = { mac: '02:00:00:00:00:20', ip: '10.0.0.20', port: 443 };

// RFC 9001 appendix A: the client's DCID, the published keys, and the protected packets.
const DCID = hex('8394c8f03e515708');
const A1 = {
  client: {
    key: '1f369613dd76d5467730efcbe3b1a22d',
    iv: 'fa044b2f42a3fd3b46fb255c',
    hp: '9f50449e04a0e810283a1e9933adedd2',
  },
  server: {
    key: 'cf3a5331653c364c88f0f379b6067e37',
    iv: '0ac1493ca1905853b0bba03e',
    hp: 'c206b8d9b9f0f37644430b490eeaa314',
  },
};
// RFC 9369 appendix A.1: the same DCID under QUIC v2.
const V2A1 = {
  client: {
    key: '8b1a0bc121284290a29e0971b5cd045d',
    iv: '91f73e2351d8fa91660e909f',
    hp: '45b95e15235d6f45a6b19cbcb0294ba9',
  },
  server: {
    key: '82db637861d55e1d011f19ea71d5d2a7',
    iv: 'dd13c276499c0249d3310652',
    hp: 'edf6d05c83121201b436e16877593c3a',
  },
};
/** A.2: the CRYPTO frame carrying the ClientHello (SNI example.com, ALPN "alpn"); then PADDING. */
const A2_CRYPTO = hex(`
  060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868
  04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578
  616d706c652e636f6dff01000100000a00080006001d00170018001000070005
  04616c706e000500050100000000003300260024001d00209370b2c9caa47fba
  baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400
  0d0010000e0403050306030203080408050806002d00020101001c0002400100
  3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000
  75300901100f088394c8f03e51570806048000ffff`);
const A2_PROTECTED = hex(`
  c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11
  d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399
  1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c
  8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212
  30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5
  457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208
  4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec
  4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3
  485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db
  059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c
  7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8
  9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556
  be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74
  68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a
  c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00
  f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632
  291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964
  25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd
  14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff
  ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198
  e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd
  c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73
  203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f
  cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e
  fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade
  a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047
  90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2
  162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4
  40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0
  6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e
  8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0
  be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400
  54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab
  760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9
  f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4
  056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064
  7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241
  e221af44860018ab0856972e194cd934`);
/** A.3: the server's Initial (ACK + CRYPTO with the ServerHello), keys from the client's DCID. */
const A3_PROTECTED = hex(`
  cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a
  5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3
  dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84
  022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4
  2158407dd074ee`);
/** RFC 9369 A.3: the same server Initial under QUIC v2. */
const V2A3_PROTECTED = hex(`
  dc6b3343cf0008f067a5502a4262b5004075d92faaf16f05d8a4398c47089698
  baeea26b91eb761d9b89237bbf87263017915358230035f7fd3945d88965cf17
  f9af6e16886c61bfc703106fbaf3cb4cfa52382dd16a393e42757507698075b2
  c984c707f0a0812d8cd5a6881eaf21ceda98f4bd23f6fe1a3e2c43edd9ce7ca8
  4bed8521e2e140`);

// What the A.2 ClientHello holds, read by hand from the RFC's bytes: TLS 1.2 legacy version, ciphers
// 1301 1302, extensions in order, groups 29 23 24, no point formats; signature algorithms in order.
const A2_JA3 = '771,4865-4866,0-65281-10-16-5-51-43-13-45-28-57,29-23-24,';
const A2_JA4 =
  'q13d0211an_' +
  sha12('1301,1302') +
  '_' +
  sha12('0005,000a,000d,001c,002b,002d,0033,0039,ff01_0403,0503,0603,0203,0804,0805,0806');
// The A.3 ServerHello: cipher 1301, extensions key_share (51) and supported_versions (43) = TLS 1.3.
const A3_JA3S = '771,4865,51-43';
const A3_JA4S = 'q130200_1301_' + sha12('0033,002b');

// An independent sealer (Node's crypto, not the dissector's primitives), to build our own packets.
function expandLabel(secret: Uint8Array, label: string, len: number): Buffer {
  const l = Buffer.from('tls13 ' + label);
  const info = Buffer.concat([Buffer.from([len >> 8, len & 0xff, l.length]), l, Buffer.from([0])]);
  return createHmac('sha256', secret)
    .update(info)
    .update(Buffer.from([1]))
    .digest()
    .subarray(0, len);
}
interface SealKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}
function sealKeys(v2: boolean, dcid: Uint8Array, side: 'client' | 'server', draft29 = false): SealKeys {
  const salt = v2
    ? '0dede3def700a6db819381be6e269dcbf9bd2ed9'
    : draft29
      ? 'afbfec289993d24c9e9786f19c6111e04390a899'
      : '38762cf7f55934b34d179ae6a4c80cadccbb7f0a';
  const initial = createHmac('sha256', Buffer.from(salt, 'hex')).update(dcid).digest();
  const secret = expandLabel(initial, side + ' in', 32);
  const p = v2 ? 'quicv2 ' : 'quic ';
  return {
    key: expandLabel(secret, p + 'key', 16),
    iv: expandLabel(secret, p + 'iv', 12),
    hp: expandLabel(secret, p + 'hp', 16),
  };
}

interface InitialOpts {
  v2?: boolean;
  /** draft-29: v1's layout and labels, the draft's salt. */
  draft29?: boolean;
  dcid?: Uint8Array;
  scid?: Uint8Array;
  pn?: number;
  /** Pad the packet's frames with PADDING up to this many payload bytes. */
  padTo?: number;
  side?: 'client' | 'server';
  /** Derive keys from this DCID instead of the header's (the server's packets, or a wrong key). */
  keyDcid?: Uint8Array;
}

/** A protected Initial packet with a 4-byte packet number and a 2-byte Length. */
function initial(frames: Uint8Array, o: InitialOpts = {}): Uint8Array {
  const v2 = o.v2 ?? false;
  const dcid = o.dcid ?? DCID;
  const scid = o.scid ?? new Uint8Array(0);
  const pn = o.pn ?? 2;
  const payload = new Uint8Array(Math.max(frames.length, o.padTo ?? 0));
  payload.set(frames);
  const len = 4 + payload.length + 16;
  const header = concat(
    [v2 ? 0xd3 : 0xc3],
    v2 ? [0x6b, 0x33, 0x43, 0xcf] : o.draft29 ? [0xff, 0, 0, 0x1d] : [0, 0, 0, 1],
    [dcid.length],
    dcid,
    [scid.length],
    scid,
    [0], // no token
    [0x40 | (len >> 8), len & 0xff],
    [(pn >>> 24) & 0xff, (pn >>> 16) & 0xff, (pn >>> 8) & 0xff, pn & 0xff],
  );
  const k = sealKeys(v2, o.keyDcid ?? dcid, o.side ?? 'client', o.draft29);
  const nonce = Buffer.from(k.iv);
  for (let i = 0; i < 4; i++) nonce[11 - i]! ^= (pn >>> (8 * i)) & 0xff;
  const c = createCipheriv('aes-128-gcm', k.key, nonce);
  c.setAAD(header);
  const sealed = Buffer.concat([c.update(payload), c.final(), c.getAuthTag()]);
  const pkt = concat(header, sealed);
  const pnAt = header.length - 4;
  const e = createCipheriv('aes-128-ecb', k.hp, null);
  e.setAutoPadding(false);
  const mask = e.update(pkt.subarray(pnAt + 4, pnAt + 20));
  pkt[0]! ^= mask[0]! & 0x0f;
  for (let i = 0; i < 4; i++) pkt[pnAt + i]! ^= mask[1 + i]!;
  return pkt;
}

function varint(v: number): number[] {
  if (v < 64) return [v];
  if (v < 16384) return [0x40 | (v >> 8), v & 0xff];
  return [0x80 | (v >>> 24), (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}
/** The A.2 ClientHello handshake message itself (without the CRYPTO frame header). */
const HELLO = A2_CRYPTO.subarray(4);
function crypto(offset: number, data: Uint8Array): Uint8Array {
  return concat([6], varint(offset), varint(data.length), data);
}

const keyHex = (k: { key: Uint8Array; iv: Uint8Array; hp: Uint8Array }) => ({
  key: toHex(k.key),
  iv: toHex(k.iv),
  hp: toHex(k.hp),
});

test('RFC 9001 A.1 and RFC 9369 A.1: Initial keys derived from the client DCID', () => {
  const v1 = initialKeys(quicVersion(1)!, DCID);
  assert.deepEqual(keyHex(v1.client), A1.client);
  assert.deepEqual(keyHex(v1.server), A1.server);
  const v2 = initialKeys(quicVersion(0x6b3343cf)!, DCID);
  assert.deepEqual(keyHex(v2.client), V2A1.client);
  assert.deepEqual(keyHex(v2.server), V2A1.server);
  // Our test sealer agrees with the RFC too, and rebuilds the RFC's protected packet byte for byte.
  assert.equal(sealKeys(false, DCID, 'client').key.toString('hex'), A1.client.key);
  assert.equal(toHex(initial(A2_CRYPTO, { padTo: 1162 })), toHex(A2_PROTECTED));
});

test("RFC 9001 A.2: the client's protected Initial decrypts to the RFC's CRYPTO frame", () => {
  const w = new ByteWindow().reset(A2_PROTECTED, 0, A2_PROTECTED.length);
  const h: LongHeader = { version: 0, type: 0, dcidAt: 0, dcidLen: 0, scidLen: 0, pnAt: 0, end: 0 };
  assert.ok(readLongHeader(w, 0, h));
  assert.deepEqual([h.version, h.type, h.dcidLen, h.scidLen, h.pnAt, h.end], [1, 0, 8, 0, 18, 1200]);
  const k = initialKeys(quicVersion(1)!, DCID).client;
  const r = openPacket(w, 0, h, k, -1);
  assert.ok(r);
  assert.equal(r.pn, 2);
  assert.equal(r.payload.length, 1162);
  assert.equal(toHex(r.payload.subarray(0, A2_CRYPTO.length)), toHex(A2_CRYPTO));
  assert.ok(r.payload.subarray(A2_CRYPTO.length).every((b) => b === 0));
  // The server's keys do not open the client's packet: the tag fails, nothing is returned.
  const s = initialKeys(quicVersion(1)!, DCID).server;
  assert.equal(openPacket(w, 0, h, s, -1), null);
  assert.equal(w.truncated, false);
});

test('QUIC v1: RFC client and server Initials give SNI, ALPN, JA3, JA4 (q), JA3S, JA4S', () => {
  const r = decodeFrames([udpFrame(CLIENT, SERVER, A2_PROTECTED), udpFrame(SERVER, CLIENT, A3_PROTECTED)]);
  assert.equal(r.errors, 0);
  assert.equal(r.decoder.stats.malformed, 0);
  assert.deepEqual(
    ofKind(r.obs, 'name-query').map((o) => [o.frame, o.protocol, o.field, o.device.ip, o.name]),
    [[1, 'quic', 'sni', '10.0.0.10', 'example.com']],
  );
  assert.deepEqual(
    ofKind(r.obs, 'address').map((o) => [o.device.ip, o.name]),
    [['10.0.0.20', 'example.com']],
  );
  const attrs = new Map(ofKind(r.obs, 'attribute').map((o) => [o.key, o.value]));
  assert.equal(attrs.get('tls-alpn'), 'alpn');
  assert.equal(attrs.get('tls-versions'), '0304');
  const fp = ofKind(r.obs, 'fingerprint').map((o) => [o.frame, o.device.ip, o.scheme, o.value]);
  assert.deepEqual(fp, [
    [1, '10.0.0.10', 'ja3', md5(A2_JA3)],
    [1, '10.0.0.10', 'ja4', A2_JA4],
    [2, '10.0.0.20', 'ja3s', md5(A3_JA3S)],
    [2, '10.0.0.20', 'ja4s', A3_JA4S],
  ]);
  assert.deepEqual(
    ofKind(r.obs, 'role').map((o) => [o.device.ip, o.role, o.peer?.ip]),
    [['10.0.0.20', 'tls-server', '10.0.0.10']],
  );
});

test('QUIC v2 (RFC 9369): our sealed client Initial and the RFC server Initial', () => {
  const client = initial(A2_CRYPTO, { v2: true, padTo: 1162 });
  // RFC 9369 A.2's protected header and sample: our sealer builds the RFC's packet.
  assert.equal(toHex(client.subarray(0, 22)), 'd76b3343cf088394c8f03e5157080000449ea0c95e82');
  assert.equal(toHex(client.subarray(22, 38)), 'ffe67b6abcdb4298b485dd04de806071');
  const r = decodeFrames([udpFrame(CLIENT, SERVER, client), udpFrame(SERVER, CLIENT, V2A3_PROTECTED)]);
  assert.equal(r.errors, 0);
  assert.deepEqual(
    ofKind(r.obs, 'name-query').map((o) => o.name),
    ['example.com'],
  );
  const fp = new Map(ofKind(r.obs, 'fingerprint').map((o) => [o.scheme, o.value]));
  assert.equal(fp.get('ja3'), md5(A2_JA3));
  assert.equal(fp.get('ja4'), A2_JA4);
  assert.equal(fp.get('ja3s'), md5(A3_JA3S));
  assert.equal(fp.get('ja4s'), A3_JA4S);
  // Compatible version negotiation: the client starts in v1, the server answers in v2 (same DCID).
  const mixed = decodeFrames([
    udpFrame(CLIENT, SERVER, A2_PROTECTED),
    udpFrame(SERVER, CLIENT, V2A3_PROTECTED),
  ]);
  assert.equal(ofKind(mixed.obs, 'fingerprint').find((o) => o.scheme === 'ja4s')?.value, A3_JA4S);
});

test('draft-29 (0xff00001d): the draft salt opens the client Initial', () => {
  const r = decodeFrames([udpFrame(CLIENT, SERVER, initial(A2_CRYPTO, { draft29: true, padTo: 1162 }))]);
  assert.deepEqual(
    ofKind(r.obs, 'fingerprint').map((o) => [o.scheme, o.value]),
    [
      ['ja3', md5(A2_JA3)],
      ['ja4', A2_JA4],
    ],
  );
});

test('ClientHello over three Initial packets, out of order and overlapping: one set of observations', () => {
  const a = HELLO.subarray(0, 90);
  const b = HELLO.subarray(60, 170); // overlaps a
  const c = HELLO.subarray(170);
  const frames = [
    // Frames inside a packet may be out of order too (Chrome shuffles them), with PING and PADDING.
    udpFrame(CLIENT, SERVER, initial(concat([1], crypto(170, c), [0, 0, 0]), { pn: 2, padTo: 1162 })),
    udpFrame(CLIENT, SERVER, initial(crypto(60, b), { pn: 1, padTo: 1162 })),
    udpFrame(CLIENT, SERVER, initial(concat(crypto(0, a), [1]), { pn: 0, padTo: 1162 })),
    // A later Initial (an ACK-only one): the direction is done, nothing again.
    udpFrame(CLIENT, SERVER, initial(crypto(0, HELLO), { pn: 3, padTo: 1162 })),
  ];
  const r = decodeFrames(frames);
  assert.equal(r.errors, 0);
  assert.deepEqual(
    ofKind(r.obs, 'name-query').map((o) => [o.frame, o.name]),
    [[3, 'example.com']],
  );
  assert.deepEqual(
    ofKind(r.obs, 'fingerprint').map((o) => [o.frame, o.scheme, o.value]),
    [
      [3, 'ja3', md5(A2_JA3)],
      [3, 'ja4', A2_JA4],
    ],
  );
});

test('coalesced packets: the server Initial after a Handshake packet, 1-RTT bytes after it', () => {
  const handshake = concat([0xe0, 0, 0, 0, 1, 8], DCID, [0], [0x40, 20], new Uint8Array(20).fill(7));
  const shortHeader = concat([0x40], new Uint8Array(30).fill(9));
  const r = decodeFrames([
    udpFrame(CLIENT, SERVER, A2_PROTECTED),
    udpFrame(SERVER, CLIENT, concat(handshake, A3_PROTECTED, shortHeader)),
  ]);
  assert.equal(r.errors, 0);
  assert.equal(ofKind(r.obs, 'fingerprint').find((o) => o.scheme === 'ja3s')?.value, md5(A3_JA3S));
});

test('Retry-style new DCID: keys follow the DCID of the Initial that decrypts', () => {
  const other = hex('0011223344556677aa');
  const r = decodeFrames([udpFrame(CLIENT, SERVER, initial(A2_CRYPTO, { dcid: other, padTo: 1162 }))]);
  assert.deepEqual(
    ofKind(r.obs, 'name-query').map((o) => o.name),
    ['example.com'],
  );
});

test('heuristic: a client Initial on another port is QUIC; 1200 random bytes are not', () => {
  const srv = { ...SERVER, port: 4433 };
  const r = decodeFrames([udpFrame(CLIENT, srv, A2_PROTECTED)]);
  assert.deepEqual(
    ofKind(r.obs, 'name-query').map((o) => o.name),
    ['example.com'],
  );
  const junk = Uint8Array.from({ length: 1200 }, (_, i) => (i * 37 + 11) & 0xff);
  junk[0] = 0xc3;
  const q = decodeFrames([udpFrame(CLIENT, srv, junk)]);
  assert.equal(q.obs.length, 0);
  assert.equal(q.errors, 0);
});

/** A recording context for calling the dissector directly. */
function fakeCtx(): AppContext & { obs: Observation[]; states: number; state: unknown } {
  const c = {
    obs: [] as Observation[],
    states: 0,
    state: undefined as unknown,
    emit(o: Observation) {
      c.obs.push(o);
    },
    finished() {},
    learnsOnce: false,
    flowState<T extends object>(_p: Packet, _n: string, init: () => T): T {
      c.states++;
      c.state ??= init();
      return c.state as T;
    },
    pairState<T extends object>(_p: Packet, _n: string, _m: 'src' | 'dst', init: () => T): T {
      return init();
    },
  };
  return c;
}
function pkt(src: { ip: string; port: number }, dst: { ip: string; port: number }): Packet {
  const p = new Packet();
  p.ipVersion = 4;
  p.src4 = Number(src.ip.split('.').reduce((a, x) => a * 256 + Number(x), 0));
  p.dst4 = Number(dst.ip.split('.').reduce((a, x) => a * 256 + Number(x), 0));
  p.ipProto = 17;
  p.srcPort = src.port;
  p.dstPort = dst.port;
  return p;
}

test('short headers, version negotiation and finished directions cost no flow lookup or decryption', () => {
  const ctx = fakeCtx();
  const p = pkt(CLIENT, SERVER);
  const w = new ByteWindow();
  const short = concat([0x41], new Uint8Array(1300));
  assert.equal(dissectQuic(w.reset(short, 0, short.length), p, ctx), true);
  const vn = concat([0x80, 0, 0, 0, 0, 8], DCID, [0], [0, 0, 0, 1]);
  assert.equal(dissectQuic(w.reset(vn, 0, vn.length), p, ctx), true);
  assert.equal(ctx.states, 0);
  assert.equal(ctx.obs.length, 0);
  dissectQuic(w.reset(A2_PROTECTED, 0, A2_PROTECTED.length), p, ctx);
  assert.equal(ctx.obs.filter((o) => o.kind === 'name-query').length, 1);
  const st = ctx.state as { client: { done: boolean; largestPn: number } };
  assert.equal(st.client.done, true);
  // Another client Initial with a higher packet number is not decrypted: largestPn stays at 2.
  const later = initial(A2_CRYPTO, { pn: 9, padTo: 1162 });
  dissectQuic(w.reset(later, 0, later.length), p, ctx);
  assert.equal(st.client.largestPn, 2);
  assert.equal(ctx.obs.filter((o) => o.kind === 'name-query').length, 1);
});

test('hostile Initials: lying lengths, long CIDs, short samples, far CRYPTO offsets, bad tags', () => {
  const cases: [string, Uint8Array][] = [
    [
      'DCID length 21',
      concat([0xc3, 0, 0, 0, 1, 21], new Uint8Array(21), [0, 0, 0x44, 0x9e], new Uint8Array(1200)),
    ],
    ['SCID length 255', concat([0xc3, 0, 0, 0, 1, 8], DCID, [255], new Uint8Array(1200))],
    [
      'Length beyond the datagram',
      concat(A2_PROTECTED.subarray(0, 16), [0x7f, 0xff], A2_PROTECTED.subarray(18)),
    ],
    [
      'token length beyond the datagram',
      concat(A2_PROTECTED.subarray(0, 15), [0x7f, 0xff], A2_PROTECTED.subarray(16)),
    ],
    ['truncated sample', concat([0xc3, 0, 0, 0, 1, 8], DCID, [0, 0, 0x0a], new Uint8Array(10))],
    ['only a header', A2_PROTECTED.subarray(0, 18)],
    ['keys of another DCID', initial(A2_CRYPTO, { keyDcid: hex('0102030405060708'), padTo: 1162 })],
    ['CRYPTO offset far beyond the cap', initial(crypto(1 << 29, HELLO), { padTo: 1162 })],
    ['CRYPTO length beyond the packet', initial(concat([6, 0, 0x7f, 0xff], HELLO), { padTo: 1162 })],
    [
      'hello length beyond the cap',
      initial(crypto(0, concat([1, 0x7f, 0, 0], HELLO.subarray(4))), { padTo: 1162 }),
    ],
    [
      'ACK with a lying range count',
      initial(concat([2, 0, 0, 0x7f, 0xff, 0], crypto(0, HELLO)), { padTo: 1162 }),
    ],
    ['CONNECTION_CLOSE first', initial(concat([0x1c, 0, 0, 0], crypto(0, HELLO)), { padTo: 1162 })],
    ['unknown frame first', initial(concat([0x08, 0], crypto(0, HELLO)), { padTo: 1162 })],
    ['ServerHello from the client', initial(crypto(0, concat([2], HELLO.subarray(1))), { padTo: 1162 })],
  ];
  for (const [name, payload] of cases) {
    const r = decodeFrames([udpFrame(CLIENT, SERVER, payload)]);
    assert.equal(r.errors, 0, name);
    assert.equal(ofKind(r.obs, 'name-query').length, 0, name);
    assert.equal(ofKind(r.obs, 'fingerprint').length, 0, name);
  }
  // A packet that does not decrypt is not malformed: it is encrypted for someone else.
  const bad = decodeFrames([udpFrame(CLIENT, SERVER, cases[6]![1])]);
  assert.equal(bad.decoder.stats.malformed, 0);
  // Every truncation and random byte flips of a real exchange: no throw, no error, no false name.
  const frame = udpFrame(CLIENT, SERVER, A2_PROTECTED);
  // (Prefixes: every one through the header, then every 32nd; a prefix of an Initial never decrypts.)
  const prefixes = frame.length - 42;
  const variants = hostileVariants(frame, 42).filter((_, i) => i < 64 || i % 32 === 0 || i >= prefixes);
  assert.ok(variants.length > 250);
  for (const v of variants) {
    const r = decodeFrames([v, udpFrame(SERVER, CLIENT, A3_PROTECTED)]);
    assert.equal(r.errors, 0);
    for (const o of ofKind(r.obs, 'name-query')) assert.equal(o.name, 'example.com');
  }
});

/** A gQUIC CHLO message: tag count, padding, (tag, end offset) pairs, values (little-endian). */
function chlo(tags: [string, string][]): Uint8Array {
  const index: number[] = [];
  let end = 0;
  for (const [t, v] of tags) {
    end += v.length;
    index.push(...Buffer.from(t.padEnd(4, '\0'), 'latin1'), end & 0xff, (end >> 8) & 0xff, 0, 0);
  }
  return concat(
    Buffer.from('CHLO'),
    [tags.length, 0, 0, 0],
    index,
    Buffer.from(tags.map(([, v]) => v).join(''), 'latin1'),
  );
}
const GQ_TAGS: [string, string][] = [
  ['PAD', '\0\0\0\0'],
  ['SNI', 'www.example.net'],
  ['VER', 'Q043'],
  ['UAID', 'beta Chrome/83.0.4103.34 Intel Mac OS X 10_13_6'],
];
const GQ_CID = hex('a335491355f4a970');
const HASH = new Uint8Array(12).fill(0x5a);
/** Q043: public flags (version, 8-byte CID, 4-byte packet number), CID, version, PN, hash, STREAM frame. */
function q043(msg: Uint8Array): Uint8Array {
  return concat(
    [0x29],
    GQ_CID,
    Buffer.from('Q043'),
    [0, 0, 0, 1],
    HASH,
    [0xa0, 1, msg.length >> 8, msg.length & 0xff],
    msg,
  );
}
/** Q046: IETF-style long header (Initial), CID lengths nibble, CID, 4-byte PN, hash, STREAM frame. */
function q046(msg: Uint8Array): Uint8Array {
  return concat(
    [0xc3],
    Buffer.from('Q046'),
    [0x50],
    GQ_CID,
    [0, 0, 0, 1],
    HASH,
    [0xa0, 1, msg.length >> 8, msg.length & 0xff],
    msg,
  );
}

test('gQUIC Q043 and Q046: the clear-text CHLO gives SNI and the user agent', () => {
  for (const build of [q043, q046]) {
    const r = decodeFrames([udpFrame(CLIENT, SERVER, build(chlo(GQ_TAGS)))]);
    assert.equal(r.errors, 0);
    assert.deepEqual(
      ofKind(r.obs, 'name-query').map((o) => [o.protocol, o.device.ip, o.name]),
      [['gquic', '10.0.0.10', 'www.example.net']],
    );
    assert.deepEqual(
      ofKind(r.obs, 'software').map((o) => [o.field, o.product, o.version, o.raw]),
      [['UAID', 'Chrome', '83.0.4103.34', 'beta Chrome/83.0.4103.34 Intel Mac OS X 10_13_6']],
    );
  }
  // Q050 encrypts the CHLO: a packet shaped like Q046 but naming Q050 is not read.
  const q050 = q046(chlo(GQ_TAGS));
  q050.set(Buffer.from('Q050'), 1);
  assert.equal(decodeFrames([udpFrame(CLIENT, SERVER, q050)]).obs.length, 0);
});

test('gQUIC hostile CHLOs: lying tag counts and offsets, truncation, corruption', () => {
  const lying = chlo(GQ_TAGS);
  lying[4] = 0xff; // 255 tags
  const backwards = chlo(GQ_TAGS);
  backwards[8 + 8 + 4] = 0; // SNI ends before PAD: offsets go backwards, reading stops
  for (const msg of [lying, backwards]) {
    const r = decodeFrames([udpFrame(CLIENT, SERVER, q043(msg))]);
    assert.equal(r.errors, 0);
    assert.equal(ofKind(r.obs, 'name-query').length, 0);
  }
  const frame = udpFrame(CLIENT, SERVER, q043(chlo(GQ_TAGS)));
  for (const v of hostileVariants(frame, 42)) {
    const r = decodeFrames([v]);
    assert.equal(r.errors, 0);
    for (const o of ofKind(r.obs, 'name-query')) assert.ok(o.name.length <= 255);
  }
});

// ---- The corpus: every capture with QUIC, compared with tshark frame by frame. ----

function manifestFiles(protos: string[]): string[] {
  const lines = readFileSync(join(PCAPS, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1);
  return lines
    .map((l) => l.split('\t'))
    .filter((c) => c.length >= 10 && c[9]!.split(',').some((p) => protos.includes(p)))
    .map((c) => c[0]!);
}

const h4 = (s: string) => s.replace(/^0x/, '').padStart(4, '0');
const grease = (v: number) => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
const ja4Ver = (v: string) => ({ '0304': '13', '0303': '12', '0302': '11', '0301': '10' })[h4(v)] ?? '00';
const two = (n: number) => String(Math.min(n, 99)).padStart(2, '0');
function alpn2(a: string | undefined): string {
  if (a === undefined || a === '') return '00';
  return /^[0-9a-z]$/i.test(a[0]!) && /^[0-9a-z]$/i.test(a[a.length - 1]!)
    ? a[0]! + a[a.length - 1]!
    : (() => {
        const x = Buffer.from(a, 'latin1').toString('hex');
        return x[0]! + x[x.length - 1]!;
      })();
}

/** JA4 from tshark's ClientHello fields, per the FoxIO spec, with 'q' for QUIC. */
function ja4FromTshark(f: Record<string, string[]>): string {
  const ciphers = f.cipher!.map((x) => parseInt(x, 16)).filter((x) => !grease(x));
  const exts = f.ext!.map(Number).filter((x) => !grease(x));
  const versions = f.sv!.map((x) => parseInt(x, 16)).filter((x) => !grease(x));
  const version = versions.length ? Math.max(...versions).toString(16) : f.version![0]!;
  // tshark lists the algorithms of signature_algorithms (13), delegated_credentials (34) and
  // signature_algorithms_cert (50) in one field, each list's byte length in another: take 13's.
  let at = 0;
  let k = 0;
  let sig: string[] = [];
  for (const e of f.ext!.map(Number)) {
    if (e !== 13 && e !== 34 && e !== 50) continue;
    const n = Number(f.siglen![k++] ?? 0) / 2;
    if (e === 13) sig = f.sig!.slice(at, at + n);
    at += n;
  }
  const a =
    'q' +
    ja4Ver(version) +
    (exts.includes(0) ? 'd' : 'i') +
    two(ciphers.length) +
    two(exts.length) +
    alpn2(f.alpn![0]);
  const b = sha12(
    ciphers
      .map((x) => h4(x.toString(16)))
      .sort()
      .join(','),
  );
  const rest = exts
    .filter((x) => x !== 0 && x !== 16)
    .map((x) => h4(x.toString(16)))
    .sort()
    .join(',');
  const s = sig
    .map(h4)
    .filter((x) => !grease(parseInt(x, 16)))
    .join(',');
  return a + '_' + b + '_' + sha12(s === '' ? rest : rest + '_' + s);
}
function ja4sFromTshark(f: Record<string, string[]>): string {
  const exts = f.ext!.map(Number).filter((x) => !grease(x));
  const version = f.sv!.length ? f.sv![0]! : f.version![0]!;
  const a = 'q' + ja4Ver(version) + two(exts.length) + alpn2(f.alpn![0]);
  return a + '_' + h4(f.cipher![0]!) + '_' + sha12(exts.map((x) => h4(x.toString(16))).join(','));
}

const FIELDS: Record<string, string> = {
  type: 'tls.handshake.type',
  sni: 'tls.handshake.extensions_server_name',
  ja3: 'tls.handshake.ja3',
  ja3s: 'tls.handshake.ja3s',
  version: 'tls.handshake.version',
  cipher: 'tls.handshake.ciphersuite',
  ext: 'tls.handshake.extension.type',
  sig: 'tls.handshake.sig_hash_alg',
  siglen: 'tls.handshake.sig_hash_alg_len',
  sv: 'tls.handshake.extensions.supported_version',
  alpn: 'tls.handshake.extensions_alpn_str',
};

/**
 * Frames where we knowingly differ from tshark, with the reason. Key: `${field}@${file}#${frame}`.
 * Empty: every QUIC hello tshark decodes in the corpus, we decode to the same values.
 */
const EXCEPTIONS: Record<string, string> = {};

test('corpus: QUIC and gQUIC hellos agree with tshark frame by frame (SNI, JA3, JA3S, JA4/JA4S from its fields, UAID)', (t) => {
  let files: string[];
  try {
    files = manifestFiles(['quic', 'gquic']);
  } catch {
    return t.skip('corpus not present');
  }
  if (!tsharkAvailable()) return t.skip('tshark not installed');
  const names = Object.keys(FIELDS);
  const compared: Record<string, number> = {
    sni: 0,
    ja3: 0,
    ja3s: 0,
    ja4: 0,
    ja4s: 0,
    'gquic-sni': 0,
    'gquic-uaid': 0,
  };
  const bad: string[] = [];
  for (const file of files) {
    const ts = tsharkFields(
      join(PCAPS, file),
      names.map((n) => FIELDS[n]!),
      'a',
      'quic',
    );
    const theirs = new Map<string, Set<string>>();
    const put = (field: string, frame: number, v: string) => {
      const k = `${field}#${frame}`;
      let s = theirs.get(k);
      if (s === undefined) theirs.set(k, (s = new Set()));
      s.add(v);
    };
    for (const [n, cols] of ts) {
      const f = Object.fromEntries(names.map((x, i) => [x, cols[i]!]));
      for (const v of f.sni!) put('sni', n, v);
      for (const v of f.ja3!) put('ja3', n, v);
      for (const v of f.ja3s!) put('ja3s', n, v);
      // One hello per frame in these captures: its fields are the frame's (checked, not assumed).
      if (f.type!.length !== 1) continue;
      if (f.type![0] === '1') put('ja4', n, ja4FromTshark(f));
      if (f.type![0] === '2') put('ja4s', n, ja4sFromTshark(f));
    }
    const gq = tsharkFields(join(PCAPS, file), ['gquic.tag.sni', 'gquic.tag.uaid'], 'a', 'gquic');
    for (const [n, [sni, uaid]] of gq) {
      for (const v of sni!) put('gquic-sni', n, v);
      for (const v of uaid!) put('gquic-uaid', n, v);
    }
    const ours = new Map<string, Set<string>>();
    for (const o of runCapture(join(PCAPS, file)).obs) {
      const field =
        o.protocol === 'quic'
          ? o.kind === 'name-query'
            ? 'sni'
            : o.kind === 'fingerprint'
              ? o.scheme
              : null
          : o.protocol === 'gquic'
            ? o.kind === 'name-query'
              ? 'gquic-sni'
              : o.kind === 'software'
                ? 'gquic-uaid'
                : null
            : null;
      if (field === null || compared[field] === undefined) continue;
      const k = `${field}#${o.frame}`;
      let s = ours.get(k);
      if (s === undefined) ours.set(k, (s = new Set()));
      s.add(
        o.kind === 'name-query'
          ? o.name
          : o.kind === 'fingerprint'
            ? o.value
            : o.kind === 'software'
              ? o.raw
              : '',
      );
    }
    for (const k of new Set([...theirs.keys(), ...ours.keys()])) {
      const field = k.slice(0, k.indexOf('#'));
      const key = `${field}@${file}${k.slice(k.indexOf('#'))}`;
      if (EXCEPTIONS[key] !== undefined) continue;
      const T = [...(theirs.get(k) ?? [])].sort();
      const O = [...(ours.get(k) ?? [])].sort();
      compared[field]!++;
      if (JSON.stringify(T) !== JSON.stringify(O))
        bad.push(`${key}: tshark ${JSON.stringify(T)} ours ${JSON.stringify(O)}`);
    }
  }
  t.diagnostic(`frames compared over ${files.length} captures: ${JSON.stringify(compared)}`);
  assert.ok(
    Object.values(compared).every((n) => n > 0),
    'a field was never compared',
  );
  assert.deepEqual(bad, []);
});
