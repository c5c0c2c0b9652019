import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, u16le, u32le, tcpFrame, ascii } from '../../helpers/packets';
import { av, nbss, ntlmChallenge, utf16 } from './smb-build';
import { decodeFrames, hostileVariants, ofKind } from './run';

const SRV = { mac: '02:00:00:00:00:45', ip: '10.0.0.45', port: 445 };
const CLI = { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 50500 };

test('SMB2 + NTLMSSP CHALLENGE: server NetBIOS/DNS names, domain and Windows version', () => {
  const target = utf16('CORP');
  const info = concat(
    av(2, 'CORP'),
    av(1, 'FILESRV01'),
    av(4, 'corp.example.com'),
    av(3, 'filesrv01.corp.example.com'),
    u16le(0),
    u16le(0),
  );
  const ntlm = ntlmChallenge(target, info, 17763);

  // SMB2 header (64 bytes, SESSION_SETUP response) followed by a security buffer carrying the NTLMSSP token.
  const smb2 = concat(
    [0xfe, 0x53, 0x4d, 0x42],
    u16le(64),
    new Array(6).fill(0),
    u16le(1),
    new Array(52).fill(0),
    new Array(8).fill(0),
    ntlm,
  );
  const r = decodeFrames([tcpFrame(SRV, CLI, nbss(smb2))]);
  assert.equal(r.errors, 0);
  assert.deepEqual(
    ofKind(r.obs, 'hostname').map((o) => [o.device.ip, o.name]),
    [
      ['10.0.0.45', 'FILESRV01'],
      ['10.0.0.45', 'filesrv01.corp.example.com'],
    ],
  );
  const ids = ofKind(r.obs, 'identity').map((o) => o.attr + '=' + o.value);
  assert.deepEqual(ids, ['os-version=10.0.17763', 'workgroup=CORP', 'domain=corp.example.com']);
});

test('SMB1 Session Setup AndX response: NativeOS and NativeLanMan (Unicode)', () => {
  const strings = concat(
    [0],
    utf16('Windows 5.1\0'),
    utf16('Windows 2000 LAN Manager\0'),
    utf16('WORKGROUP\0'),
  );
  const words = concat([0xff, 0], u16le(0), u16le(0));
  const header = concat(
    [0xff, 0x53, 0x4d, 0x42, 0x73],
    u32le(0),
    [0x98],
    u16le(0xc803),
    new Array(20).fill(0),
  );
  const smb = concat(header, [3], words, u16le(strings.length), strings);
  const r = decodeFrames([tcpFrame({ ...SRV, port: 139 }, CLI, nbss(smb))]);
  const os = ofKind(r.obs, 'identity').find((o) => o.attr === 'os');
  assert.equal(os?.value, 'Windows 5.1');
  assert.deepEqual(
    ofKind(r.obs, 'software').map((o) => o.raw),
    ['Windows 2000 LAN Manager'],
  );
});

test('SMB: hostile NTLMSSP offsets and truncation never throw', () => {
  const ntlm = concat(
    ascii('NTLMSSP\0'),
    u32le(3),
    u16le(0xffff),
    u16le(0xffff),
    u32le(0x7fffffff),
    new Array(60).fill(0xff),
  );
  const smb2 = concat([0xfe, 0x53, 0x4d, 0x42], new Array(60).fill(0), ntlm);
  const frames = hostileVariants(tcpFrame(SRV, CLI, nbss(smb2)), 54);
  const r = decodeFrames(frames);
  assert.equal(r.errors, 0);
});
