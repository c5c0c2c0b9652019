/** Modbus/TCP (MBAP + PDU): holding-register polls and the function 43/14 device identification. */
import { ascii, concat, u16, type Bytes } from '../bytes';

function mbap(transaction: number, unit: number, pdu: Bytes | number[]): Bytes {
  return concat(u16(transaction), u16(0), u16(pdu.length + 1), [unit], pdu);
}

export function readHoldingRequest(transaction: number, unit: number, start: number, count: number): Bytes {
  return mbap(transaction, unit, [3, ...u16(start), ...u16(count)]);
}

export function readHoldingReply(transaction: number, unit: number, values: number[]): Bytes {
  return mbap(transaction, unit, [3, values.length * 2, ...values.flatMap((v) => u16(v))]);
}

export function deviceIdRequest(transaction: number, unit: number): Bytes {
  // MEI type 14, read code 1 (basic), starting at object 0.
  return mbap(transaction, unit, [43, 14, 1, 0]);
}

/** Objects 0..2 (vendor, product code, revision) and optionally more, conformity level 1 + individual. */
export function deviceIdReply(transaction: number, unit: number, objects: string[]): Bytes {
  const body = objects.flatMap((v, id) => [id, v.length, ...ascii(v)]);
  return mbap(transaction, unit, [43, 14, 1, 0x81, 0, 0, objects.length, ...body]);
}
