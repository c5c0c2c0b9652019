import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ascii, concat, u16, tcpFrame } from '../../helpers/packets';
import { decodeFrames, hostileVariants, ofKind } from './run';

const CLIENT = { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 50123 };
const SERVER = { mac: '02:00:00:00:00:20', ip: '10.0.0.20', port: 443 };

function u24(v: number): number[] {
  return [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
}
function ext(type: number, body: number[]): number[] {
  return [...u16(type), ...u16(body.length), ...body];
}
function vec16(a: number[]): number[] {
  return [...u16(a.length * 2), ...a.flatMap(u16)];
}
function record(type: number, body: Uint8Array): Uint8Array {
  return concat([type, 3, 1], u16(body.length), body);
}
function handshake(type: number, body: Uint8Array): Uint8Array {
  return concat([type], u24(body.length), body);
}

const sni = 'api.example.org';
const sniBytes = [...ascii(sni)];
const alpn = [2, ...ascii('h2'), 8, ...ascii('http/1.1')];
const extensions = [
  ...ext(0x1a1a, []),
  ...ext(0, [...u16(sniBytes.length + 3), 0, ...u16(sniBytes.length), ...sniBytes]),
  ...ext(16, [...u16(alpn.length), ...alpn]),
  ...ext(10, vec16([0x2a2a, 29, 23])),
  ...ext(11, [1, 0]),
  ...ext(13, vec16([0x0403, 0x0804])),
  ...ext(43, [6, ...u16(0x3a3a), ...u16(0x0304), ...u16(0x0303)]),
];
const clientHello = handshake(
  1,
  concat(
    u16(0x0303),
    new Array(32).fill(7),
    [0],
    vec16([0x0a0a, 0x1301, 0x1302, 0xc02b]),
    [1, 0],
    u16(extensions.length),
    extensions,
  ),
);

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

test('TLS ClientHello split over two segments: SNI, ALPN, versions, JA3 and JA4 (GREASE excluded)', () => {
  const rec = record(22, clientHello);
  const cut = 40;
  const r = decodeFrames([
    tcpFrame(CLIENT, SERVER, rec.slice(0, cut)),
    tcpFrame(CLIENT, SERVER, rec.slice(cut), { seq: 1 + cut }),
  ]);
  assert.equal(r.errors, 0);
  assert.deepEqual(
    ofKind(r.obs, 'name-query').map((o) => [o.frame, o.device.ip, o.name]),
    [[2, '10.0.0.10', sni]],
  );
  const fp = new Map(ofKind(r.obs, 'fingerprint').map((o) => [o.scheme, o.value]));
  // JA3 per the Salesforce definition, computed here from the hello's known contents.
  assert.equal(fp.get('ja3'), md5('771,4865-4866-49195,0-16-10-11-13-43,29-23,0'));
  // JA4 per the FoxIO spec: t, version 13 (supported_versions), d (SNI), 03 ciphers, 06 extensions, h2.
  assert.equal(
    fp.get('ja4'),
    't13d0306h2_' + sha('1301,1302,c02b') + '_' + sha('000a,000b,000d,002b_0403,0804'),
  );
  const attrs = new Map(ofKind(r.obs, 'attribute').map((o) => [o.key, o.value]));
  assert.equal(attrs.get('tls-alpn'), 'h2,http/1.1');
  assert.equal(attrs.get('tls-versions'), '0304,0303');
});

function selfSigned(): Uint8Array | null {
  try {
    const dir = mkdtempSync(join(tmpdir(), 'gp-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/C=DE/O=Acme Cameras GmbH/CN=cam-0042.local',
        '-addext',
        'subjectAltName=DNS:cam-0042.local,DNS:cam.example.com',
        '-keyout',
        join(dir, 'k.pem'),
        '-outform',
        'DER',
        '-out',
        join(dir, 'c.der'),
      ],
      { stdio: 'ignore' },
    );
    return new Uint8Array(readFileSync(join(dir, 'c.der')));
  } catch {
    return null;
  }
}

test('TLS 1.2 ServerHello + Certificate: JA3S, JA4S, subject CN/O, issuer, SAN DNS names', (t) => {
  const der = selfSigned();
  if (der === null) return t.skip('openssl not available');
  const oracle = new X509Certificate(der);
  const shExt = [...ext(0xff01, [0]), ...ext(11, [1, 0]), ...ext(16, [0, 3, 2, ...ascii('h2')])];
  const sh = handshake(
    2,
    concat(u16(0x0303), new Array(32).fill(1), [0], u16(0xc02f), [0], u16(shExt.length), shExt),
  );
  const cert = handshake(11, concat(u24(der.length + 3), u24(der.length), der));
  const done = handshake(14, new Uint8Array(0));
  const flight = concat(record(22, sh), record(22, concat(cert, done)));
  // Split the flight mid-certificate, as a real server's segments would be.
  const mid = 60;
  const r = decodeFrames([
    tcpFrame(SERVER, CLIENT, flight.slice(0, mid), { seq: 1 }),
    tcpFrame(SERVER, CLIENT, flight.slice(mid), { seq: 1 + mid }),
  ]);
  assert.equal(r.errors, 0);
  const fp = new Map(ofKind(r.obs, 'fingerprint').map((o) => [o.scheme, o.value]));
  assert.equal(fp.get('ja3s'), md5('771,49199,65281-11-16'));
  assert.equal(fp.get('ja4s'), 't1203h2_c02f_' + sha('ff01,000b,0010'));
  const attrs = new Map<string, string[]>();
  for (const o of ofKind(r.obs, 'attribute')) attrs.set(o.key, [...(attrs.get(o.key) ?? []), o.value]);
  const cn = /CN=([^\n]+)/.exec(oracle.subject)![1]!;
  const org = /O=([^\n]+)/.exec(oracle.subject)![1]!;
  assert.deepEqual(attrs.get('tls-cert.cn'), [cn]);
  assert.deepEqual(attrs.get('tls-cert.o'), [org]);
  assert.deepEqual(attrs.get('tls-cert.issuer'), ['C=DE,O=Acme Cameras GmbH,CN=cam-0042.local']);
  const san = oracle.subjectAltName!.split(', ').map((s) => s.replace(/^DNS:/, ''));
  assert.deepEqual(attrs.get('tls-cert.san'), san);
  for (const o of r.obs) assert.equal(o.device.ip === SERVER.ip || o.kind === 'role', true);
});

test('TLS: a gap in the stream (lost segment) stops that direction instead of misframing records', () => {
  const rec = record(22, clientHello);
  const r = decodeFrames([
    tcpFrame(CLIENT, SERVER, rec.slice(0, 40), { seq: 1 }),
    tcpFrame(CLIENT, SERVER, rec.slice(60), { seq: 61 }),
    tcpFrame(CLIENT, SERVER, rec.slice(40, 60), { seq: 41 }),
  ]);
  assert.equal(r.errors, 0);
  assert.equal(ofKind(r.obs, 'fingerprint').length, 0);
});

test('TLS: a non-TLS payload on 443 is not TLS; truncation and corruption never throw', () => {
  const r0 = decodeFrames([tcpFrame(CLIENT, SERVER, ascii('GET / HTTP/1.0\r\n\r\n'))]);
  assert.equal(r0.decoder.packet.hasProto('tls'), false);
  // Each variant in a new flow (fresh state), so truncated prefixes are parsed from the start.
  const variants = hostileVariants(tcpFrame(CLIENT, SERVER, record(22, clientHello)), 54);
  let errors = 0;
  for (const v of variants) errors += decodeFrames([v]).errors;
  assert.equal(errors, 0);
  // A record header that promises more than ever arrives: bounded buffering, no observation.
  const lie = concat([22, 3, 1, 0x47, 0xff], new Array(100).fill(1));
  const r = decodeFrames([
    tcpFrame(CLIENT, SERVER, lie, { seq: 1 }),
    tcpFrame(CLIENT, SERVER, new Uint8Array(1400), { seq: 1 + lie.length }),
    tcpFrame(CLIENT, SERVER, new Uint8Array(1400), { seq: 1 + lie.length + 1400 }),
  ]);
  assert.equal(r.errors, 0);
  assert.equal(ofKind(r.obs, 'fingerprint').length, 0);
});

test('JA4 edge cases: no SNI (i), ALPN bytes that are not alphanumeric (hex), counts capped at 99, no extensions', async () => {
  const { ja4, parseClientHello } = await import('../../../shared/protocols/it/tls');
  const { ByteWindow } = await import('../../../shared/decode/window');
  const ciphers: number[] = [];
  for (let i = 0; i < 120; i++) ciphers.push(0x0100 + i);
  const odd = [0x01, 0x02, 0xab, 0xff];
  const exts = [...ext(16, [...u16(odd.length + 1), odd.length, ...odd])];
  const body = concat(
    u16(0x0303),
    new Array(32).fill(0),
    [0],
    vec16(ciphers),
    [1, 0],
    u16(exts.length),
    exts,
  );
  const c = parseClientHello(new ByteWindow().reset(body, 0, body.length));
  assert.ok(c !== null);
  const fp = ja4(c);
  assert.equal(fp.slice(0, 10), 't12i9901' + '0f');
  assert.equal(
    fp.split('_')[1],
    sha(
      ciphers
        .map((x) => x.toString(16).padStart(4, '0'))
        .sort()
        .join(','),
    ),
  );
  // The only extension (ALPN) is left out of the hash input, which is then empty: twelve zeros.
  assert.equal(fp.split('_')[2], '000000000000');
  const bare = concat(u16(0x0301), new Array(32).fill(0), [0], vec16([0x002f]), [1, 0]);
  const b = parseClientHello(new ByteWindow().reset(bare, 0, bare.length));
  assert.ok(b !== null);
  assert.equal(ja4(b), 't10i010000_' + sha('002f') + '_000000000000');
});
