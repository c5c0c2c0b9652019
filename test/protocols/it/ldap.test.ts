import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, tcpFrame, u32, type Bytes } from '../../helpers/packets';
import type { Observation } from '../../../shared/model/observation';
import {
  corpChallenge,
  ldapMessage,
  ldapSaslBind,
  ldapSaslBindResponse,
  ntlmAuthenticate,
  ntlmNegotiate,
  spnegoInit,
  spnegoResp,
  tlv,
} from './ntlm-build';
import { decodeFrames, factLines, hostileVariants } from './run';

/**
 * NTLMSSP in LDAP SASL binds (GSS-SPNEGO and NTLM): the client named by its bind requests, the
 * server by its bind responses; searches stepped over; binds split across segments; hostile bytes.
 */

const DC = { mac: '02:00:00:00:03:89', ip: '10.0.5.1', port: 389 };
const CLI = { mac: '02:00:00:00:03:10', ip: '10.0.5.10' };
let cliPort = 55000;

const challenge = () => corpChallenge('DC02', 20348);
const AUTH = { domain: 'CORP', user: 'ldap-reader', host: 'APP-SRV', build: 17763 };

function binds(mech: 'GSS-SPNEGO' | 'NTLM'): Bytes[] {
  const s = mech === 'GSS-SPNEGO';
  return [
    ldapMessage(1, ldapSaslBind(mech, s ? spnegoInit(ntlmNegotiate(17763)) : ntlmNegotiate(17763))),
    ldapMessage(1, ldapSaslBindResponse(s ? spnegoResp(challenge(), true) : challenge())),
    ldapMessage(
      2,
      ldapSaslBind(mech, s ? spnegoResp(ntlmAuthenticate(AUTH), false) : ntlmAuthenticate(AUTH)),
    ),
  ];
}

/** A search request (filter objectClass=*) whose value holds NTLMSSP-looking bytes: never read. */
const search = (size: number) =>
  ldapMessage(
    3,
    tlv(
      0x63,
      tlv(0x04, new Uint8Array(size).fill(0x4e)),
      Uint8Array.from([0x87, 0x0b]),
      Buffer.from('objectClass'),
    ),
  );

const facts = (obs: readonly Observation[]) => factLines(obs, (o) => o.protocol === 'ldap');

const EXPECTED = [
  '10.0.5.1 ntlmssp.challenge ntlm-server',
  '10.0.5.1 ntlmssp.challenge.dnsComputerName dc02.corp.example.com',
  '10.0.5.1 ntlmssp.challenge.dnsDomainName corp.example.com',
  '10.0.5.1 ntlmssp.challenge.nbComputerName DC02',
  '10.0.5.1 ntlmssp.challenge.nbDomainName CORP',
  '10.0.5.1 ntlmssp.challenge.version 10.0.20348',
  '10.0.5.10 ntlmssp.auth.domain CORP',
  '10.0.5.10 ntlmssp.auth.user ldap-reader',
  '10.0.5.10 ntlmssp.auth.version 10.0.17763',
  '10.0.5.10 ntlmssp.auth.workstation APP-SRV',
  '10.0.5.10 ntlmssp.negotiate.version 10.0.17763',
];

function flow(msgs: Bytes[], cut = 0): Bytes[] {
  const c = { ...CLI, port: cliPort++ };
  const [req, res, auth] = msgs;
  const split = (b: Bytes) => (cut > 0 && cut < b.length ? [b.subarray(0, cut), b.subarray(cut)] : [b]);
  return [tcpFrame(c, DC, req!), tcpFrame(DC, c, res!), ...split(auth!).map((b) => tcpFrame(c, DC, b))];
}

test('LDAP SASL GSS-SPNEGO and NTLM binds name the client and the server', () => {
  for (const mech of ['GSS-SPNEGO', 'NTLM'] as const) {
    const r = decodeFrames(flow(binds(mech)));
    assert.equal(r.errors, 0);
    assert.deepEqual(facts(r.obs), EXPECTED, mech);
  }
});

test('a bind split across segments is read whole; searches before it are stepped over', () => {
  const m = binds('GSS-SPNEGO');
  for (const cut of [1, 3, 7, 20, m[2]!.length - 1]) {
    const r = decodeFrames(flow(m, cut));
    assert.equal(r.errors, 0);
    assert.deepEqual(facts(r.obs), EXPECTED, `cut at ${cut}`);
  }
  const c = { ...CLI, port: cliPort++ };
  const big = search(5000);
  const r = decodeFrames([
    tcpFrame(c, DC, m[0]!),
    tcpFrame(DC, c, m[1]!),
    tcpFrame(c, DC, big.subarray(0, 1400)),
    tcpFrame(c, DC, concat(big.subarray(1400), m[2]!)),
  ]);
  assert.deepEqual(facts(r.obs), EXPECTED);
});

test('SASL-wrapped traffic after the bind and hostile binds never throw', () => {
  const c = { ...CLI, port: cliPort++ };
  const wrapped = concat(u32(60), new Uint8Array(60).fill(0xa5));
  const r = decodeFrames([...flow(binds('NTLM')), tcpFrame(c, DC, wrapped), tcpFrame(DC, c, wrapped)]);
  assert.equal(r.errors, 0);
  for (const f of flow(binds('GSS-SPNEGO'))) assert.equal(decodeFrames(hostileVariants(f, 54, 11)).errors, 0);
  // A BER length of 2^32 - 1 and an indefinite length: framing lost, nothing read, nothing thrown.
  const lie = decodeFrames([
    tcpFrame(c, DC, Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 2, 1, 1, 0x60])),
    tcpFrame(c, DC, Uint8Array.from([0x30, 0x80, 2, 1, 1, 0x60, 0, 0])),
  ]);
  assert.equal(lie.errors, 0);
});

test("Microsoft's Sicily bind: raw NTLMSSP in the authentication choice and the response's matchedDN", () => {
  // BindRequest { version 3, name "NTLM", [10] sicilyNegotiate / [11] sicilyResponse }; the
  // BindResponse carries the CHALLENGE as its matchedDN (MS-ADTS 5.1.1.1.3).
  const req = (tag: number, ntlm: Bytes) =>
    ldapMessage(
      1,
      tlv(0x60, Uint8Array.from([0x02, 0x01, 0x03]), tlv(0x04, Buffer.from('NTLM')), tlv(tag, ntlm)),
    );
  const res = ldapMessage(
    1,
    tlv(0x61, Uint8Array.from([0x0a, 0x01, 0x00]), tlv(0x04, challenge()), tlv(0x04, new Uint8Array(0))),
  );
  const r = decodeFrames(flow([req(0x8a, ntlmNegotiate(17763)), res, req(0x8b, ntlmAuthenticate(AUTH))]));
  assert.equal(r.errors, 0);
  assert.deepEqual(facts(r.obs), EXPECTED);
});
