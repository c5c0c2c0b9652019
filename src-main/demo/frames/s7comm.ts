/**
 * S7comm over ISO-on-TCP (RFC 1006 TPKT + ISO 8073 COTP): connection request/confirm, Setup
 * Communication, and an SZL 0x0011 (module identification) read.
 */
import { ascii, concat, u16, type Bytes } from '../bytes';

export const S7_PORT = 102;

const tpkt = (cotp: Bytes | number[]): Bytes => concat([3, 0], u16(cotp.length + 4), cotp);

export function cotpConnect(confirm: boolean): Bytes {
  const params = [0xc1, 2, 0x01, 0x00, 0xc2, 2, 0x01, 0x02, 0xc0, 1, 0x0a];
  return tpkt([
    6 + params.length,
    confirm ? 0xd0 : 0xe0,
    ...u16(confirm ? 1 : 0),
    ...u16(confirm ? 0x44 : 1),
    0,
    ...params,
  ]);
}

const dt = (s7: Bytes): Bytes => tpkt(concat([2, 0xf0, 0x80], s7));

function header(rosctr: number, ref: number, params: number[], data: number[]): Bytes {
  const ack = rosctr === 2 || rosctr === 3;
  return concat(
    [0x32, rosctr, 0, 0],
    u16(ref),
    u16(params.length),
    u16(data.length),
    ack ? [0, 0] : [],
    params,
    data,
  );
}

export function setupJob(ref: number): Bytes {
  return dt(header(1, ref, [0xf0, 0, ...u16(1), ...u16(1), ...u16(480)], []));
}

export function setupAck(ref: number): Bytes {
  return dt(header(3, ref, [0xf0, 0, ...u16(1), ...u16(1), ...u16(240)], []));
}

export function szlRequest(ref: number, id: number, index: number): Bytes {
  return dt(
    header(7, ref, [0, 1, 0x12, 4, 0x11, 0x44, 1, 0], [0xff, 9, ...u16(4), ...u16(id), ...u16(index)]),
  );
}

export interface ModuleRecord {
  index: number;
  orderNumber: string;
  ausbg: number;
  ausbe: number;
}

/** The answer to SZL 0x0011: 28-byte records of index, order number (20, space padded), types. */
export function szlModuleReply(ref: number, records: ModuleRecord[]): Bytes {
  const recs = records.flatMap((r) => [
    ...u16(r.index),
    ...ascii(r.orderNumber.padEnd(20, ' ').slice(0, 20)),
    ...u16(0),
    ...u16(r.ausbg),
    ...u16(r.ausbe),
  ]);
  const szl = [...u16(0x0011), ...u16(0), ...u16(28), ...u16(records.length), ...recs];
  const params = [0, 1, 0x12, 8, 0x12, 0x84, 1, 1, 0, 0, 0, 0];
  return dt(header(7, ref, params, [0xff, 9, ...u16(szl.length), ...szl]));
}
