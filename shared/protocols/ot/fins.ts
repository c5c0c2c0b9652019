import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';

/**
 * Omron FINS (tcp/udp 9600): over UDP a 10-byte FINS header (ICF, RSV, GCT, addresses, SID) then the
 * command code; over TCP a 'FINS' framing header first. Roles by the ICF response bit; run / stop
 * and program-area writes as events; the Controller Data Read reply names the CPU model and version.
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
  fields: ['ControllerDataRead.model', 'ControllerDataRead.version', 'command', 'header'],
  keys: {
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
    }
    return true;
  },
};
