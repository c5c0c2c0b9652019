import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, tcpFrame, type Bytes } from '../../helpers/packets';
import type { Observation } from '../../../shared/model/observation';
import { base64Bytes } from '../../../shared/protocols/common/base64';
import { corpChallenge, ntlmAuthenticate, ntlmNegotiate, spnegoInit, spnegoResp } from './ntlm-build';
import { decodeFrames, factLines, hostileVariants } from './run';

/**
 * NTLMSSP in HTTP authentication: Authorization / Proxy-Authorization (client) and WWW-Authenticate /
 * Proxy-Authenticate (server), NTLM (bare) and Negotiate (SPNEGO), header blocks whole or split.
 */

const SRV = { mac: '02:00:00:00:00:80', ip: '10.0.3.80', port: 80 };
const CLI = { mac: '02:00:00:00:00:11', ip: '10.0.3.11' };
let cliPort = 53000;

const b64 = (b: Bytes) => Buffer.from(b).toString('base64');
const challenge = () => corpChallenge('WEB01', 20348);
const AUTH = { domain: 'CORP', user: 'bob', host: 'LAPTOP-7', build: 22631 };

function exchange(scheme: 'NTLM' | 'Negotiate', proxy: boolean): Bytes[] {
  const c = { ...CLI, port: cliPort++ };
  const s = { ...SRV, port: proxy ? 3128 : 80 };
  const spnego = scheme === 'Negotiate';
  const req = proxy ? 'Proxy-Authorization' : 'Authorization';
  const res = proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  const t1 = spnego ? spnegoInit(ntlmNegotiate(22631)) : ntlmNegotiate(22631);
  const t2 = spnego ? spnegoResp(challenge(), true) : challenge();
  const t3 = spnego ? spnegoResp(ntlmAuthenticate(AUTH), false) : ntlmAuthenticate(AUTH);
  const status = proxy ? '407 Proxy Authentication Required' : '401 Unauthorized';
  return [
    tcpFrame(c, s, ascii(`GET /intranet HTTP/1.1\r\nHost: web01\r\n${req}: ${scheme} ${b64(t1)}\r\n\r\n`)),
    tcpFrame(s, c, ascii(`HTTP/1.1 ${status}\r\n${res}: ${scheme} ${b64(t2)}\r\nContent-Length: 0\r\n\r\n`)),
    tcpFrame(c, s, ascii(`GET /intranet HTTP/1.1\r\nHost: web01\r\n${req}: ${scheme} ${b64(t3)}\r\n\r\n`)),
  ];
}

const facts = (obs: readonly Observation[]) =>
  factLines(obs, (o) => o.protocol === 'http' && o.field.startsWith('ntlmssp.'));

const EXPECTED = [
  '10.0.3.11 ntlmssp.auth.domain CORP',
  '10.0.3.11 ntlmssp.auth.user bob',
  '10.0.3.11 ntlmssp.auth.version 10.0.22631',
  '10.0.3.11 ntlmssp.auth.workstation LAPTOP-7',
  '10.0.3.11 ntlmssp.negotiate.version 10.0.22631',
  '10.0.3.80 ntlmssp.challenge ntlm-server',
  '10.0.3.80 ntlmssp.challenge.dnsComputerName web01.corp.example.com',
  '10.0.3.80 ntlmssp.challenge.dnsDomainName corp.example.com',
  '10.0.3.80 ntlmssp.challenge.nbComputerName WEB01',
  '10.0.3.80 ntlmssp.challenge.nbDomainName CORP',
  '10.0.3.80 ntlmssp.challenge.version 10.0.20348',
];

test('HTTP NTLM and Negotiate, to a server and to a proxy: both ends named', () => {
  for (const scheme of ['NTLM', 'Negotiate'] as const)
    for (const proxy of [false, true]) {
      const r = decodeFrames(exchange(scheme, proxy));
      assert.equal(r.errors, 0);
      assert.deepEqual(facts(r.obs), EXPECTED, `${scheme} proxy ${proxy}`);
    }
});

test('an Authorization header split across segments is read once the block is whole', () => {
  // A request cut at several points: in the start line, in the token, in the final blank line.
  const c = { ...CLI, port: cliPort++ };
  const t3 = spnegoResp(ntlmAuthenticate(AUTH), false);
  const req = ascii(`GET / HTTP/1.1\r\nHost: web01\r\nAuthorization: Negotiate ${b64(t3)}\r\n\r\n`);
  for (const k of [5, 40, 100, req.length - 3]) {
    const r = decodeFrames([tcpFrame(c, SRV, req.subarray(0, k)), tcpFrame(c, SRV, req.subarray(k))]);
    assert.equal(r.errors, 0);
    const ws = r.obs.filter((o) => o.kind === 'hostname' && o.field === 'ntlmssp.auth.workstation');
    assert.equal(ws.length, 1, `cut at ${k}`);
    assert.equal(ws[0]!.frame, 2);
  }
});

test('Basic, Bearer, Kerberos-only Negotiate and junk tokens say nothing and never throw', () => {
  const c = { ...CLI, port: cliPort++ };
  const kerberos = b64(concat([0x60, 0x10, 0x06, 0x09], new Uint8Array(30).fill(0x2a)));
  const values = [
    'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
    'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x',
    `Negotiate ${kerberos}`,
    'NTLM ' + 'TlRMTVNTUAAD'.padEnd(400, 'A'),
    'NTLM !!!!****',
    'NTLM ' + 'TlRMTVNTUAAC' + '/'.repeat(3000),
  ];
  const r = decodeFrames(
    values.map((v) => tcpFrame(c, SRV, ascii(`GET / HTTP/1.1\r\nAuthorization: ${v}\r\n\r\n`))),
  );
  assert.equal(r.errors, 0);
  assert.deepEqual(
    r.obs.filter((o) => o.field.startsWith('ntlmssp.') && o.kind !== 'role' && o.kind !== 'attribute'),
    [],
  );
});

test('hostile: truncated and flipped NTLM exchanges never throw', () => {
  for (const f of exchange('Negotiate', false)) {
    const r = decodeFrames(hostileVariants(f, 54, 7));
    assert.equal(r.errors, 0);
  }
});

test('base64: tolerant of cut text, bounded output', () => {
  assert.deepEqual([...base64Bytes('TlRMTVNTUAA=', 100)], [...ascii('NTLMSSP\0')]);
  assert.deepEqual([...base64Bytes('TlRMTVNT', 100)], [...ascii('NTLMSS')]);
  assert.deepEqual([...base64Bytes('TlRMTVNTUA', 100)], [...ascii('NTLMSSP')]);
  assert.deepEqual([...base64Bytes('TlRM!!TVNT', 100)], [...ascii('NTL')]);
  assert.equal(base64Bytes('A'.repeat(1 << 20), 4096).length, 4096);
  assert.equal(base64Bytes('', 10).length, 0);
});
