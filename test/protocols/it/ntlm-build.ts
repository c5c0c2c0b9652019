import { ascii, concat, u16, u16le, u32, u32le, type Bytes } from '../../helpers/packets';
import { av, ntlmChallenge, utf16 } from './smb-build';

/**
 * Builders for NTLMSSP messages and their carriers other than SMB (SPNEGO tokens, connection-oriented
 * DCE/RPC PDUs): shared by the DCE/RPC, HTTP and LDAP tests and their tshark comparisons.
 */

/** NEGOTIATE_UNICODE | NEGOTIATE_NTLM | EXTENDED_SESSIONSECURITY | NEGOTIATE_VERSION. */
const FLAGS = 0x02088201;

/** Windows 10.0.<build>, NTLM revision 15 (MS-NLMP 2.2.2.10). */
const version = (build: number): Bytes => concat([10, 0], u16le(build), [0, 0, 0, 15]);

/** An NTLMSSP NEGOTIATE (MS-NLMP 2.2.1.1) with no domain or workstation and the version. */
export function ntlmNegotiate(build: number): Bytes {
  return concat(ascii('NTLMSSP\0'), u32le(1), u32le(FLAGS), new Uint8Array(16), version(build));
}

/**
 * An NTLMSSP AUTHENTICATE (MS-NLMP 2.2.1.3), Unicode, with the version and no MIC: an empty LM
 * response, a 24-byte NT response, then domain, user and workstation.
 */
export function ntlmAuthenticate(o: { domain: string; user: string; host: string; build: number }): Bytes {
  const nt = new Uint8Array(24).fill(0x5a);
  const dom = utf16(o.domain);
  const user = utf16(o.user);
  const host = utf16(o.host);
  let at = 72;
  const field = (b: Bytes) => {
    const f = concat(u16le(b.length), u16le(b.length), u32le(at));
    at += b.length;
    return f;
  };
  const lm = field(new Uint8Array(0));
  const ntf = field(nt);
  const df = field(dom);
  const uf = field(user);
  const hf = field(host);
  const key = field(new Uint8Array(0));
  return concat(
    ascii('NTLMSSP\0'),
    u32le(3),
    lm,
    ntf,
    df,
    uf,
    hf,
    key,
    u32le(FLAGS),
    version(o.build),
    nt,
    dom,
    user,
    host,
  );
}

/** A DER TLV (definite length, short or long form). */
export function tlv(tag: number, ...content: Bytes[]): Bytes {
  const c = concat(...content);
  const n = c.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return concat([tag], len, c);
}

const SPNEGO_OID = [0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
const NTLMSSP_OID = [0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a];

/** GSS-API InitialContextToken with a SPNEGO NegTokenInit offering NTLMSSP and carrying `token`. */
export function spnegoInit(token: Bytes): Bytes {
  return tlv(
    0x60,
    Uint8Array.from(SPNEGO_OID),
    tlv(0xa0, tlv(0x30, tlv(0xa0, tlv(0x30, Uint8Array.from(NTLMSSP_OID))), tlv(0xa2, tlv(0x04, token)))),
  );
}

/** A SPNEGO NegTokenResp carrying `token` (accept-incomplete and the NTLMSSP mechanism when `first`). */
export function spnegoResp(token: Bytes, first: boolean): Bytes {
  const state = first
    ? [tlv(0xa0, Uint8Array.from([0x0a, 0x01, 0x01])), tlv(0xa1, Uint8Array.from(NTLMSSP_OID))]
    : [];
  return tlv(0xa1, tlv(0x30, ...state, tlv(0xa2, tlv(0x04, token))));
}

/** A UUID as DCE/RPC carries it with a little-endian data representation. */
export function uuidLe(s: string): Bytes {
  const h = s.replace(/-/g, '');
  const b = Uint8Array.from(Buffer.from(h, 'hex'));
  return concat([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!], b.subarray(8));
}

export const EPM = 'e1af8308-5d1f-11c9-91a4-08002b14a0fa';
const NDR = concat(uuidLe('8a885d04-1ceb-11c9-9fe8-08002b104860'), u32le(2));

export const PT_BIND = 11;
export const PT_BIND_ACK = 12;
export const PT_ALTER_CONTEXT = 14;
export const PT_AUTH3 = 16;
export const AUTH_SPNEGO = 9;
export const AUTH_NTLMSSP = 10;

/**
 * A connection-oriented DCE/RPC PDU, version 5.0, little-endian (C706 12.6): `body` after the
 * common header, padded to 4 bytes, then the sec_trailer and `auth` when given; the header's
 * integers big-endian when `bigEndian` (the body is the caller's).
 */
export function coPdu(
  ptype: number,
  body: Bytes,
  auth?: { type: number; value: Bytes },
  callId = 1,
  bigEndian = false,
): Bytes {
  const pad = auth === undefined ? 0 : (4 - ((16 + body.length) % 4)) % 4;
  const trailer =
    auth === undefined
      ? new Uint8Array(0)
      : concat(new Uint8Array(pad), [auth.type, 6, pad, 0], u32le(0x1234), auth.value);
  const authLen = auth?.value.length ?? 0;
  const frag = 16 + body.length + trailer.length;
  return concat(
    [5, 0, ptype, 0x03, bigEndian ? 0x00 : 0x10, 0, 0, 0],
    bigEndian ? u16(frag) : u16le(frag),
    bigEndian ? u16(authLen) : u16le(authLen),
    bigEndian ? u32(callId) : u32le(callId),
    body,
    trailer,
  );
}

/**
 * A CHALLENGE from server `name` of the CORP domain (corp.example.com): its NetBIOS and DNS names,
 * computer and domain, in the target info.
 */
export function corpChallenge(name: string, build: number): Bytes {
  return ntlmChallenge(
    utf16('CORP'),
    concat(
      av(2, 'CORP'),
      av(1, name),
      av(4, 'corp.example.com'),
      av(3, name.toLowerCase() + '.corp.example.com'),
      new Uint8Array(4),
    ),
    build,
  );
}

/**
 * The three PDUs of an NTLM bind: bind (NEGOTIATE of `build`), bind_ack (`challenge`) and auth3
 * (`authenticate`), each verifier in SPNEGO (auth type 9) or bare (10).
 */
export function ntlmBind(
  spnego: boolean,
  build: number,
  challenge: Bytes,
  authenticate: Bytes,
): { bind: Bytes; ack: Bytes; auth3: Bytes } {
  const type = spnego ? AUTH_SPNEGO : AUTH_NTLMSSP;
  return {
    bind: coPdu(PT_BIND, bindBody(), {
      type,
      value: spnego ? spnegoInit(ntlmNegotiate(build)) : ntlmNegotiate(build),
    }),
    ack: coPdu(PT_BIND_ACK, bindAckBody(), { type, value: spnego ? spnegoResp(challenge, true) : challenge }),
    auth3: coPdu(PT_AUTH3, auth3Body(), {
      type,
      value: spnego ? spnegoResp(authenticate, false) : authenticate,
    }),
  };
}

/** A bind (or alter_context) body: one presentation context for `iface` (version 3.0) in NDR. */
export function bindBody(iface = EPM): Bytes {
  return concat(
    u16le(5840),
    u16le(5840),
    u32le(0),
    [1, 0, 0, 0],
    u16le(0),
    [1, 0],
    uuidLe(iface),
    u32le(3),
    NDR,
  );
}

/** A bind_ack body: secondary address "135", one accepted result in NDR. */
export function bindAckBody(): Bytes {
  const addr = ascii('135\0');
  // Header 16 + 10 + 4 = 30: two bytes of padding bring the results to a 4-byte boundary.
  return concat(
    u16le(5840),
    u16le(5840),
    u32le(0x5a5a),
    u16le(addr.length),
    addr,
    [0, 0],
    [1, 0, 0, 0],
    u16le(0),
    u16le(0),
    NDR,
  );
}

/** An auth3 body: four bytes of padding (MS-RPCE 2.2.2.10). */
export const auth3Body = (): Bytes => new Uint8Array(4);

/** An LDAPMessage (RFC 4511 4.2): SEQUENCE { messageID, protocolOp }. */
export function ldapMessage(id: number, op: Bytes): Bytes {
  return tlv(0x30, Uint8Array.from([0x02, 0x01, id]), op);
}

/** A SASL BindRequest (version 3, empty name) with `mechanism` and `creds`. */
export function ldapSaslBind(mechanism: string, creds: Bytes): Bytes {
  return tlv(
    0x60,
    Uint8Array.from([0x02, 0x01, 0x03, 0x04, 0x00]),
    tlv(0xa3, tlv(0x04, ascii(mechanism)), tlv(0x04, creds)),
  );
}

/** A BindResponse saslBindInProgress (14) with serverSaslCreds `creds`. */
export function ldapSaslBindResponse(creds: Bytes): Bytes {
  return tlv(0x61, Uint8Array.from([0x0a, 0x01, 0x0e, 0x04, 0x00, 0x04, 0x00]), tlv(0x87, creds));
}
