import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';
import { macIsLocal } from '../../util/addr';

/**
 * EtherCAT (EtherType 0x88a4): a 2-byte little-endian header (11-bit length, type 1 = EtherCAT
 * commands). The master originates every frame; slaves pass frames on with the locally-administered
 * bit of the source MAC set, so a frame whose source is universally administered names the master.
 */

const em = new Emitter<typeof VOCABULARY>('ethercat');

interface EcatState {
  once: OnceSet;
}
const newState = (): EcatState => ({ once: new OnceSet(64) });

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['header'],
  keys: { role: ['ethercat-master', 'ethercat-node'] },
} as const satisfies Vocabulary;

export const ethercat: AppProtocol = {
  name: 'ethercat',
  group: 'ot',
  emits: { ethercat: VOCABULARY },
  etherTypes: [0x88a4],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (w.length < 2) return false;
    const h = w.u16le(0);
    const len = h & 0x07ff;
    const type = h >> 12;
    if (type !== 1 && type !== 4 && type !== 5) return false;
    if (len + 2 > w.length) return false;
    const s = ctx.flowState(p, 'ethercat', newState);
    if (s.once.first('n:' + p.srcMac)) {
      em.role(ctx, p, {
        end: 'src',
        field: 'header',
        role: p.srcMac >= 0 && !macIsLocal(p.srcMac) ? 'ethercat-master' : 'ethercat-node',
        peer: null,
      });
    }
    return true;
  },
};
