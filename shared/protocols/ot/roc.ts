import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';

/**
 * Emerson ROC Plus (tcp/udp 4000), the protocol of ROC800 / FloBoss RTUs and flow computers: a
 * 6-byte header (destination unit and group, source unit and group, opcode, data length), the data,
 * and a CRC-16 (polynomial 0x8005 reflected, initial 0, low byte first) over all before it. The CRC
 * is checked: port 4000 carries other traffic too. Opcode 6 (system configuration) is asked with no
 * data; the answer gives system mode, comm port, security mode, compatibility status, opcode
 * revision, subtype, 11 reserved bytes, then the type of ROC, then the point types it holds. The
 * answering device's unit and group address are its ROC address.
 */

const em = new Emitter<typeof VOCABULARY>('roc');
const PORT = 4000;
const SYSTEM_CONFIG = 6;
/** System configuration data up to the type of ROC. */
const CONFIG_HEAD = 19;

interface RocFlow {
  once: OnceSet;
}
const newFlow = (): RocFlow => ({ once: new OnceSet(16) });

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['SystemConfiguration.subtype', 'SystemConfiguration.typeOfROC', 'header'],
  keys: {
    attribute: ['roc.group', 'roc.subtype'],
    identity: ['device-type-id', 'instance'],
    role: ['roc-host', 'roc-device'],
    service: ['roc'],
  },
} as const satisfies Vocabulary;

/** CRC-16/ARC of bytes [0, n) of the window. */
function crc16(w: ByteWindow, n: number): number {
  let crc = 0;
  for (let i = 0; i < n; i++) {
    crc ^= w.u8(i);
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export const roc: AppProtocol = {
  name: 'roc',
  group: 'ot',
  emits: { roc: VOCABULARY },
  tcpPorts: [PORT],
  udpPorts: [PORT],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (w.length < 8) return false;
    const len = w.u8(5);
    const n = 6 + len;
    // One message per datagram or segment, whose CRC holds.
    if (w.length !== n + 2 || crc16(w, n) !== w.u16le(n)) return false;
    if (w.u8(4) !== SYSTEM_CONFIG) return true;
    const f = ctx.flowState(p, 'roc', newFlow);
    const transport = p.ipProto === 6 ? 'tcp' : 'udp';
    if (len === 0) {
      if (f.once.first('req')) {
        em.role(ctx, p, { end: 'src', field: 'header', role: 'roc-host' });
        em.role(ctx, p, { end: 'dst', field: 'header', role: 'roc-device' });
        em.service(ctx, p, { end: 'dst', field: 'header', transport, port: PORT, name: 'roc' });
      }
      return true;
    }
    if (len < CONFIG_HEAD || !f.once.first('config')) return true;
    em.role(ctx, p, { end: 'src', field: 'header', role: 'roc-device' });
    em.identity(ctx, p, { end: 'src', field: 'header', attr: 'instance', value: String(w.u8(2)) });
    em.attribute(ctx, p, { end: 'src', field: 'header', key: 'roc.group', value: String(w.u8(3)) });
    em.identity(ctx, p, {
      end: 'src',
      field: 'SystemConfiguration.typeOfROC',
      attr: 'device-type-id',
      value: String(w.u8(6 + 18)),
    });
    em.attribute(ctx, p, {
      end: 'src',
      field: 'SystemConfiguration.subtype',
      key: 'roc.subtype',
      value: String(w.u8(6 + 6)),
    });
    return true;
  },
};
