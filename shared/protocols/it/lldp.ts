import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { ipv4ToString, ipv6ToString, macToString } from '../../util/addr';
import { srcRef } from '../common/refs';
import { wireText } from '../common/text';
import { Emitter } from '../common/emit';
import { hexBits } from '../common/hex';

const em = new Emitter<typeof VOCABULARY>('lldp');

/**
 * LLDP (IEEE 802.1AB, EtherType 0x88cc) with the 802.1 port VLAN, LLDP-MED inventory (TIA-1057)
 * and MUD URL (RFC 8520) extensions: what a switch, phone or host says about itself and the port.
 */
const MAX_TLVS = 128;

const CAPS = [
  'other',
  'repeater',
  'bridge',
  'wlan-ap',
  'router',
  'telephone',
  'docsis',
  'station',
  'c-vlan',
  's-vlan',
  'tpmr',
];

export function capabilityNames(bits: number, names: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < names.length; i++) if ((bits & (1 << i)) !== 0) out.push(names[i]!);
  return out.join(',');
}

const MED_INVENTORY: Record<
  number,
  'hardware' | 'firmware' | 'software' | 'serial' | 'vendor' | 'model' | 'asset-id'
> = {
  5: 'hardware',
  6: 'firmware',
  7: 'software',
  8: 'serial',
  9: 'vendor',
  10: 'model',
  11: 'asset-id',
};

/** An LLDP/CDP-style network address: IANA address family 1 = IPv4, 2 = IPv6. */
function familyAddress(w: ByteWindow, family: number, o: number, n: number): string {
  if (family === 1 && n === 4) return ipv4ToString(w.u32(o));
  if (family === 2 && n === 16) return ipv6ToString(w.bytes(o, 16), 0);
  return '';
}

/** Chassis / port ids: MAC and network-address subtypes decoded, the rest as text. */
function idValue(w: ByteWindow, o: number, n: number, macSubtype: number, addrSubtype: number): string {
  const sub = w.u8(o);
  if (sub === macSubtype && n === 7) return macToString(w.u48(o + 1));
  if (sub === addrSubtype && n >= 2) return familyAddress(w, w.u8(o + 1), o + 2, n - 2);
  return wireText(w, o + 1, n - 1, 255);
}

export function dissectLldp(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  // The first TLV must be a chassis id (type 1).
  if (w.length < 4 || w.u16(0) >> 9 !== 1) return false;
  const me = srcRef(p);
  let chassis = '';
  let port: string | null = null;
  let portDesc: string | null = null;
  let vlan: number | null = null;
  let sysName = '';
  let o = 0;
  for (let i = 0; i < MAX_TLVS && w.has(o, 2); i++) {
    const h = w.u16(o);
    const type = h >> 9;
    const len = h & 0x1ff;
    const v = o + 2;
    o = v + len;
    if (type === 0) break;
    if (!w.has(v, len)) break;
    switch (type) {
      case 1:
        chassis = idValue(w, v, len, 4, 5);
        break;
      case 2:
        port = idValue(w, v, len, 3, 4);
        break;
      case 4:
        portDesc = wireText(w, v, len, 255);
        break;
      case 5:
        sysName = wireText(w, v, len, 255);
        if (sysName !== '') em.hostname(ctx, p, { device: me, field: 'systemName', name: sysName });
        break;
      case 6: {
        const d = wireText(w, v, len);
        if (d !== '')
          em.identity(ctx, p, { device: me, field: 'systemDescription', attr: 'description', value: d });
        break;
      }
      case 7:
        if (len >= 4) {
          const avail = capabilityNames(w.u16(v), CAPS);
          const on = w.u16(v + 2);
          const enabled = capabilityNames(on, CAPS);
          em.attribute(ctx, p, {
            device: me,
            field: 'capabilities',
            key: 'capabilities.available',
            value: avail,
          });
          em.attribute(ctx, p, {
            device: me,
            field: 'capabilities',
            key: 'capabilities.enabled',
            value: enabled,
          });
          for (const code of hexBits(on, 16))
            em.attribute(ctx, p, {
              device: me,
              field: 'capabilities',
              key: 'capabilities.enabled-bit',
              value: code,
            });
        }
        break;
      case 8: {
        const alen = w.u8(v);
        if (alen < 2 || alen + 1 > len) break;
        const ip = familyAddress(w, w.u8(v + 1), v + 2, alen - 1);
        if (ip !== '')
          em.address(ctx, p, {
            device: { mac: me.mac, ip },
            field: 'managementAddress',
            ip,
            name: sysName || null,
          });
        break;
      }
      case 127:
        if (len < 4) break;
        orgTlv(w, p, ctx, w.u24(v), w.u8(v + 3), v + 4, len - 4, (x) => (vlan = x));
        break;
      default:
        break;
    }
  }
  if (chassis !== '') {
    em.neighbor(ctx, p, {
      device: me,
      field: 'chassisId',
      chassisId: chassis,
      portId: port,
      portDescription: portDesc,
      vlan,
    });
  }
  return true;
}

function orgTlv(
  w: ByteWindow,
  p: Packet,
  ctx: AppContext,
  oui: number,
  sub: number,
  v: number,
  len: number,
  setVlan: (v: number) => void,
): void {
  const me = srcRef(p);
  if (oui === 0x0080c2 && sub === 1 && len >= 2) {
    const vid = w.u16(v);
    if (vid !== 0) {
      setVlan(vid);
      em.attribute(ctx, p, { device: me, field: 'dot1.portVlanId', key: 'port-vlan', value: String(vid) });
    }
  } else if (oui === 0x0012bb) {
    const attr = MED_INVENTORY[sub];
    if (attr !== undefined && len > 0) {
      const value = wireText(w, v, len, 255);
      if (value !== '') em.identity(ctx, p, { device: me, field: `med.${attr}`, attr, value });
    } else if (sub === 1 && len >= 3) {
      const cls = w.u8(v + 2);
      em.attribute(ctx, p, {
        device: me,
        field: 'med.deviceType',
        key: 'lldp-med-class',
        value: String(cls),
      });
    }
  } else if (oui === 0x00005e && sub === 1 && len > 0) {
    em.identity(ctx, p, { device: me, field: 'mudUrl', attr: 'mud-url', value: wireText(w, v, len) });
  }
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'capabilities',
    'chassisId',
    'dot1.portVlanId',
    'managementAddress',
    'med.asset-id',
    'med.deviceType',
    'med.firmware',
    'med.hardware',
    'med.model',
    'med.serial',
    'med.software',
    'med.vendor',
    'mudUrl',
    'systemDescription',
    'systemName',
  ],
  keys: {
    attribute: [
      'capabilities.available',
      'capabilities.enabled',
      'capabilities.enabled-bit',
      'lldp-med-class',
      'port-vlan',
    ],
    identity: [
      'asset-id',
      'description',
      'firmware',
      'hardware',
      'model',
      'mud-url',
      'serial',
      'software',
      'vendor',
    ],
  },
} as const satisfies Vocabulary;

export const lldp: AppProtocol = {
  name: 'lldp',
  group: 'it',
  emits: { lldp: VOCABULARY },
  etherTypes: [0x88cc],
  dissect: dissectLldp,
};
