import { ascii, concat, u16le, u32le, type Bytes } from '../../helpers/packets';

/** Builders for SMB test messages (shared by the SMB tests). */

/** UTF-16LE of an ASCII string, as NTLMSSP and SMB carry names. */
export function utf16(s: string): Bytes {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) out[i * 2] = s.charCodeAt(i);
  return out;
}

/** One NTLMSSP AV pair (MS-NLMP 2.2.2.1): id, length, UTF-16 value. */
export function av(id: number, s: string): Bytes {
  const v = utf16(s);
  const n = v.length;
  return concat([id & 0xff, id >> 8, n & 0xff, n >> 8], v);
}

/** A NetBIOS session message (RFC 1002 4.3.1, also the direct-TCP 445 header) around `msg`. */
export function nbss(msg: Bytes): Bytes {
  return concat([0, (msg.length >> 16) & 0xff, (msg.length >> 8) & 0xff, msg.length & 0xff], msg);
}

/**
 * An NTLMSSP CHALLENGE (MS-NLMP 2.2.1.2): `target` (the target name, UTF-16), `info` (its AV pairs)
 * and the version Windows 10.0.<build>; flags include NEGOTIATE_TARGET_INFO and NEGOTIATE_VERSION.
 */
export function ntlmChallenge(target: Bytes, info: Bytes, build: number): Bytes {
  const head = 56;
  return concat(
    ascii('NTLMSSP\0'),
    u32le(2),
    u16le(target.length),
    u16le(target.length),
    u32le(head),
    u32le(0x02898215),
    new Uint8Array(8).fill(0x11),
    new Uint8Array(8),
    u16le(info.length),
    u16le(info.length),
    u32le(head + target.length),
    [10, 0],
    u16le(build),
    [0, 0, 0, 15],
    target,
    info,
  );
}
