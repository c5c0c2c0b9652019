/** BACnet/IP (ASHRAE 135 Annex J): Who-Is and a controller's I-Am, broadcast on UDP 47808. */
import { concat, u16, u32, type Bytes } from '../bytes';

export const BACNET_PORT = 47808;
const OBJECT_DEVICE = 8;

/** BVLC original-broadcast + NPDU (version 1, global broadcast destination, hop count 255). */
const broadcast = (apdu: number[]): Bytes => {
  const npdu = [1, 0x20, 0xff, 0xff, 0, 0xff];
  return concat([0x81, 0x0b], u16(4 + npdu.length + apdu.length), npdu, apdu);
};

export function whoIs(): Bytes {
  return broadcast([0x10, 0x08]);
}

export function iAm(instance: number, vendorId: number): Bytes {
  return broadcast([
    0x10,
    0x00,
    0xc4,
    ...u32(((OBJECT_DEVICE << 22) | instance) >>> 0),
    0x22,
    ...u16(1476),
    0x91,
    0x00,
    0x21,
    vendorId & 0xff,
  ]);
}
