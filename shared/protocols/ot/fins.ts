import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';
import { dstRef } from '../common/refs';

/**
 * Omron FINS (tcp/udp 9600): over UDP a 10-byte FINS header (ICF, RSV, GCT, addresses, SID) then the
 * command code; over TCP a 'FINS' framing header first. Roles by the ICF response bit; run / stop
 * and program-area writes as events; the Controller Data Read reply names the CPU model and version
 * and gives its memory layout.
 */

/** Events of FINS commands; their severity and wording are in shared/alerts/policy.ts. */
export const EVENTS = ['plc-start', 'plc-stop', 'program-download', 'program-clear', 'file-write'] as const;

const em = new Emitter<typeof VOCABULARY>('fins');
const PORT = 9600;

interface FinsFlow {
  once: OnceSet;
}
const newFlow = (): FinsFlow => ({ once: new OnceSet(32) });

/** Command code -> the event it is. */
const COMMANDS: Record<number, (typeof EVENTS)[number]> = {
  0x0401: 'plc-start',
  0x0402: 'plc-stop',
  0x0307: 'program-download',
  0x0308: 'program-clear',
  0x2203: 'file-write',
};

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'ControllerDataRead.area',
    'ControllerDataRead.model',
    'ControllerDataRead.version',
    'command',
    'header',
  ],
  keys: {
    attribute: ['fins.dm-words', 'fins.memory-card', 'fins.program-area-size'],
    event: ['file-write', 'plc-start', 'plc-stop', 'program-clear', 'program-download'],
    identity: ['firmware', 'model', 'vendor'],
    role: ['fins-client', 'fins-server'],
    service: ['fins'],
  },
} as const satisfies Vocabulary;

export const fins: AppProtocol = {
  name: 'fins',
  group: 'ot',
  emits: { fins: VOCABULARY },
  tcpPorts: [PORT],
  udpPorts: [PORT],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    let o = 0;
    if (p.ipProto === 6) {
      // 'FINS', length, command (2 = frame send), error code.
      if (w.u32(0) !== 0x46494e53) return false;
      if (w.u32(8) !== 2) return true; // node address exchange: recognised, nothing kept
      o = 16;
    }
    if (!w.has(o, 12)) return false;
    const icf = w.u8(o);
    if ((icf & 0x80) === 0 || (icf & 0x3e) !== 0 || w.u8(o + 1) !== 0 || w.u8(o + 2) > 7) return false;
    const response = (icf & 0x40) !== 0;
    const cmd = w.u16(o + 10);
    if (cmd >> 8 === 0 || cmd >> 8 > 0x28) return false;
    const f = ctx.flowState(p, 'fins', newFlow);
    if (!response && f.once.first('roles')) {
      em.role(ctx, p, { end: 'src', field: 'header', role: 'fins-client' });
      em.role(ctx, p, { end: 'dst', field: 'header', role: 'fins-server' });
      em.service(ctx, p, {
        end: 'dst',
        field: 'header',
        transport: p.ipProto === 6 ? 'tcp' : 'udp',
        port: PORT,
        name: 'fins',
      });
      // The request is addressed to the server's own IP: keep it on the server's device even when
      // the server is never heard answering (the inventory binds FINS addresses, see SELF_BINDING).
      const dst = dstRef(p);
      if (dst.ip !== null) em.address(ctx, p, { end: 'dst', field: 'header', ip: dst.ip, name: null });
    }
    const ev = COMMANDS[cmd];
    if (!response && ev !== undefined) em.event(ctx, p, { end: 'src', field: 'command', event: ev });
    // Controller Data Read (05 01) reply: end code (2), then model (20) and version (20).
    if (response && p.srcPort === PORT && cmd === 0x0501 && w.u16(o + 12) === 0 && w.has(o + 14, 40)) {
      em.identity(ctx, p, {
        end: 'src',
        field: 'ControllerDataRead.model',
        attr: 'model',
        value: w.ascii(o + 14, 20),
      });
      em.identity(ctx, p, {
        end: 'src',
        field: 'ControllerDataRead.version',
        attr: 'firmware',
        value: w.ascii(o + 34, 20),
      });
      em.identity(ctx, p, { end: 'src', field: 'ControllerDataRead.model', attr: 'vendor', value: 'Omron' });
      // Then 40 bytes for system use, and the area data: the CPU's memory layout, which tells
      // variants of one model apart (program area, DM words, memory card kind).
      const a = o + 14 + 80;
      if (w.has(a, 12) && f.once.first('area')) {
        const area = (key: 'fins.program-area-size' | 'fins.dm-words' | 'fins.memory-card', value: number) =>
          em.attribute(ctx, p, { end: 'src', field: 'ControllerDataRead.area', key, value: String(value) });
        area('fins.program-area-size', w.u16(a));
        area('fins.dm-words', w.u16(a + 3));
        area('fins.memory-card', w.u8(a + 9));
      }
    }
    return true;
  },
};
