/** DHCPv4 (RFC 2131/2132): the four-message exchange of a client joining the network. */
import { ascii, concat, ip4Bytes, macBytes, u16, u32, type Bytes } from '../bytes';

export const DHCP = { DISCOVER: 1, OFFER: 2, REQUEST: 3, ACK: 5 } as const;

export interface DhcpMessage {
  op: 1 | 2;
  type: number;
  xid: number;
  clientMac: string;
  yiaddr?: string;
  siaddr?: string;
  /** Client options. */
  hostname?: string;
  vendorClass?: string;
  paramList?: number[];
  requestedIp?: string;
  /** Server options. */
  serverId?: string;
  router?: string;
  dns?: string;
  lease?: number;
}

const opt = (code: number, value: Bytes | number[]): number[] => [code, value.length, ...value];

export function dhcpMessage(m: DhcpMessage): Bytes {
  const options: number[] = [...opt(53, [m.type])];
  if (m.op === 1) options.push(...opt(61, [1, ...macBytes(m.clientMac)]));
  if (m.requestedIp) options.push(...opt(50, ip4Bytes(m.requestedIp)));
  if (m.serverId) options.push(...opt(54, ip4Bytes(m.serverId)));
  if (m.lease) options.push(...opt(51, u32(m.lease)));
  if (m.op === 2) options.push(...opt(1, [255, 255, 255, 0]));
  if (m.router) options.push(...opt(3, ip4Bytes(m.router)));
  if (m.dns) options.push(...opt(6, ip4Bytes(m.dns)));
  if (m.hostname) options.push(...opt(12, ascii(m.hostname)));
  if (m.vendorClass) options.push(...opt(60, ascii(m.vendorClass)));
  if (m.paramList) options.push(...opt(55, m.paramList));
  options.push(255);
  return concat(
    [m.op, 1, 6, 0],
    u32(m.xid),
    u16(0),
    u16(m.op === 1 ? 0x8000 : 0),
    [0, 0, 0, 0],
    ip4Bytes(m.yiaddr ?? '0.0.0.0'),
    ip4Bytes(m.siaddr ?? '0.0.0.0'),
    [0, 0, 0, 0],
    macBytes(m.clientMac),
    new Uint8Array(10 + 64 + 128),
    [0x63, 0x82, 0x53, 0x63],
    options,
  );
}
