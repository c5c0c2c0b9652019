import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, tcpFrame, u16le, u32le, type Bytes } from '../../helpers/packets';
import { streamBytesInUse } from '../../../shared/protocols/it/stream';
import { av, nbss, ntlmChallenge, utf16 } from './smb-build';
import { decodeFrames, ofKind } from './run';

/**
 * SMB messages spanning TCP segments: session setups are collected and read whole, everything else
 * is stepped over by its NetBIOS length (no copy), through gaps, lies and several messages a segment.
 */

const SRV = { mac: '02:00:00:00:00:45', ip: '10.0.1.45', port: 445 };
let cliPort = 51000;
/** A fresh client port per flow, so every test starts its own TCP flow. */
const client = () => ({ mac: '02:00:00:00:00:10', ip: '10.0.1.10', port: cliPort++ });

/** SMB2 header (64 bytes) for `cmd`, response flag set when `response`, then the body. */
function smb2(cmd: number, response: boolean, body: Bytes): Bytes {
  return concat(
    [0xfe, 0x53, 0x4d, 0x42],
    u16le(64),
    u16le(1),
    u32le(0),
    u16le(cmd),
    u16le(1),
    u32le(response ? 1 : 0),
    new Uint8Array(44),
    body,
  );
}

/** NTLMSSP CHALLENGE with target info: NetBIOS and DNS names of the server, Windows 10.0.<build>. */
function challenge(name: string, build: number, padInfo = 0): Bytes {
  const target = utf16('CORP');
  const info = concat(
    av(2, 'CORP'),
    av(1, name),
    av(4, 'corp.example.com'),
    ...(padInfo > 0 ? [u16le(9), u16le(padInfo), new Uint8Array(padInfo)] : []),
    av(3, name.toLowerCase() + '.corp.example.com'),
    u32le(0),
  );
  return ntlmChallenge(target, info, build);
}

/** SMB2 SESSION_SETUP response carrying `blob` as its security buffer, in NetBIOS framing. */
function setupResponse(blob: Bytes): Bytes {
  const body = concat(u16le(9), u16le(0), u16le(64 + 8), u16le(blob.length), blob);
  return nbss(smb2(1, true, body));
}

/** SMB2 READ response declaring `dataLen` bytes of file data (the caller sends them). */
function readResponseHead(dataLen: number): Bytes {
  const body = concat([17, 0], [80, 0], u32le(dataLen), u32le(0), u32le(0));
  const msg = smb2(8, true, body);
  const len = msg.length + dataLen;
  return concat([0, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff], msg);
}

const names = (obs: ReturnType<typeof decodeFrames>['obs']) =>
  ofKind(obs, 'hostname').map((o) => o.name + '@' + o.frame);

/** Cut `b` at the given offsets. */
function cut(b: Bytes, at: number[]): Bytes[] {
  const out: Bytes[] = [];
  let s = 0;
  for (const a of at) {
    out.push(b.subarray(s, a));
    s = a;
  }
  out.push(b.subarray(s));
  return out;
}

const NTLM_AT = 4 + 64 + 8; // NTLMSSP offset in setupResponse()

test('SESSION_SETUP with an NTLMSSP CHALLENGE split across 2 and 3 segments, at every kind of cut', () => {
  const msg = setupResponse(challenge('FILESRV01', 17763));
  const infoAt = NTLM_AT + 56 + 8; // target info starts after the header and target name
  const cuts: [string, number[]][] = [
    ['inside the NetBIOS header', [2]],
    ['inside the SMB2 header', [20]],
    ['inside the NTLMSSP signature', [NTLM_AT + 3]],
    ['inside the NTLMSSP header fields', [NTLM_AT + 30]],
    ['inside an AV pair header', [infoAt + 10]],
    ['inside an AV pair value', [infoAt + 30]],
    ['three segments: NTLMSSP header and AV pairs', [NTLM_AT + 13, infoAt + 47]],
    ['three segments: NetBIOS header and last AV pair', [1, msg.length - 9]],
  ];
  for (const [what, at] of cuts) {
    const cli = client();
    const segs = cut(msg, at);
    // The direction's first segment starts a message (a NEGOTIATE response), as on a real session.
    const frames = [
      tcpFrame(SRV, cli, nbss(smb2(0, true, new Uint8Array(64)))),
      ...segs.map((s) => tcpFrame(SRV, cli, s)),
    ];
    const r = decodeFrames(frames);
    const last = frames.length;
    assert.equal(r.errors, 0, what);
    assert.deepEqual(names(r.obs), ['FILESRV01@' + last, 'filesrv01.corp.example.com@' + last], what);
    const v = ofKind(r.obs, 'identity').find((o) => o.attr === 'os-version');
    assert.equal(v?.value, '10.0.17763', what);
  }
});

test('a huge READ response is stepped over without copying; the session setup after it is read', () => {
  const cli = client();
  const dataLen = 1 << 20;
  const head = readResponseHead(dataLen);
  const frames: Bytes[] = [tcpFrame(SRV, cli, nbss(smb2(0, true, new Uint8Array(64))))];
  const chunk = new Uint8Array(1400).fill(0x4e); // 'N': a scan for NTLMSSP would have work to do
  chunk.set(ascii('NTLMSSP\0'), 100); // a file that happens to hold an NTLMSSP signature
  frames.push(tcpFrame(SRV, cli, concat(head, chunk.subarray(0, 1400 - head.length))));
  let sent = 1400 - head.length;
  while (dataLen - sent > 1400) {
    frames.push(tcpFrame(SRV, cli, chunk));
    sent += 1400;
  }
  const setup = setupResponse(challenge('AFTERREAD', 19041));
  // The last file bytes and the first part of the session setup share a segment.
  frames.push(tcpFrame(SRV, cli, concat(chunk.subarray(0, dataLen - sent), setup.subarray(0, 100))));
  frames.push(tcpFrame(SRV, cli, setup.subarray(100)));
  const before = streamBytesInUse();
  const r = decodeFrames(frames.slice(0, -2));
  assert.equal(streamBytesInUse() - before, 0, 'file data must not be buffered');
  assert.deepEqual(names(r.obs), []);
  const all = decodeFrames(frames);
  assert.equal(all.errors, 0);
  assert.deepEqual(names(all.obs), [
    'AFTERREAD@' + frames.length,
    'afterread.corp.example.com@' + frames.length,
  ]);
});

test('a gap inside file data keeps the framing; a gap inside a session setup loses only that message', () => {
  const cli = client();
  const head = readResponseHead(10000);
  const setup = setupResponse(challenge('GAPSRV', 20348));
  const seq0 = 7000;
  // READ header + 2000 file bytes, 3000 file bytes lost, then the rest and a session setup.
  const afterGap = seq0 + head.length + 5000;
  const r = decodeFrames([
    tcpFrame(SRV, cli, concat(head, new Uint8Array(2000)), { seq: seq0 }),
    tcpFrame(SRV, cli, concat(new Uint8Array(5000), setup), { seq: afterGap }),
  ]);
  assert.deepEqual(names(r.obs), ['GAPSRV@2', 'gapsrv.corp.example.com@2']);

  // A session setup whose middle is lost is not read; the next message that starts a segment is.
  const cli2 = client();
  const other = setupResponse(challenge('NEXTSRV', 20348));
  const r2 = decodeFrames([
    tcpFrame(SRV, cli2, setup.subarray(0, 120), { seq: 100 }),
    tcpFrame(SRV, cli2, setup.subarray(150), { seq: 250 }),
    tcpFrame(SRV, cli2, other, { seq: 100 + setup.length }),
  ]);
  assert.deepEqual(names(r2.obs), ['NEXTSRV@3', 'nextsrv.corp.example.com@3']);
});

test('several SMB messages in one segment; NetBIOS keep-alives; SMB1 session setup split', () => {
  const cli = client();
  const echo = nbss(smb2(13, true, concat(u16le(4), u16le(0))));
  const keepAlive = Uint8Array.from([0x85, 0, 0, 0]);
  const setup = setupResponse(challenge('MULTI', 9600));
  const r = decodeFrames([tcpFrame(SRV, cli, concat(echo, keepAlive, echo, setup, echo))]);
  assert.deepEqual(names(r.obs), ['MULTI@1', 'multi.corp.example.com@1']);

  // SMB1 Session Setup AndX response (Unicode, extended security off), split inside NativeOS.
  const strings = concat([0], utf16('Windows 5.1\0'), utf16('Windows 2000 LAN Manager\0'));
  const words = concat([0xff, 0], u16le(0), u16le(0));
  const header = concat([0xff, 0x53, 0x4d, 0x42, 0x73], u32le(0), [0x98], u16le(0xc803), new Uint8Array(20));
  const smb1 = nbss(concat(header, [3], words, u16le(strings.length), strings));
  const cli2 = client();
  const r2 = decodeFrames([
    tcpFrame({ ...SRV, port: 139 }, cli2, concat(keepAlive, smb1.subarray(0, 50))),
    tcpFrame({ ...SRV, port: 139 }, cli2, smb1.subarray(50)),
  ]);
  const os = ofKind(r2.obs, 'identity').filter((o) => o.attr === 'os');
  assert.deepEqual(
    os.map((o) => o.value + '@' + o.frame),
    ['Windows 5.1@2'],
  );
});

test('lying NetBIOS lengths: too short, too long, absurd; never throws, recovers at a message start', () => {
  const setup = setupResponse(challenge('LIAR', 9600));
  // Too short (40 bytes: less than an SMB2 header): the framing is lost, the segment ignored.
  const short = setup.slice();
  short[3] = 40;
  const cli = client();
  const r = decodeFrames([
    tcpFrame(SRV, cli, short),
    tcpFrame(SRV, cli, setupResponse(challenge('HONEST', 9600))),
  ]);
  assert.equal(r.errors, 0);
  // The next segment starts a message: resynchronised there.
  assert.deepEqual(names(r.obs), ['HONEST@2', 'honest.corp.example.com@2']);

  // Too long (16 MB): everything after it in the flow is stepped over as its body, no buffering.
  const long = setup.slice();
  long[1] = 0xff;
  long[2] = 0xff;
  long[3] = 0xff;
  const cli2 = client();
  const before = streamBytesInUse();
  const r2 = decodeFrames([
    tcpFrame(SRV, cli2, nbss(smb2(8, true, new Uint8Array(20)))),
    tcpFrame(SRV, cli2, long.subarray(0, 40)),
    tcpFrame(SRV, cli2, long.subarray(40)),
  ]);
  assert.equal(r2.errors, 0);
  assert.deepEqual(names(r2.obs), []);
  // A session setup claiming 16 MB is collected up to the 64 KiB cap only.
  assert.ok(streamBytesInUse() - before <= 64 << 10);

  // Not NetBIOS at all (type 0x42), or a magic that is not SMB: never recognised.
  const cli3 = client();
  const r3 = decodeFrames([
    tcpFrame(SRV, cli3, ascii('BAD ' + 'x'.repeat(100))),
    tcpFrame(SRV, cli3, concat([0, 0, 0, 80], ascii('XSMB'), new Uint8Array(76))),
  ]);
  assert.equal(r3.errors, 0);
  assert.deepEqual(names(r3.obs), []);
});

test('hostile: random cuts and byte flips of a split session setup never throw', () => {
  const msg = setupResponse(challenge('FUZZ', 9600, 300));
  let s = 7;
  const rnd = (n: number) => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % n;
  for (let i = 0; i < 200; i++) {
    const c = msg.slice();
    for (let k = rnd(4); k > 0; k--) c[rnd(c.length)] = rnd(256);
    const a = 1 + rnd(c.length - 2);
    const b = a + rnd(c.length - a);
    const cli = client();
    const r = decodeFrames(cut(c, [a, b]).map((x) => tcpFrame(SRV, cli, x)));
    assert.equal(r.errors, 0);
  }
});

test('a retransmission that overlaps bytes already taken adds only its new bytes', () => {
  const cli = client();
  const setup = setupResponse(challenge('OVERLAP', 9600));
  const r = decodeFrames([
    tcpFrame(SRV, cli, setup.subarray(0, 150), { seq: 1000 }),
    // Resent from byte 100 with the rest of the message: bytes 100..150 must not be taken twice.
    tcpFrame(SRV, cli, setup.subarray(100), { seq: 1100 }),
  ]);
  assert.deepEqual(names(r.obs), ['OVERLAP@2', 'overlap.corp.example.com@2']);
});
