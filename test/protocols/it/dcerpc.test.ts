import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteWindow } from '../../../shared/decode/window';
import { dcerpcStart } from '../../../shared/protocols/it/dcerpc';
import { concat, tcpFrame, u16le, type Bytes } from '../../helpers/packets';
import { HTTP_GET, TLS_HELLO } from '../ot/helpers';
import { nbss } from './smb-build';
import {
  AUTH_NTLMSSP,
  PT_ALTER_CONTEXT,
  PT_AUTH3,
  PT_BIND,
  auth3Body,
  bindBody,
  coPdu,
  corpChallenge,
  ntlmBind,
  ntlmAuthenticate,
  ntlmNegotiate,
} from './ntlm-build';
import { decodeFrames, factLines, hostileVariants } from './run';
import type { Observation } from '../../../shared/model/observation';

/**
 * NTLMSSP in connection-oriented DCE/RPC: bind / bind_ack / auth3 (and alter_context) verifiers,
 * bare (auth type 10) or in SPNEGO (9), on the endpoint mapper's port and on dynamic ports found by
 * the header; PDUs split across segments; requests stepped over; hostile bytes never throw.
 */

const SRV = { mac: '02:00:00:00:01:35', ip: '10.0.2.35' };
const CLI = { mac: '02:00:00:00:01:10', ip: '10.0.2.10' };
let cliPort = 52000;

const challenge = () => corpChallenge('DC01', 17763);

const AUTH = { domain: 'CORP', user: 'alice', host: 'WS42', build: 19045 };

/** The three handshake PDUs of one association: NTLM in SPNEGO for bind/bind_ack, bare for auth3. */
const handshake = (spnego: boolean) => ntlmBind(spnego, 19045, challenge(), ntlmAuthenticate(AUTH));

/**
 * Frames of one association on `port`: each PDU cut into segments at `cuts` (offsets), if given; the
 * opening PDUs of each direction only after their 16-byte header.
 */
function association(port: number, spnego: boolean, cuts: number[] = []): Bytes[] {
  const c = { ...CLI, port: cliPort++ };
  const s = { ...SRV, port };
  const h = handshake(spnego);
  // The first segment of each direction starts with a whole header: framing is found there.
  const seg = (b: Bytes, first = true) => {
    const out: Bytes[] = [];
    let at = 0;
    for (const k of cuts.filter((x) => x >= (first ? 16 : 1) && x < b.length)) {
      out.push(b.subarray(at, k));
      at = k;
    }
    out.push(b.subarray(at));
    return out;
  };
  return [
    ...seg(h.bind).map((b) => tcpFrame(c, s, b)),
    ...seg(h.ack).map((b) => tcpFrame(s, c, b)),
    ...seg(h.auth3, false).map((b) => tcpFrame(c, s, b)),
  ];
}

/** Facts as "ip field value", sorted, for whole-set comparisons. */
const facts = (obs: readonly Observation[]) => factLines(obs, (o) => o.protocol === 'dcerpc');

const EXPECTED = [
  '10.0.2.10 ntlmssp.auth.domain CORP',
  '10.0.2.10 ntlmssp.auth.user alice',
  '10.0.2.10 ntlmssp.auth.version 10.0.19045',
  '10.0.2.10 ntlmssp.auth.workstation WS42',
  '10.0.2.10 ntlmssp.negotiate.version 10.0.19045',
  '10.0.2.35 ntlmssp.challenge ntlm-server',
  '10.0.2.35 ntlmssp.challenge.dnsComputerName dc01.corp.example.com',
  '10.0.2.35 ntlmssp.challenge.dnsDomainName corp.example.com',
  '10.0.2.35 ntlmssp.challenge.nbComputerName DC01',
  '10.0.2.35 ntlmssp.challenge.nbDomainName CORP',
  '10.0.2.35 ntlmssp.challenge.version 10.0.17763',
];

test('DCE/RPC on 135: NTLMSSP in bind, bind_ack and auth3, bare and in SPNEGO', () => {
  for (const spnego of [false, true]) {
    const r = decodeFrames(association(135, spnego));
    assert.equal(r.errors, 0);
    assert.deepEqual(facts(r.obs), EXPECTED, `spnego ${spnego}`);
    assert.ok(r.protos.includes('dcerpc'));
  }
});

test('a big-endian data representation: lengths read in its byte order', () => {
  const c = { ...CLI, port: cliPort++ };
  const s = { ...SRV, port: 135 };
  const auth = coPdu(PT_AUTH3, auth3Body(), { type: AUTH_NTLMSSP, value: ntlmAuthenticate(AUTH) }, 1, true);
  const bind = coPdu(PT_BIND, bindBody(), { type: AUTH_NTLMSSP, value: ntlmNegotiate(19045) }, 1, true);
  const r = decodeFrames([tcpFrame(c, s, bind), tcpFrame(c, s, auth)]);
  assert.equal(r.errors, 0);
  assert.deepEqual(
    facts(r.obs).filter((f) => f.includes('workstation') || f.includes('negotiate')),
    ['10.0.2.10 ntlmssp.auth.workstation WS42', '10.0.2.10 ntlmssp.negotiate.version 10.0.19045'],
  );
});

test('DCE/RPC on dynamic ports is found by its header, also on a port HTTP is registered for', () => {
  for (const port of [49667, 49152, 60123]) {
    const r = decodeFrames(association(port, true));
    assert.equal(r.errors, 0);
    assert.deepEqual(facts(r.obs), EXPECTED, `port ${port}`);
  }
});

test('PDUs split across segments at every offset are read whole, once', () => {
  const h = handshake(true);
  for (let k = 1; k < h.auth3.length; k += 3) {
    const r = decodeFrames(association(135, true, [k, k + 11]));
    assert.equal(r.errors, 0);
    assert.deepEqual(facts(r.obs), EXPECTED, `cut at ${k}`);
  }
  // On a dynamic port the first segment must show a bind's header and first context (72 bytes).
  for (let k = 72; k < h.auth3.length; k += 7) {
    const r = decodeFrames(association(49700, true, [k]));
    assert.deepEqual(facts(r.obs), EXPECTED, `dynamic port, cut at ${k}`);
  }
});

test('requests between handshakes are stepped over; an alter_context later is read', () => {
  const c = { ...CLI, port: cliPort++ };
  const s = { ...SRV, port: 135 };
  const h = handshake(false);
  const big = coPdu(0, concat(new Uint8Array(8), new Uint8Array(40000).fill(0x4e)));
  const alter = coPdu(PT_ALTER_CONTEXT, bindBody(), {
    type: AUTH_NTLMSSP,
    value: ntlmAuthenticate({ ...AUTH, host: 'WS43' }),
  });
  const frames = [
    tcpFrame(c, s, h.bind),
    tcpFrame(s, c, h.ack),
    // A request of 40 kB, in 1400-byte segments; its data holds NTLMSSP-looking bytes, never read.
    ...Array.from({ length: Math.ceil(big.length / 1400) }, (_, i) =>
      tcpFrame(c, s, big.subarray(i * 1400, (i + 1) * 1400)),
    ),
    tcpFrame(c, s, alter),
  ];
  const r = decodeFrames(frames);
  assert.equal(r.errors, 0);
  const hosts = r.obs.filter((o) => o.kind === 'hostname' && o.field === 'ntlmssp.auth.workstation');
  assert.deepEqual(
    hosts.map((o) => (o.kind === 'hostname' ? o.name : '')),
    ['WS43'],
  );
  assert.equal(hosts[0]!.frame, frames.length);
});

test('the header check: binds and acks only, no other protocol', () => {
  const w = (b: Bytes) => new ByteWindow().reset(b, 0, b.length);
  const h = handshake(false);
  assert.ok(dcerpcStart(w(h.bind)));
  assert.ok(dcerpcStart(w(h.ack)));
  assert.ok(!dcerpcStart(w(h.auth3)), 'auth3 never opens an association');
  assert.ok(!dcerpcStart(w(coPdu(0, new Uint8Array(64)))), 'a request alone is not enough');
  for (const other of [HTTP_GET, TLS_HELLO, nbss(new Uint8Array(80)), new Uint8Array(100)])
    assert.ok(!dcerpcStart(w(other)));
  // Version 4 (connectionless), a data representation C706 does not define, a short fragment length.
  const bad = [
    [0, 4],
    [4, 0x20],
    [6, 1],
  ] as const;
  for (const [at, v] of bad) {
    const b = h.bind.slice();
    b[at] = v;
    assert.ok(!dcerpcStart(w(b)), `byte ${at} = ${v}`);
  }
  const short = h.bind.slice();
  short.set(u16le(12), 8);
  assert.ok(!dcerpcStart(w(short)));
  // A bind without room for one presentation context.
  assert.ok(!dcerpcStart(w(coPdu(PT_BIND, new Uint8Array(12)))));
});

test('an unregistered flow of other bytes is not taken for DCE/RPC', () => {
  const c = { ...CLI, port: cliPort++ };
  const s = { ...SRV, port: 50123 };
  const junk = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 5) & 0xff);
  const r = decodeFrames([tcpFrame(c, s, junk), tcpFrame(s, c, junk)]);
  assert.ok(!r.protos.includes('dcerpc'));
});

test('hostile: truncations and byte flips of every handshake PDU never throw', () => {
  const h = handshake(true);
  for (const pdu of [h.bind, h.ack, h.auth3]) {
    const c = { ...CLI, port: cliPort++ };
    const good = tcpFrame(c, { ...SRV, port: 135 }, pdu);
    const variants = hostileVariants(good, 54);
    // Each variant on its own flow: a fresh port per frame.
    const frames = variants.map((v, i) => {
      const b = v.slice();
      b[34] = (i >> 8) & 0xff;
      b[35] = i & 0xff;
      return b;
    });
    const r = decodeFrames(frames);
    assert.equal(r.errors, 0);
  }
});

test('lying lengths: fragment and auth lengths past the PDU cost the framing, not memory or time', () => {
  const c = { ...CLI, port: cliPort++ };
  const s = { ...SRV, port: 135 };
  const h = handshake(false);
  const lie = h.bind.slice();
  lie.set(u16le(0xffff), 8); // a fragment that never ends
  const authLie = h.auth3.slice();
  authLie.set(u16le(0xfff0), 10); // a verifier longer than its fragment
  const t0 = Date.now();
  const r = decodeFrames([
    tcpFrame(c, s, lie),
    ...Array.from({ length: 60 }, () => tcpFrame(c, s, new Uint8Array(1400).fill(0x05))),
    tcpFrame(c, s, authLie),
    tcpFrame(c, s, h.auth3),
  ]);
  assert.equal(r.errors, 0);
  assert.ok(Date.now() - t0 < 5000);
  // After the lies, the next PDU that starts a segment is read.
  assert.ok(r.obs.some((o) => o.kind === 'hostname' && o.name === 'WS42'));
});
