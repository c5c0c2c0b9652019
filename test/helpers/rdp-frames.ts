/**
 * RDP connection-start PDUs (MS-RDPBCGR 2.2.1), byte-exact: X.224 Connection Request / Confirm in
 * TPKT, and the MCS Connect-Initial with a GCC Conference Create Request carrying client data blocks
 * (the layout of the specification's own example in 4.1.3).
 */
import { concat, u16, u16le, u32le, type Bytes } from './packets';

export function tpkt(x224: Bytes): Bytes {
  return concat([3, 0], u16(4 + x224.length), x224);
}

/** X.224 Connection Request: optional cookie line, optional RDP_NEG_REQ with requestedProtocols. */
export function connectionRequest(o: { cookie?: string; requested?: number } = {}): Bytes {
  const cookie = o.cookie === undefined ? [] : [...Buffer.from(`Cookie: mstshash=${o.cookie}\r\n`, 'latin1')];
  const neg = o.requested === undefined ? [] : concat([1, 0], u16le(8), u32le(o.requested));
  const rest = concat([X224_CR, 0, 0, 0, 0, 0], cookie, neg);
  return tpkt(concat([rest.length], rest));
}
const X224_CR = 0xe0;

/** X.224 Connection Confirm with RDP_NEG_RSP (selected protocol) or RDP_NEG_FAILURE (failure code). */
export function connectionConfirm(o: { selected?: number; failure?: number } = {}): Bytes {
  const neg =
    o.failure !== undefined
      ? concat([3, 0], u16le(8), u32le(o.failure))
      : o.selected !== undefined
        ? concat([2, 0x1f], u16le(8), u32le(o.selected))
        : [];
  const rest = concat([0xd0, 0, 0, 0x12, 0x34, 0], neg);
  return tpkt(concat([rest.length], rest));
}

function berLen(n: number): number[] {
  return n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
}

function perLen(n: number): number[] {
  return n < 0x80 ? [n] : [0x80 | (n >> 8), n & 0xff];
}

/** TS_UD_CS_CORE (216 bytes): clientName is 32 bytes UTF-16LE, NUL-padded (15 characters at most). */
export function clientCore(name: string, build: number, nameBytes?: number[]): Bytes {
  const nb = nameBytes ?? [...Buffer.from(name, 'utf16le')];
  const nameField = [...nb, ...new Array(Math.max(0, 32 - nb.length)).fill(0)].slice(0, 32);
  const body = concat(
    u32le(0x00080004),
    u16le(1280),
    u16le(1024),
    u16le(0xca01),
    u16le(0xaa03),
    u32le(0x409),
    u32le(build),
    nameField,
    u32le(4),
    u32le(0),
    u32le(12),
    new Array(64).fill(0),
    u16le(0xca01),
    u16le(1),
    u32le(0),
    u16le(0x18),
    u16le(7),
    u16le(1),
    new Array(64).fill(0),
    [7, 0],
    u32le(0),
  );
  return concat(u16le(0xc001), u16le(4 + body.length), body);
}

/** X.224 Data TPDU with the MCS Connect-Initial whose GCC user data holds `blocks`. */
export function connectInitial(blocks: Bytes): Bytes {
  const security = concat(u16le(0xc002), u16le(12), u32le(0x1b), u32le(0));
  const net = concat(u16le(0xc003), u16le(8), u32le(0));
  const data = concat(blocks, security, net);
  const ccr = concat(
    [0x00, 0x08, 0x00, 0x10, 0x00, 0x01, 0xc0, 0x00],
    [0x44, 0x75, 0x63, 0x61],
    perLen(data.length),
    data,
  );
  const gcc = concat([0x00, 0x05, 0x00, 0x14, 0x7c, 0x00, 0x01], perLen(ccr.length), ccr);
  const params = (v: number[][]) => {
    const ints = concat(...v.map((x) => concat([0x02, x.length], x)));
    return concat([0x30], berLen(ints.length), ints);
  };
  const body = concat(
    [0x04, 0x01, 0x01, 0x04, 0x01, 0x01, 0x01, 0x01, 0xff],
    params([[0x22], [0x02], [0x00], [0x01], [0x00], [0x01], [0xff, 0xff], [0x02]]),
    params([[0x01], [0x01], [0x01], [0x01], [0x00], [0x01], [0x04, 0x20], [0x02]]),
    params([[0xff, 0xff], [0xfc, 0x17], [0xff, 0xff], [0x01], [0x00], [0x01], [0xff, 0xff], [0x02]]),
    [0x04],
    berLen(gcc.length),
    gcc,
  );
  const mcs = concat([0x7f, 0x65], berLen(body.length), body);
  return tpkt(concat([0x02, 0xf0, 0x80], mcs));
}
