/**
 * The crafted hosts the console benches make (console-memory.ts, merged-rebuild.ts): host `d` of
 * sensor `s`, half a DHCP request with a host name, half an ARP announcement. A module of its own,
 * since a bench script cannot import another without running it.
 */
import { dhcpRequestFrame } from '../test/helpers/dhcp-frames';
import { arp, ethernet } from '../test/helpers/packets';

export const hex2 = (n: number) => (n & 255).toString(16).padStart(2, '0');
export const macOf = (s: number, d: number) => [2, s, d >> 16, d >> 8, d, 1].map(hex2).join(':');
export const ipOf = (d: number) => `10.${(d >> 16) & 255}.${(d >> 8) & 255}.${d & 255}`;

/** The frame host `d` of sensor `s` sends. */
export function hostFrame(s: number, d: number): Uint8Array {
  const mac = macOf(s, d);
  const ip = ipOf(d + 1);
  return d % 2 === 0
    ? dhcpRequestFrame({ mac, ip }, `host-${s}-${d}`, d + 1)
    : ethernet('ff:ff:ff:ff:ff:ff', mac, 0x0806, arp(1, mac, ip, '00:00:00:00:00:00', ip));
}
