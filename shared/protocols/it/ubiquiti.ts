import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { ipv4ToString, macToString } from '../../util/addr';
import { srcRef } from '../common/refs';
import { wireText } from '../common/text';
import { Emitter } from '../common/emit';

const em = new Emitter<typeof VOCABULARY>('ubiquiti');

/**
 * Ubiquiti discovery (udp 10001): a 4-byte header (version, command, length) and TLVs (type, 16-bit
 * length): MAC+IP pairs, firmware, host name, model. A bare 4-byte request only marks a scanner.
 */
export function dissectUbiquiti(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const ver = w.u8(0);
  const len = w.u16(2);
  if ((ver !== 1 && ver !== 2) || w.length < 4 || len + 4 > w.length) return false;
  const me = srcRef(p);
  if (len === 0) {
    em.role(ctx, p, { device: me, field: 'request', role: 'ubiquiti-discovery-client', peer: null });
    return true;
  }
  let o = 4;
  for (let i = 0; i < 64 && w.has(o, 3); i++) {
    const t = w.u8(o);
    const l = w.u16(o + 1);
    const v = o + 3;
    o = v + l;
    if (!w.has(v, l)) break;
    switch (t) {
      case 0x02:
        if (l === 10) {
          const ip = ipv4ToString(w.u32(v + 6));
          em.address(ctx, p, { device: { mac: macToString(w.u48(v)), ip }, field: 'macIp', ip, name: null });
        }
        break;
      case 0x03:
        em.identity(ctx, p, { device: me, field: 'firmware', attr: 'firmware', value: wireText(w, v, l) });
        break;
      case 0x0b:
        em.hostname(ctx, p, { device: me, field: 'hostname', name: wireText(w, v, l, 255) });
        break;
      case 0x0c:
      case 0x14:
        em.identity(ctx, p, {
          device: me,
          field: t === 0x0c ? 'model' : 'modelFull',
          attr: 'model',
          value: wireText(w, v, l, 255),
        });
        break;
      case 0x0d:
        em.attribute(ctx, p, { device: me, field: 'essid', key: 'essid', value: wireText(w, v, l, 64) });
        break;
      default:
        break;
    }
  }
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['essid', 'firmware', 'hostname', 'macIp', 'model', 'modelFull', 'request'],
  keys: {
    attribute: ['essid'],
    identity: ['firmware', 'model'],
    role: ['ubiquiti-discovery-client'],
  },
} as const satisfies Vocabulary;

export const ubiquiti: AppProtocol = {
  name: 'ubiquiti',
  group: 'it',
  emits: { ubiquiti: VOCABULARY },
  udpPorts: [10001],
  dissect: dissectUbiquiti,
};
