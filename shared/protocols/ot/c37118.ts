import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';

/**
 * IEEE C37.118.2 synchrophasor frames (tcp 4712, udp 4713): SYNC (0xaa, frame type, version),
 * frame size, IDCODE. Data and configuration frames come from a PMU; command frames from a PDC.
 * Configuration frames name the station (STN, 16 characters).
 */

const em = new Emitter<typeof VOCABULARY>('c37118');

interface PmuFlow {
  once: OnceSet;
}
const newFlow = (): PmuFlow => ({ once: new OnceSet(32) });

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['CommandFrame', 'ConfigurationFrame.STN', 'IDCODE', 'frame'],
  keys: {
    attribute: ['c37118.idcode'],
    identity: ['station-name'],
    role: ['synchrophasor-pdc', 'synchrophasor-pmu'],
  },
} as const satisfies Vocabulary;

export const c37118: AppProtocol = {
  name: 'c37118',
  group: 'ot',
  emits: { c37118: VOCABULARY },
  tcpPorts: [4712],
  udpPorts: [4712, 4713],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (w.length < 16 || w.u8(0) !== 0xaa) return false;
    const type = (w.u8(1) >> 4) & 7;
    const version = w.u8(1) & 0x0f;
    const size = w.u16(2);
    if (type > 5 || version < 1 || version > 3 || size < 16 || size > w.length) return false;
    const id = w.u16(4);
    const f = ctx.flowState(p, 'c37118', newFlow);
    if (type === 4) {
      if (f.once.first('pdc'))
        em.role(ctx, p, { end: 'src', field: 'CommandFrame', role: 'synchrophasor-pdc' });
      return true;
    }
    if (f.once.first('pmu:' + id)) {
      em.role(ctx, p, { end: 'src', field: 'frame', role: 'synchrophasor-pmu' });
      em.attribute(ctx, p, { end: 'src', field: 'IDCODE', key: 'c37118.idcode', value: String(id) });
    }
    // CFG-1/CFG-2: header (14), TIME_BASE (4), NUM_PMU (2), then the first PMU's STN.
    if ((type === 2 || type === 3) && size >= 36 && f.once.first('stn:' + id)) {
      em.identity(ctx, p, {
        end: 'src',
        field: 'ConfigurationFrame.STN',
        attr: 'station-name',
        value: w.ascii(20, 16).trim(),
      });
    }
    return true;
  },
};
