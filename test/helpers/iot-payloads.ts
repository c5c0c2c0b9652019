/**
 * Payloads of the vendor discovery protocols, as the devices send them (our own builders, for the
 * dissector tests and the tshark differential alike).
 */
import { concat, u16, type Bytes } from './packets';

/** A Ubiquiti discovery reply (version 1, command 0): type, 16-bit length and value per TLV. */
export function ubiquitiReply(tlvs: [type: number, value: Bytes | number[]][]): Bytes {
  const body = concat(...tlvs.map(([t, v]) => concat([t, ...u16(v.length)], v)));
  return concat([1, 0, ...u16(body.length)], body);
}

/** The TP-Link smart-home protocol's autokey XOR (initial key 171), as on UDP 9999. */
export function tplinkXor(text: string): Bytes {
  let key = 171;
  return Uint8Array.from([...text].map((c) => (key = key ^ c.charCodeAt(0))));
}
