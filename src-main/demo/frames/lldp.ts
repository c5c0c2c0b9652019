/** LLDP (IEEE 802.1AB): a managed switch advertising itself on one of its ports. */
import { ascii, concat, ip4Bytes, macBytes, u16, u32, type Bytes } from '../bytes';

function tlv(type: number, value: Bytes | number[]): Bytes {
  return concat(u16((type << 9) | value.length), value);
}

export interface LldpAdvert {
  chassisMac: string;
  portId: string;
  portDescription: string;
  systemName: string;
  systemDescription: string;
  mgmtIp: string;
}

export function lldpFrame(a: LldpAdvert): Bytes {
  const BRIDGE = 0x0004;
  const ROUTER = 0x0010;
  return concat(
    tlv(1, [4, ...macBytes(a.chassisMac)]),
    tlv(2, concat([5], ascii(a.portId))),
    tlv(3, u16(120)),
    tlv(4, ascii(a.portDescription)),
    tlv(5, ascii(a.systemName)),
    tlv(6, ascii(a.systemDescription)),
    tlv(7, [...u16(BRIDGE | ROUTER), ...u16(BRIDGE)]),
    tlv(8, [5, 1, ...ip4Bytes(a.mgmtIp), 2, ...u32(1), 0]),
    tlv(0, []),
  );
}
