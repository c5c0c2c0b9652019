import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { ascii, concat, ethernet, ipv6, tcp, tcpFrame } from '../../helpers/packets';
import { decodeFrames, hostileVariants, ofKind } from './run';
import { Decoder } from '../../../shared/decode/decoder';
import { LAYERS } from '../../../shared/decode/layers/index';
import { IT_PROTOCOLS } from '../../../shared/protocols/it/index';
import { synObservations } from '../../helpers/decode';
import { STREAM_BUDGET, StreamBuf, streamBytesInUse } from '../../../shared/protocols/it/stream';
import { ByteWindow } from '../../../shared/decode/window';

const CLIENT = { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 50123 };
const CAM = { mac: '02:00:00:00:00:30', ip: '10.0.0.30', port: 80 };

test('HTTP: request headers split over segments, response Server / X-Powered-By / realm / title', () => {
  const req = ascii(
    'GET /index.html HTTP/1.1\r\nHost: cam.example.com:80\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n',
  );
  const resp = ascii(
    'HTTP/1.1 401 Unauthorized\r\nServer: Boa/0.94.14rc21\r\nX-Powered-By: PHP/5.6.40\r\n' +
      'WWW-Authenticate: Basic realm="IPCAM DCS-930L"\r\nContent-Type: text/html\r\n\r\n<html><head><title>DCS-930L\r\n Login</title></head></html>',
  );
  const r = decodeFrames([
    tcpFrame(CLIENT, CAM, req.slice(0, 30), { seq: 1 }),
    tcpFrame(CLIENT, CAM, req.slice(30), { seq: 31 }),
    // A retransmission of the request's second half is not reported again.
    tcpFrame(CLIENT, CAM, req.slice(30), { seq: 31 }),
    tcpFrame(CAM, CLIENT, resp.slice(0, 150), { seq: 1 }),
    tcpFrame(CAM, CLIENT, resp.slice(150), { seq: 151 }),
  ]);
  assert.equal(r.errors, 0);
  const sw = ofKind(r.obs, 'software').map((o) => [o.frame, o.device.ip, o.field, o.product, o.version]);
  assert.deepEqual(sw, [
    [2, '10.0.0.10', 'User-Agent', 'curl', '8.5.0'],
    [5, '10.0.0.30', 'Server', 'Boa', '0.94.14rc21'],
    [5, '10.0.0.30', 'X-Powered-By', 'PHP', '5.6.40'],
  ]);
  assert.deepEqual(
    ofKind(r.obs, 'address').map((o) => [o.device.ip, o.name]),
    [['10.0.0.30', 'cam.example.com']],
  );
  const attrs = new Map(ofKind(r.obs, 'attribute').map((o) => [o.key, o.value]));
  assert.equal(attrs.get('http-auth-realm'), 'IPCAM DCS-930L');
  assert.equal(attrs.get('html-title'), 'DCS-930L Login');
});

test('HTTP: a request whose first segment is only "POST " is still read; a short non-HTTP one is not', () => {
  const client = { ...CLIENT, port: 50200 };
  const req = ascii('POST /api/lights HTTP/1.1\r\nHost: hue.local\r\nUser-Agent: hue/1.0\r\n\r\n{}');
  const r = decodeFrames([
    tcpFrame(client, CAM, req.slice(0, 5), { seq: 1 }),
    tcpFrame(client, CAM, req.slice(5), { seq: 6 }),
  ]);
  assert.equal(r.errors, 0);
  assert.deepEqual(
    ofKind(r.obs, 'address').map((o) => [o.frame, o.device.ip, o.name]),
    [[2, '10.0.0.30', 'hue.local']],
  );
  // "POS" then a line that is no request: opened on the prefix, dropped once the line is whole.
  const other = { ...CLIENT, port: 50201 };
  const junk = ascii('POS\r\nHost: evil.example\r\n\r\n');
  const j = decodeFrames([
    tcpFrame(other, CAM, junk.slice(0, 3), { seq: 1 }),
    tcpFrame(other, CAM, junk.slice(3), { seq: 4 }),
  ]);
  assert.deepEqual(ofKind(j.obs, 'address'), []);
});

test('HTTP heuristic on a non-standard port; binary on port 80 is not HTTP', () => {
  const odd = { ...CAM, port: 8899 };
  const r = decodeFrames([
    tcpFrame(CLIENT, odd, ascii('GET / HTTP/1.1\r\nUser-Agent: Roku/DVP-9.10\r\n\r\n')),
  ]);
  assert.deepEqual(
    ofKind(r.obs, 'software').map((o) => o.raw),
    ['Roku/DVP-9.10'],
  );
  const b = decodeFrames([tcpFrame(CLIENT, CAM, Uint8Array.from([0x16, 0x03, 0x01, 0, 5, 9, 9, 9, 9, 9]))]);
  assert.equal(b.decoder.packet.hasProto('http'), false);
});

test('HTTP: a header block that never ends is bounded (16 KiB) and still reported once', () => {
  const first = ascii('GET / HTTP/1.1\r\nUser-Agent: slow/1\r\nX-Pad: ');
  const frames = [tcpFrame(CLIENT, CAM, first, { seq: 1 })];
  for (let i = 0; i < 20; i++)
    frames.push(tcpFrame(CLIENT, CAM, new Uint8Array(1400).fill(0x61), { seq: 1 + first.length + i * 1400 }));
  const r = decodeFrames(frames);
  assert.equal(r.errors, 0);
  assert.equal(ofKind(r.obs, 'software').length, 1);
});

test('SSH banners: server and client software, version and comment', () => {
  const srv = { ...CAM, port: 22 };
  const r = decodeFrames([
    tcpFrame(srv, CLIENT, ascii('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n')),
    tcpFrame(CLIENT, srv, ascii('SSH-2.0-PuTTY_Release_0.80\r\n')),
    tcpFrame(srv, CLIENT, Uint8Array.from([0, 0, 1, 0, 4, 20, 1, 2, 3])),
  ]);
  const sw = ofKind(r.obs, 'software').map((o) => [o.device.ip, o.product, o.version]);
  assert.deepEqual(sw, [
    ['10.0.0.30', 'OpenSSH', '8.9p1'],
    ['10.0.0.10', 'PuTTY_Release', '0.80'],
  ]);
  assert.deepEqual(
    ofKind(r.obs, 'role').map((o) => [o.device.ip, o.role]),
    [
      ['10.0.0.30', 'ssh-server'],
      ['10.0.0.10', 'ssh-client'],
    ],
  );
  assert.equal(ofKind(r.obs, 'attribute').find((o) => o.key === 'ssh-comment')?.value, 'Ubuntu-3ubuntu0.6');
  assert.equal(r.decoder.packet.hasProto('ssh'), true);
});

test('TCP SYN / SYN-ACK signatures: initial TTL rounded up, MSS, window, scale, layout, quirks', () => {
  const dec = new Decoder(LAYERS, IT_PROTOCOLS);
  const opts = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
  const syn = tcpFrame(
    CLIENT,
    CAM,
    new Uint8Array(0),
    { flags: 0x02, window: 64240, options: opts },
    { ttl: 61, df: true, id: 0 },
  );
  const p = dec.decode(syn, 1, 0, 1, syn.length);
  const [s] = synObservations(p);
  assert.ok(s !== undefined && s.kind === 'fingerprint');
  assert.equal(s.scheme, 'tcp-syn');
  assert.equal(s.device.ip, '10.0.0.10');
  const parts = s.value.split(':');
  assert.deepEqual(
    [parts[0], parts[1], parts[3], parts[4], parts[5], parts[7]],
    ['4', '64', '1460', '64240', '7', 'df,id0'],
  );
  assert.equal(parts[6], p.tcpOptionLayout);
  assert.ok(parts[6]!.startsWith('M'));
  const sa = tcpFrame(
    CAM,
    CLIENT,
    new Uint8Array(0),
    { flags: 0x12, window: 8192, options: [2, 4, 0x05, 0x78] },
    { ttl: 120 },
  );
  const [s2] = synObservations(dec.decode(sa, 1, 0, 2, sa.length));
  assert.ok(s2 !== undefined && s2.kind === 'fingerprint');
  assert.equal(s2.scheme, 'tcp-synack');
  assert.deepEqual(s2.value.split(':').slice(0, 5), ['4', '128', '0', '1400', '8192']);
  const v6 = ethernet(
    '02:00:00:00:00:30',
    '02:00:00:00:00:10',
    0x86dd,
    ipv6('fe80::10', 'fe80::30', 6, tcp(50000, 22, new Uint8Array(0), { flags: 0x02 }), 255),
  );
  const [s3] = synObservations(dec.decode(v6, 1, 0, 3, v6.length));
  assert.ok(s3 !== undefined && s3.kind === 'fingerprint');
  assert.equal(s3.value.split(':').slice(0, 2).join(':'), '6:255');
  const ack = tcpFrame(CLIENT, CAM, ascii('x'), { flags: 0x10 });
  assert.deepEqual(synObservations(dec.decode(ack, 1, 0, 4, ack.length)), []);
});

test('HTTP / SSH: truncation and corruption never throw', () => {
  const frames = hostileVariants(
    tcpFrame(
      CAM,
      CLIENT,
      ascii('HTTP/1.1 200 OK\r\nServer: x/1\r\nContent-Type: text/html\r\n\r\n<title>a</title>'),
    ),
    54,
  );
  frames.push(
    ...hostileVariants(tcpFrame({ ...CAM, port: 22 }, CLIENT, ascii('SSH-2.0-dropbear_2019.78\r\n')), 54),
  );
  let errors = 0;
  for (const f of frames) errors += decodeFrames([f]).errors;
  assert.equal(errors, 0);
  assert.equal(concat().length, 0);
});

test('stream buffers share one memory budget: past it, a direction gives up instead of growing', () => {
  const chunk = new ByteWindow().reset(new Uint8Array(16384), 0, 16384);
  const held: StreamBuf[] = [];
  let refused = 0;
  for (let i = 0; i < STREAM_BUDGET / 16384 + 64; i++) {
    const b = new StreamBuf(16384);
    if (!b.append(chunk)) refused++;
    held.push(b);
  }
  assert.ok(refused >= 64, `refused ${refused}`);
  assert.ok(streamBytesInUse() <= STREAM_BUDGET);
  assert.ok(held.every((b) => b.len === 0 || b.len === 16384));
  held.length = 0;
});

/** SSH_MSG_KEXINIT as a binary packet: length, padding length, code 20, cookie, ten name-lists. */
function kexinit(lists: string[]): Uint8Array {
  const body = concat(
    [20],
    new Uint8Array(16).fill(7),
    ...lists.map((l) => concat(u32be(l.length), ascii(l))),
    [0, 0, 0, 0, 0],
  );
  const pad = 4;
  return concat(u32be(body.length + 1 + pad), [pad], body, new Uint8Array(pad));
}

function u32be(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

const CLIENT_KEX = [
  'curve25519-sha256,diffie-hellman-group14-sha256',
  'ssh-ed25519,rsa-sha2-512',
  'chacha20-poly1305@openssh.com,aes128-ctr',
  'aes256-ctr',
  'umac-64-etm@openssh.com,hmac-sha2-256',
  'hmac-sha1',
  'none,zlib@openssh.com',
  'none',
  '',
  '',
];
const SERVER_KEX = [
  'curve25519-sha256',
  'ssh-ed25519',
  'aes128-ctr',
  'aes128-gcm@openssh.com',
  'hmac-sha2-256',
  'hmac-sha2-512',
  'none',
  'zlib',
  '',
  '',
];

test('SSH KEXINIT gives HASSH (client) and HASSH-server, whether it follows the banner in one segment or not', () => {
  const srv = { ...CAM, port: 22 };
  const r = decodeFrames([
    // The server's banner and KEXINIT arrive together; the client's KEXINIT comes on its own.
    tcpFrame(srv, CLIENT, concat(ascii('SSH-2.0-OpenSSH_9.6\r\n'), kexinit(SERVER_KEX))),
    tcpFrame(CLIENT, srv, ascii('SSH-2.0-OpenSSH_9.2p1\r\n')),
    tcpFrame(CLIENT, srv, kexinit(CLIENT_KEX)),
    // A second KEXINIT (a re-key would be encrypted; this is just a repeat) is not reported again.
    tcpFrame(CLIENT, srv, kexinit(CLIENT_KEX)),
  ]);
  const prints = ofKind(r.obs, 'fingerprint').map((o) => [o.device.ip, o.scheme, o.value]);
  // HASSH's definition: kex;encryption;mac;compression, each in the sender's own direction.
  assert.deepEqual(prints, [
    ['10.0.0.30', 'hassh-server', md5('curve25519-sha256;aes128-gcm@openssh.com;hmac-sha2-512;zlib')],
    [
      '10.0.0.10',
      'hassh',
      md5(
        'curve25519-sha256,diffie-hellman-group14-sha256;chacha20-poly1305@openssh.com,aes128-ctr;umac-64-etm@openssh.com,hmac-sha2-256;none,zlib@openssh.com',
      ),
    ],
  ]);
});

test('a KEXINIT whose lengths lie, or cut short, gives no HASSH and never throws', () => {
  const srv = { ...CAM, port: 22 };
  const good = kexinit(CLIENT_KEX);
  const lying = good.slice();
  lying[6 + 16 + 1] = 0xff; // the first name-list claims far more than the packet holds
  // Built once, in stream order: every run below sees the same sequence numbers.
  const bannerS = tcpFrame(srv, CLIENT, ascii('SSH-2.0-OpenSSH_9.6\r\n'));
  const bannerC = tcpFrame(CLIENT, srv, ascii('SSH-2.0-OpenSSH_9.2p1\r\n'));
  const kexFrame = tcpFrame(CLIENT, srv, good);
  const lyingFrame = kexFrame.slice();
  lyingFrame.set(lying, 54);
  assert.equal(
    ofKind(decodeFrames([bannerS, bannerC, kexFrame]).obs, 'fingerprint').length,
    1,
    'the intact one',
  );
  assert.deepEqual(ofKind(decodeFrames([bannerS, bannerC, lyingFrame]).obs, 'fingerprint'), []);
  for (const variant of hostileVariants(kexFrame, 54)) {
    const r = decodeFrames([bannerS, bannerC, variant]);
    assert.equal(r.decoder.stats.dissectorErrors, 0);
    for (const o of ofKind(r.obs, 'fingerprint')) assert.match(o.value, /^[0-9a-f]{32}$/);
  }
});
