import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol } from '../contract';
import { PDU_LOST, PDU_READ, PDU_SKIP, PduDirections, type PduFraming } from './pdu-stream';
import { Emitter } from '../common/emit';
import { scanNtlmssp, withNtlmssp } from './ntlmssp';

const em = new Emitter<typeof VOCABULARY>('ldap');

/**
 * LDAP over TCP (RFC 4511) on 389 and the global catalog (3268): only binds are read, for the
 * NTLMSSP that SASL GSS-SPNEGO / NTLM credentials (RFC 4422, MS-ADTS 5.1.1.1) and Microsoft's Sicily
 * bind carry: the request names the client, the response's server credentials the server. Every other
 * message (searches and their results) is stepped over by its BER length. Once a bind negotiated
 * signing or sealing, messages are SASL-wrapped: the framing is lost, which costs nothing.
 */
const BIND_REQUEST = 0x60;
const BIND_RESPONSE = 0x61;
/** Bind messages read whole up to this size (an NTLM AUTHENTICATE in SPNEGO is a few hundred bytes). */
const CAP = 16 << 10;

/** Bytes of the LDAPMessage SEQUENCE header at `o` (tag and BER length), or -1. */
function headerLength(w: ByteWindow, o: number): number {
  if (w.u8(o) !== 0x30) return -1;
  const l = w.u8(o + 1);
  if (l < 0x80) return 2;
  return l >= 0x81 && l <= 0x84 ? 2 + (l & 0x7f) : -1;
}

const FRAMING: PduFraming = {
  lenBytes: 6,
  peekBytes: 16,
  cap: CAP,
  length(w, o) {
    const h = headerLength(w, o);
    if (h < 0) return -1;
    const l = w.u8(o + 1);
    if (l < 0x80) return 2 + l;
    let n = 0;
    for (let i = 2; i < h; i++) n = n * 256 + w.u8(o + i);
    return n > 0x7fffffff - h ? -1 : h + n;
  },
  check(w, o, len) {
    // messageID INTEGER (1-4 bytes), then the protocolOp: an APPLICATION tag.
    const h = headerLength(w, o);
    if (h < 0 || len < h + 5 || w.u8(o + h) !== 0x02) return PDU_LOST;
    const idLen = w.u8(o + h + 1);
    if (idLen < 1 || idLen > 4) return PDU_LOST;
    const op = w.u8(o + h + 2 + idLen);
    if ((op & 0xc0) !== 0x40) return PDU_LOST;
    return (op === BIND_REQUEST || op === BIND_RESPONSE) && len <= CAP ? PDU_READ : PDU_SKIP;
  },
};

function readBind(w: ByteWindow, _len: number, p: Packet, ctx: AppContext): void {
  scanNtlmssp(w, p, ctx, em);
}

interface LdapFlow {
  dirs: PduDirections;
}

const newFlow = (): LdapFlow => ({ dirs: new PduDirections(FRAMING) });

export function dissectLdap(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  if (p.ipProto !== 6) return false;
  const f = ctx.flowState(p, 'ldap', newFlow);
  f.dirs.get(p).feed(w, p, readBind, ctx, null);
  return f.dirs.starts > 0;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = withNtlmssp({ fields: [] } as const);

export const ldap: AppProtocol = {
  name: 'ldap',
  group: 'it',
  emits: { ldap: VOCABULARY },
  tcpPorts: [389, 3268],
  dissect: dissectLdap,
};
