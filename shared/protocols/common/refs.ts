import type { Packet } from '../../decode/packet';
import type { DeviceRef } from '../../model/observation';
import { ipv4IsUnicastHost, ipv4ToString, macIsGroup, macToString } from '../../util/addr';

/** The frame's source as a device: its MAC (when the link layer has one) and its IP. */
export function srcRef(p: Packet): DeviceRef {
  return {
    mac: p.srcMac >= 0 ? macToString(p.srcMac) : null,
    ip: p.ipVersion === 4 ? ipv4ToString(p.src4) : p.ipVersion === 6 ? p.src6 : null,
  };
}

/** The frame's destination as a device. */
export function dstRef(p: Packet): DeviceRef {
  return {
    mac: p.dstMac >= 0 ? macToString(p.dstMac) : null,
    ip: p.ipVersion === 4 ? ipv4ToString(p.dst4) : p.ipVersion === 6 ? p.dst6 : null,
  };
}

/** A device known by a MAC carried inside the payload (DHCP chaddr), with an IP when one is known. */
export function macRef(mac: number, ip: string | null = null): DeviceRef {
  return { mac: mac >= 0 ? macToString(mac) : null, ip };
}

/** A device known only by an IP address carried inside the payload. */
export function ipRef(ip: string): DeviceRef {
  return { mac: null, ip };
}

/** Which end of the packet an observation is about. */
export type End = 'src' | 'dst';

export function endRef(p: Packet, end: End): DeviceRef {
  return end === 'src' ? srcRef(p) : dstRef(p);
}

/** The receiver is a group (broadcast, multicast): it names no device. */
export function dstIsGroup(p: Packet): boolean {
  if (p.dstMac >= 0 && macIsGroup(p.dstMac)) return true;
  // A directed broadcast (x.y.z.255) is caught by its broadcast MAC; the address alone could be a host.
  if (p.ipVersion === 4) return !ipv4IsUnicastHost(p.dst4);
  if (p.ipVersion === 6) return p.dst6.startsWith('ff');
  return false;
}

/** The other end of the packet as `end`'s peer; none when `end` sent to a group. */
export function peerOf(p: Packet, end: End): DeviceRef | null {
  if (end === 'src') return dstIsGroup(p) ? null : dstRef(p);
  return srcRef(p);
}
