import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';

/**
 * HART-IP (FCG TS20085, tcp/udp 5094): an 8-byte header (version 1, message type, message id,
 * status, sequence number, byte count). Roles only: the side that sends requests is the client
 * (host / asset-management system), the answering side the HART-IP server (gateway, multiplexer).
 */

const em = new Emitter<typeof VOCABULARY>('hart-ip');
const PORT = 5094;

interface HartFlow {
  once: OnceSet;
}
const newFlow = (): HartFlow => ({ once: new OnceSet(8) });

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['header'],
  keys: {
    role: ['hart-ip-client', 'hart-ip-server'],
    service: ['hart-ip'],
  },
} as const satisfies Vocabulary;

export const hartip: AppProtocol = {
  name: 'hart-ip',
  group: 'ot',
  emits: { 'hart-ip': VOCABULARY },
  tcpPorts: [PORT],
  udpPorts: [PORT],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (w.length < 8 || w.u8(0) !== 1) return false;
    const type = w.u8(1);
    const id = w.u8(2);
    const count = w.u16(6);
    if ((type > 3 && type !== 15) || id > 4 || count < 8 || count > w.length + 1460) return false;
    if (p.ipProto === 17 && count !== w.length) return false;
    const f = ctx.flowState(p, 'hart-ip', newFlow);
    if (type === 0 && f.once.first('req')) {
      em.role(ctx, p, { end: 'src', field: 'header', role: 'hart-ip-client' });
      em.role(ctx, p, { end: 'dst', field: 'header', role: 'hart-ip-server' });
      em.service(ctx, p, {
        end: 'dst',
        field: 'header',
        transport: p.ipProto === 6 ? 'tcp' : 'udp',
        port: PORT,
        name: 'hart-ip',
      });
    }
    return true;
  },
};
