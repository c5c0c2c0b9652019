import type { Packet } from '../../decode/packet';
import type { DeviceRef, ObservationBase } from '../../model/observation';
import { ipv4ToString, macToString } from '../../util/addr';

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

/** The common part of every observation. */
export function base(p: Packet, device: DeviceRef, protocol: string, field: string): ObservationBase {
  return { device, protocol, field, frame: p.frame, ts: p.ts };
}
