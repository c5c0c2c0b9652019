import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, tcpFrame, type Bytes } from '../../helpers/packets';
import type { Observation } from '../../../shared/model/observation';
import { corpChallenge, ntlmAuthenticate, ntlmNegotiate } from './ntlm-build';
import { decodeFrames, factLines, hostileVariants } from './run';

/**
 * SMTP AUTH NTLM (RFC 4954, MS-SMTPNTLM): the NEGOTIATE as AUTH's initial response or on its own
 * line, the server's 334 CHALLENGE, the client's AUTHENTICATE (a long line); the EHLO facts as before;
 * STARTTLS ends the reading. No tshark comparison: its SMTP dissector (this version) does not decode
 * NTLMSSP in AUTH tokens (checked on these frames: no ntlmssp fields).
 */

const MX = { mac: '02:00:00:00:00:25', ip: '10.0.6.25', port: 587 };
const CLI = { mac: '02:00:00:00:06:10', ip: '10.0.6.10' };
let cliPort = 56000;

const b64 = (b: Bytes) => Buffer.from(b).toString('base64');
const challenge = () => corpChallenge('EXCH01', 14393);
// A long workstation name makes the AUTHENTICATE line longer than SMTP's 1024-byte command lines.
const HOST = 'OUTLOOK-CLIENT-' + 'X'.repeat(400);
const auth = () => ntlmAuthenticate({ domain: 'CORP', user: 'carol', host: HOST, build: 19045 });

function session(initial: boolean): Bytes[] {
  const c = { ...CLI, port: cliPort++ };
  const S = (t: string) => tcpFrame(MX, c, ascii(t));
  const C = (t: string) => tcpFrame(c, MX, ascii(t));
  return [
    S('220 exch01.corp.example.com Microsoft ESMTP MAIL Service ready\r\n'),
    C('EHLO ws10.corp.example.com\r\n'),
    S('250-exch01.corp.example.com Hello [10.0.6.10]\r\n250-AUTH NTLM\r\n250 OK\r\n'),
    ...(initial
      ? [C(`AUTH NTLM ${b64(ntlmNegotiate(19045))}\r\n`)]
      : [C('AUTH NTLM\r\n'), S('334 NTLM supported\r\n'), C(`${b64(ntlmNegotiate(19045))}\r\n`)]),
    S(`334 ${b64(challenge())}\r\n`),
    C(`${b64(auth())}\r\n`),
    S('235 2.7.0 Authentication successful\r\n'),
  ];
}

const facts = (obs: readonly Observation[]) =>
  factLines(obs, (o) => o.protocol === 'smtp' && (o.field === 'ehlo' || o.field.startsWith('ntlmssp.')), 40);

const EXPECTED = [
  '10.0.6.10 ehlo smtp-client',
  '10.0.6.10 ehlo ws10.corp.example.com',
  '10.0.6.10 ntlmssp.auth.domain CORP',
  '10.0.6.10 ntlmssp.auth.user carol',
  '10.0.6.10 ntlmssp.auth.version 10.0.19045',
  '10.0.6.10 ntlmssp.auth.workstation OUTLOOK-CLIENT-XXXXXXXXXXXXXXXXXXXXXXXXX',
  '10.0.6.10 ntlmssp.negotiate.version 10.0.19045',
  '10.0.6.25 ntlmssp.challenge ntlm-server',
  '10.0.6.25 ntlmssp.challenge.dnsComputerName exch01.corp.example.com',
  '10.0.6.25 ntlmssp.challenge.dnsDomainName corp.example.com',
  '10.0.6.25 ntlmssp.challenge.nbComputerName EXCH01',
  '10.0.6.25 ntlmssp.challenge.nbDomainName CORP',
  '10.0.6.25 ntlmssp.challenge.version 10.0.14393',
];

test('SMTP AUTH NTLM, with and without an initial response: both ends named, EHLO facts kept', () => {
  for (const initial of [true, false]) {
    const r = decodeFrames(session(initial));
    assert.equal(r.errors, 0);
    assert.deepEqual(facts(r.obs), EXPECTED, `initial response ${initial}`);
  }
});

test('SMTP: nothing is read after STARTTLS; a second EHLO is not stated again; hostile lines never throw', () => {
  const c = { ...CLI, port: cliPort++ };
  const r = decodeFrames([
    tcpFrame(MX, c, ascii('220 mx ESMTP\r\n')),
    tcpFrame(c, MX, ascii('EHLO one.example.com\r\nSTARTTLS\r\n')),
    tcpFrame(c, MX, ascii(`EHLO two.example.com\r\nAUTH NTLM ${b64(ntlmNegotiate(1))}\r\n`)),
  ]);
  assert.deepEqual(
    r.obs
      .filter((o) => (o.kind === 'hostname' && o.field === 'ehlo') || o.field.startsWith('ntlmssp'))
      .map((o) => (o.kind === 'hostname' ? o.name : o.field)),
    ['one.example.com'],
  );
  for (const f of session(false)) assert.equal(decodeFrames(hostileVariants(f, 54, 3)).errors, 0);
});
