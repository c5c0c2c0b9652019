import type { Packet } from '../../decode/packet';
import type { DeviceRef } from '../../model/observation';
import { ipv4IsUnicastHost, ipv4ToString, macIsGroup, macToString } from '../../util/addr';

/**
 * The refs last made for a frame's ends, direct-mapped by MAC and address: a dissector states several
 * facts a frame, and a few hosts state most of them, so one {mac, ip} object serves every fact about
 * the same end (an observation's device is never changed once made). Bounded by construction.
 */
const REF_SLOTS = 256;
const refMacs = new Float64Array(REF_SLOTS).fill(-2);
/** The IPv4 address, or -1 (IPv6, or none). */
const refIp4s = new Float64Array(REF_SLOTS);
/** The IPv6 address's text, or '' (IPv4, or none). */
const refIp6s: string[] = new Array<string>(REF_SLOTS).fill('');
const refs: (DeviceRef | null)[] = new Array<DeviceRef | null>(REF_SLOTS).fill(null);

/**
 * An end of the frame as a device: its MAC (when the link layer has one) and its IP. Read from the
 * packet here: a MAC is no small integer, so passed to a call that is not inlined it would be boxed.
 */
function frameRef(p: Packet, dst: boolean): DeviceRef {
  const mac = dst ? p.dstMac : p.srcMac;
  const v = p.ipVersion;
  const ip4 = v === 4 ? (dst ? p.dst4 : p.src4) : -1;
  const ip6 = v === 6 ? (dst ? p.dst6 : p.src6) : '';
  const slot = ((mac >>> 0) ^ ((mac >>> 0) >>> 11) ^ ip4 ^ (ip4 >>> 13) ^ ip6.length) & (REF_SLOTS - 1);
  const r = refs[slot] ?? null;
  if (r !== null && refMacs[slot] === mac && refIp4s[slot] === ip4 && refIp6s[slot] === ip6) return r;
  const made: DeviceRef = {
    mac: mac >= 0 ? macToString(mac) : null,
    ip: v === 4 ? ipv4ToString(ip4) : v === 6 ? ip6 : null,
  };
  refMacs[slot] = mac;
  refIp4s[slot] = ip4;
  refIp6s[slot] = ip6;
  refs[slot] = made;
  return made;
}

/** The frame's source as a device: its MAC (when the link layer has one) and its IP. */
export function srcRef(p: Packet): DeviceRef {
  return frameRef(p, false);
}

/** The frame's destination as a device. */
export function dstRef(p: Packet): DeviceRef {
  return frameRef(p, true);
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
