import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { ipv4ToString, ipv6ToString } from '../../util/addr';
import { srcRef } from '../common/refs';
import { wireText } from '../common/text';
import { capabilityNames } from './lldp';
import { hexBits } from '../common/hex';
import { Emitter } from '../common/emit';

const em = new Emitter<typeof VOCABULARY>('cdp');

/** Cisco Discovery Protocol (SNAP OUI 00-00-0c, PID 0x2000): a Cisco neighbour describing itself. */
const MAX_TLVS = 128;
const CAPS = [
  'router',
  'trans-bridge',
  'sr-bridge',
  'switch',
  'host',
  'igmp',
  'repeater',
  'phone',
  'remote',
  'cvta',
  'mac-relay',
];

function addresses(w: ByteWindow, v: number, len: number, out: string[]): void {
  const count = w.u32(v);
  let o = v + 4;
  const end = v + len;
  for (let i = 0; i < count && i < 16 && o + 2 <= end; i++) {
    const ptype = w.u8(o);
    const plen = w.u8(o + 1);
    const proto = plen === 1 ? w.u8(o + 2) : plen === 8 ? w.u16(o + 2 + 6) : -1;
    const alen = w.u16(o + 2 + plen);
    const a = o + 4 + plen;
    if (a + alen > end) return;
    if (ptype === 1 && proto === 0xcc && alen === 4) out.push(ipv4ToString(w.u32(a)));
    else if (ptype === 2 && proto === 0x86dd && alen === 16) out.push(ipv6ToString(w.bytes(a, 16), 0));
    o = a + alen;
  }
}

export function dissectCdp(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const version = w.u8(0);
  if (w.length < 8 || (version !== 1 && version !== 2)) return false;
  const me = srcRef(p);
  let deviceId = '';
  let port: string | null = null;
  let vlan: number | null = null;
  const addrs: string[] = [];
  let o = 4;
  for (let i = 0; i < MAX_TLVS && w.has(o, 4); i++) {
    const type = w.u16(o);
    const len = w.u16(o + 2);
    if (len < 4) break;
    const v = o + 4;
    const n = len - 4;
    o += len;
    if (!w.has(v, n)) break;
    switch (type) {
      case 0x01:
        deviceId = wireText(w, v, n, 255);
        if (deviceId !== '') em.hostname(ctx, p, { device: me, field: 'deviceId', name: deviceId });
        break;
      case 0x02:
      case 0x16:
        addresses(w, v, n, addrs);
        break;
      case 0x03:
        port = wireText(w, v, n, 255);
        break;
      case 0x04:
        if (n >= 4) {
          const caps = w.u32(v);
          em.attribute(ctx, p, {
            device: me,
            field: 'capabilities',
            key: 'capabilities',
            value: capabilityNames(caps, CAPS),
          });
          for (const code of hexBits(caps, 32))
            em.attribute(ctx, p, { device: me, field: 'capabilities', key: 'capability-bit', value: code });
        }
        break;
      case 0x05: {
        const s = wireText(w, v, n, 1024);
        if (s !== '')
          em.identity(ctx, p, { device: me, field: 'softwareVersion', attr: 'software', value: s });
        break;
      }
      case 0x06: {
        const s = wireText(w, v, n, 255);
        if (s !== '') em.identity(ctx, p, { device: me, field: 'platform', attr: 'model', value: s });
        break;
      }
      case 0x09: {
        const s = wireText(w, v, n, 255);
        if (s !== '') em.identity(ctx, p, { device: me, field: 'vtpDomain', attr: 'domain', value: s });
        break;
      }
      case 0x0a:
        if (n >= 2) {
          vlan = w.u16(v);
          em.attribute(ctx, p, { device: me, field: 'nativeVlan', key: 'native-vlan', value: String(vlan) });
        }
        break;
      default:
        break;
    }
  }
  const seen = new Set<string>();
  for (const ip of addrs) {
    if (seen.has(ip)) continue;
    seen.add(ip);
    em.address(ctx, p, { device: { mac: me.mac, ip }, field: 'address', ip, name: deviceId || null });
  }
  if (deviceId !== '') {
    em.neighbor(ctx, p, {
      device: me,
      field: 'deviceId',
      chassisId: deviceId,
      portId: port,
      portDescription: null,
      vlan,
    });
  }
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['address', 'capabilities', 'deviceId', 'nativeVlan', 'platform', 'softwareVersion', 'vtpDomain'],
  keys: {
    attribute: ['capabilities', 'capability-bit', 'native-vlan'],
    identity: ['domain', 'model', 'software'],
  },
} as const satisfies Vocabulary;

export const cdp: AppProtocol = {
  name: 'cdp',
  group: 'it',
  emits: { cdp: VOCABULARY },
  snap: [0x00000c * 65536 + 0x2000],
  dissect: dissectCdp,
};
