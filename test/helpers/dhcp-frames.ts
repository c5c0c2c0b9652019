import { dhcpMessage, DHCP } from '../../src-main/demo/frames/dhcp';
import { udpFrame, type Bytes } from './packets';

/** A client's broadcast DHCP REQUEST naming itself and the address it asks for (the demo's encoder). */
export function dhcpRequestFrame(h: { mac: string; ip: string }, hostname: string, xid: number): Bytes {
  return udpFrame(
    { mac: h.mac, ip: '0.0.0.0', port: 68 },
    { mac: 'ff:ff:ff:ff:ff:ff', ip: '255.255.255.255', port: 67 },
    dhcpMessage({ op: 1, type: DHCP.REQUEST, xid, clientMac: h.mac, hostname, requestedIp: h.ip }),
  );
}
