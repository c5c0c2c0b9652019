/** Payloads of OT messages (HART-IP, C37.118, FINS, ROC, EtherNet/IP), for unit and tshark tests. */
import { ascii, concat, u16, u16le, u32, u32le, type Bytes } from './packets';

/** Text in a fixed-width field, padded with `pad` (spaces in C37.118, NULs elsewhere). */
export function fixed(s: string, n: number, pad = 0): Uint8Array {
  const b = new Uint8Array(n).fill(pad);
  b.set(ascii(s).subarray(0, n));
  return b;
}

/** A HART-IP message: version 1, message type (0 request, 1 response), id, status, sequence, body. */
export function hartip(type: number, id: number, body: Bytes, seq = 1): Bytes {
  return concat([1, type, id, 0], u16(seq), u16(8 + body.length), body);
}

/** HART command 0 response data (HART 7): expanded device type, revisions, device id, manufacturer. */
export function hartCmd0(o: {
  type: number;
  maker: number;
  id: [number, number, number];
  sw: number;
  hw: number;
}) {
  return concat(
    [254],
    u16(o.type),
    [5, 7, 4, o.sw, (o.hw << 3) | 1, 0x0c],
    o.id,
    [5, 2],
    u16(2),
    [0],
    u16(o.maker),
    u16(o.maker),
    [0x84],
  );
}

/** HART command 20 response data: the 32-character long tag (Latin-1, NUL padded). */
export const hartCmd20 = (tag: string): Bytes => fixed(tag, 32);

/**
 * A token-passing (pass-through) response frame: ACK delimiter with a long (5-byte) address,
 * command, byte count, response code 0, device status, data, checksum (XOR of the frame).
 */
export function hartTokenResponse(addr: number[], cmd: number, data: Bytes): Bytes {
  const f = concat([0x86], addr, [cmd, data.length + 2, 0, 0xd0], data);
  let x = 0;
  for (const b of f) x ^= b;
  return concat(f, [x]);
}

/** A direct PDU (HART-IP 2): device status, extended status, commands (16-bit number, count, data). */
export function hartDirect(cmds: { cmd: number; data: Bytes; response?: boolean }[]): Bytes {
  return concat(
    [0, 0],
    ...cmds.map((c) => {
      const d = c.response === false ? c.data : concat([0], c.data);
      return concat(u16(c.cmd), [d.length], d);
    }),
  );
}

/** One PMU block of a CFG-1/CFG-2 frame: STN, IDCODE, FORMAT, channel counts, names, units, FNOM, CFGCNT. */
export function c37Pmu(stn: string, id: number, phasors: number, analogs: number, digitals: number): Bytes {
  const names = phasors + analogs + 16 * digitals;
  return concat(
    fixed(stn, 16, 0x20),
    u16(id),
    u16(0),
    u16(phasors),
    u16(analogs),
    u16(digitals),
    ...Array.from({ length: names }, (_, i) => fixed('CH' + i, 16, 0x20)),
    new Uint8Array(4 * (phasors + analogs + digitals)),
    u16(0),
    u16(1),
  );
}

/** A CFG-2 frame (type 3) from stream source `id` listing `pmus`, with DATA_RATE and a (zero) CRC. */
export function c37Cfg2(id: number, pmus: Bytes[], type = 3): Bytes {
  const body = concat(u32(1_700_000_000), u32(0), u32(1_000_000), u16(pmus.length), ...pmus, u16(30));
  const size = 6 + body.length + 2;
  const frame = concat([0xaa, (type << 4) | 1], u16(size), u16(id), body);
  return concat(frame, u16(crcCcitt(frame)));
}

/** C37.118's CHK: CRC-CCITT (polynomial 0x1021, initial 0xffff) of the frame before it. */
export function crcCcitt(b: Bytes): number {
  let crc = 0xffff;
  for (const x of b) {
    crc ^= x << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** A FINS/UDP response to Controller Data Read (05 01): model, version, system use, area data. */
export function finsControllerData(model: string, version: string): Bytes {
  return concat(
    [0xc0, 0, 2, 0, 0x0a, 0, 0, 0x01, 0, 5],
    u16(0x0501),
    u16(0),
    fixed(model, 20, 0x20),
    fixed(version, 20, 0x20),
    new Uint8Array(40),
    u16(10),
    [23],
    u16(10768),
    [8, 0],
    u16(0),
    [0],
    u16(0),
  );
}

/** CRC-16/ARC (ROC Plus): polynomial 0x8005 reflected, initial 0. */
export function crc16Arc(b: Bytes): number {
  let crc = 0;
  for (const x of b) {
    crc ^= x;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** A ROC Plus message: destination and source unit/group, opcode, data, CRC low byte first. */
export function rocMessage(dst: [number, number], src: [number, number], opcode: number, data: Bytes): Bytes {
  const m = concat([dst[0], dst[1], src[0], src[1], opcode, data.length], data);
  const c = crc16Arc(m);
  return concat(m, [c & 0xff, c >> 8]);
}

/** The opcode 6 answer: mode, port, security, compatibility, revision, subtype, reserved, type of ROC, point types. */
export function rocSystemConfig(typeOfRoc: number, subtype: number): Bytes {
  return concat([1], u16(0), [0, 0, 1, subtype], new Uint8Array(11), [typeOfRoc], new Uint8Array(196));
}

/** A Modbus/TCP ADU: transaction id, protocol 0, length, unit id, PDU. */
export function mbapAdu(unit: number, pdu: Bytes, tid = 1): Bytes {
  return concat(u16(tid), u16(0), u16(pdu.length + 1), [unit], pdu);
}

/** A 43/14 Read Device Identification reply PDU listing `objects` (id, text). */
export function modbusDeviceIdReply(objects: [number, string][]): Bytes {
  return concat(
    [0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, objects.length],
    ...objects.map(([id, v]) => concat([id, v.length], ascii(v))),
  );
}

/** An EtherNet/IP ListIdentity reply (encapsulation 0x63) whose identity item names `product`. */
export function enipListIdentityReply(product: string, vendor = 1, serial = 0x00c0ffee): Bytes {
  const le16 = (v: number) => [v & 0xff, v >> 8];
  const le32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
  const identity = concat(
    le16(vendor),
    le16(0x0e),
    le16(54),
    [20, 11],
    le16(0x0030),
    le32(serial),
    [product.length],
    ascii(product),
    [3],
  );
  const item = concat(le16(1), u16(2), u16(44818), [10, 0, 0, 2], new Uint8Array(8), identity);
  const body = concat(le16(1), le16(0x0c), le16(item.length), item);
  return concat(
    le16(0x63),
    le16(body.length),
    new Uint8Array(4),
    new Uint8Array(4),
    le32(0x11223344),
    new Uint8Array(8),
    body,
  );
}

/** An EtherNet/IP SendUnitData message carrying `cip` on `connection` with sequence count `seq`. */
export function sendUnitData(seq: number, cip: Bytes, connection = 0x1234): Bytes {
  const cpf = concat(
    u16le(2),
    u16le(0xa1),
    u16le(4),
    u32le(connection),
    u16le(0xb1),
    u16le(cip.length + 2),
    u16le(seq),
    cip,
  );
  const body = concat(u32le(0), u16le(0), cpf);
  return concat(
    u16le(0x70),
    u16le(body.length),
    u32le(0x11223344),
    u32le(0),
    new Uint8Array(8),
    u32le(0),
    body,
  );
}

/** An EtherNet/IP encapsulation message: command, session handle, sender context, body. */
export function encapsulation(command: number, session: number, body: Bytes, context = 0): Bytes {
  return concat(
    u16le(command),
    u16le(body.length),
    u32le(session),
    u32le(0),
    u32le(context),
    u32le(0),
    u32le(0),
    body,
  );
}

/** RegisterSession (0x65): protocol version 1, no options; the reply carries the session handle. */
export const registerSession = (session = 0): Bytes =>
  encapsulation(0x65, session, concat(u16le(1), u16le(0)));

/** SendRRData (0x6f): an unconnected CIP message (null address item, unconnected data item). */
export function sendRRData(session: number, cip: Bytes, context = 0): Bytes {
  const cpf = concat(u16le(2), u16le(0), u16le(0), u16le(0xb2), u16le(cip.length), cip);
  return encapsulation(0x6f, session, concat(u32le(0), u16le(0), cpf), context);
}

/** An electronic key segment (0x34, key format 4): vendor, device type, product code, major, minor. */
export function ekeySegment(o: {
  vendor?: number;
  deviceType?: number;
  productCode?: number;
  major?: number;
  minor?: number;
  compatible?: boolean;
}): Bytes {
  return concat([0x34, 4], u16le(o.vendor ?? 0), u16le(o.deviceType ?? 0), u16le(o.productCode ?? 0), [
    (o.major ?? 0) | (o.compatible === true ? 0x80 : 0),
    o.minor ?? 0,
  ]);
}

/** Class 4 (Assembly), configuration instance, O->T and T->O connection points: an I/O adapter's path. */
export const assemblyPoints = (config: number, out: number, input: number): Bytes =>
  Uint8Array.from([0x20, 0x04, 0x24, config, 0x2c, out, 0x2c, input]);

/** An ANSI extended symbol segment (0x91), padded to a word: a produced tag's name. */
export function symbolSegment(name: string): Bytes {
  return concat([0x91, name.length], ascii(name), name.length % 2 === 1 ? [0] : []);
}

/**
 * A Forward_Open (0x54) request to the Connection Manager, or a Large_Forward_Open (0x5b): fixed
 * fields (RPIs in microseconds), transport type/trigger (class in the low nibble), connection path.
 * `pathWords` overrides the stated path size, to lie.
 */
export function forwardOpen(o: {
  transport: number;
  path: Bytes;
  rpi?: number;
  large?: boolean;
  serial?: number;
  pathWords?: number;
}): Bytes {
  const large = o.large === true;
  const params = (v: number) => (large ? u32le(v << 16) : u16le(v));
  const rpi = o.rpi ?? 10_000;
  return concat(
    [large ? 0x5b : 0x54, 2, 0x20, 0x06, 0x24, 0x01],
    [0x0a, 0x0e],
    u32le(0),
    u32le(0x8000 + (o.serial ?? 1)),
    u16le(o.serial ?? 1),
    u16le(1),
    u32le(0x00c0ffee),
    [1, 0, 0, 0],
    u32le(rpi),
    params(0x4800 | 32),
    u32le(rpi),
    params(0x2800 | 32),
    [o.transport, o.pathWords ?? Math.ceil(o.path.length / 2)],
    o.path,
  );
}
