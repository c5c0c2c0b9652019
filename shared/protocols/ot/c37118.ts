import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';

/**
 * IEEE C37.118.2 synchrophasor frames (tcp 4712, udp 4713): SYNC (0xaa, frame type, version),
 * frame size, IDCODE (the stream source: a PMU, or a PDC forwarding several). Data and configuration
 * frames come from a PMU; command frames from a PDC. Configuration frames list every PMU whose data
 * the stream carries, each by station name (STN) and its own IDCODE (the data source): CFG-1 and
 * CFG-2 with fixed 16-character names, CFG-3 with length-prefixed ones.
 */

const em = new Emitter<typeof VOCABULARY>('c37118');

/** PMU blocks read per configuration frame: a PDC aggregating more is still named by these. */
const MAX_PMUS = 64;
/** Per-flow memory of stations said: a stream's PMU list rarely changes, so this also caps repeats. */
const newFlow = (): PmuFlow => ({ once: new OnceSet(MAX_PMUS * 2 + 8) });

interface PmuFlow {
  once: OnceSet;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['CommandFrame', 'ConfigurationFrame.IDCODE', 'ConfigurationFrame.STN', 'IDCODE', 'frame'],
  keys: {
    attribute: ['c37118.idcode', 'c37118.pmu-idcode'],
    identity: ['station-name'],
    role: ['synchrophasor-pdc', 'synchrophasor-pmu'],
  },
} as const satisfies Vocabulary;

/** One PMU block's station name and IDCODE, about the frame's source. */
function station(ctx: AppContext, p: Packet, f: PmuFlow, name: string, id: number): void {
  const stn = name.trim();
  if (!f.once.first('stn:' + id + ':' + stn)) return;
  em.identity(ctx, p, { end: 'src', field: 'ConfigurationFrame.STN', attr: 'station-name', value: stn });
  em.attribute(ctx, p, {
    end: 'src',
    field: 'ConfigurationFrame.IDCODE',
    key: 'c37118.pmu-idcode',
    value: String(id),
  });
}

/**
 * CFG-1 / CFG-2: header (14), TIME_BASE (4), NUM_PMU (2), then per PMU: STN (16), IDCODE, FORMAT,
 * PHNMR, ANNMR, DGNMR (2 each), channel names (16 each: one per phasor and analog, 16 per digital
 * word), units (4 per phasor, analog and digital word), FNOM, CFGCNT.
 */
function cfg12(w: ByteWindow, size: number, p: Packet, ctx: AppContext, f: PmuFlow): void {
  const n = w.u16(18);
  let o = 20;
  for (let i = 0; i < n && i < MAX_PMUS && o + 18 <= size; i++) {
    station(ctx, p, f, w.ascii(o, 16), w.u16(o + 16));
    const ph = w.u16(o + 20);
    const an = w.u16(o + 22);
    const dg = w.u16(o + 24);
    o += 26 + 16 * (ph + an + 16 * dg) + 4 * (ph + an + dg) + 4;
  }
}

/**
 * CFG-3: header (14), CONT_IDX (2), TIME_BASE (4), NUM_PMU (2), then per PMU: STN (length, text),
 * IDCODE, G_PMU_ID (16), FORMAT, PHNMR, ANNMR, DGNMR, channel names (each length, text; 16 per
 * digital word), PHSCALE (12 per phasor), ANSCALE (8 per analog), DIGUNIT (4 per word), latitude,
 * longitude, elevation (4 each), SVC_CLASS (1), WINDOW, GRP_DLY (4 each), FNOM, CFGCNT (2 each).
 */
function cfg3(w: ByteWindow, size: number, p: Packet, ctx: AppContext, f: PmuFlow): void {
  const n = w.u16(20);
  let o = 22;
  for (let i = 0; i < n && i < MAX_PMUS && o < size; i++) {
    const len = w.u8(o);
    if (o + 1 + len + 2 > size) return;
    station(ctx, p, f, w.ascii(o + 1, len), w.u16(o + 1 + len));
    o += 1 + len + 2 + 16 + 2;
    const ph = w.u16(o);
    const an = w.u16(o + 2);
    const dg = w.u16(o + 4);
    o += 6;
    // Channel names: each a length byte and its text; the loop is bounded by the frame's size.
    for (let c = ph + an + 16 * dg; c > 0 && o < size; c--) o += 1 + w.u8(o);
    o += 12 * ph + 8 * an + 4 * dg + 12 + 1 + 8 + 4;
  }
}

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
    // The frame's last two bytes are its CRC: PMU blocks end before them.
    if (type === 2 || type === 3) cfg12(w, size - 2, p, ctx, f);
    else if (type === 5) cfg3(w, size - 2, p, ctx, f);
    return true;
  },
};
