import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';

/**
 * Mitsubishi MELSEC MC protocol, binary 3E frames (tcp/udp 5006-5007): subheader 0x5000 for a
 * request, 0xd000 for a response, then network, PC, I/O and station numbers and a data length that
 * must match the rest of the frame. Roles only.
 */

const em = new Emitter<typeof VOCABULARY>('melsec');

interface MelsecFlow {
  once: OnceSet;
}
const newFlow = (): MelsecFlow => ({ once: new OnceSet(8) });

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['3E'],
  keys: {
    role: ['melsec-client', 'melsec-plc'],
    service: ['melsec'],
  },
} as const satisfies Vocabulary;

export const melsec: AppProtocol = {
  name: 'melsec',
  group: 'ot',
  emits: { melsec: VOCABULARY },
  tcpPorts: [5006, 5007],
  udpPorts: [5006, 5007],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (w.length < 11) return false;
    const sub = w.u16(0);
    if (sub !== 0x5000 && sub !== 0xd000) return false;
    if (9 + w.u16le(7) !== w.length) return false;
    const f = ctx.flowState(p, 'melsec', newFlow);
    if (sub === 0x5000 && f.once.first('roles')) {
      em.role(ctx, p, { end: 'src', field: '3E', role: 'melsec-client' });
      em.role(ctx, p, { end: 'dst', field: '3E', role: 'melsec-plc' });
      em.service(ctx, p, {
        end: 'dst',
        field: '3E',
        transport: p.ipProto === 6 ? 'tcp' : 'udp',
        port: p.dstPort,
        name: 'melsec',
      });
    }
    return true;
  },
};
