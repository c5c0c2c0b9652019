/** EtherNet/IP ListIdentity (ODVA Vol. 2, 2-4.2): the broadcast request and a PLC's identity reply. */
import { ascii, concat, ip4Bytes, u16, u16le, u32le, type Bytes } from '../bytes';

const LIST_IDENTITY = 0x0063;
export const ENIP_PORT = 44818;

function encapsulation(command: number, data: Bytes | number[], context: number): Bytes {
  return concat(
    u16le(command),
    u16le(data.length),
    u32le(0),
    u32le(0),
    u32le(context),
    u32le(0),
    u32le(0),
    data,
  );
}

export function listIdentityRequest(context: number): Bytes {
  return encapsulation(LIST_IDENTITY, [], context);
}

export interface CipIdentity {
  ip: string;
  vendorId: number;
  deviceType: number;
  productCode: number;
  revision: [number, number];
  serial: number;
  productName: string;
}

export function listIdentityReply(context: number, id: CipIdentity): Bytes {
  const body = concat(
    u16le(1),
    // The socket address is big-endian (sockaddr_in), unlike the rest of the encapsulation.
    u16(2),
    u16(ENIP_PORT),
    ip4Bytes(id.ip),
    new Uint8Array(8),
    u16le(id.vendorId),
    u16le(id.deviceType),
    u16le(id.productCode),
    id.revision,
    u16le(0x0030),
    u32le(id.serial),
    [id.productName.length],
    ascii(id.productName),
    [3],
  );
  return encapsulation(LIST_IDENTITY, concat(u16le(1), u16le(0x000c), u16le(body.length), body), context);
}
