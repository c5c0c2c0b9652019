import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import {
  POLL_FIELD,
  POLL_KEYS,
  flowMeter,
  signature,
  statePeriod,
  type MeteredFlow,
} from '../common/polling';
import { OnceSet } from '../common/once';

/**
 * IEC 60870-5-104 (tcp/2404): APCI frames (start 0x68, length, four control octets: I, S or U
 * format) and, in I frames, the ASDU type id and common address. The station that connects to
 * 2404 is the controlling station (SCADA master); the one listening is the controlled station (RTU).
 */

/** Events of ASDU commands; their severity and wording are in shared/alerts/policy.ts. */
export const EVENTS = ['iec104-command', 'device-restart', 'clock-sync'] as const;

const em = new Emitter<typeof VOCABULARY>('iec104');
const PORT = 2404;
const MAX_APDUS = 32;
const REPORT_AT = new Set([1, 10, 100, 1000, 10000]);

const U_FUNCTIONS: Record<number, string> = {
  0x07: 'STARTDT act',
  0x0b: 'STARTDT con',
  0x13: 'STOPDT act',
  0x23: 'STOPDT con',
  0x43: 'TESTFR act',
  0x83: 'TESTFR con',
};

/** Interrogation command, counter interrogation, read command: what a controlling station polls with. */
const C_IC_NA_1 = 100;
const C_RD_NA_1 = 102;

interface Iec104Flow extends MeteredFlow {
  once: OnceSet;
  /** ASDU type ids already reported. */
  types: OnceSet;
  commands: number;
}
const newFlow = (): Iec104Flow => ({
  once: new OnceSet(64),
  types: new OnceSet(48),
  commands: 0,
  meter: null,
});

/** One APCI: start byte, a length between 4 and 253, and a control field of a legal format. */
function validApci(w: ByteWindow, o: number): boolean {
  if (!w.has(o, 6) || w.u8(o) !== 0x68) return false;
  const len = w.u8(o + 1);
  if (len < 4 || len > 253) return false;
  const c1 = w.u8(o + 2);
  if ((c1 & 1) === 0) return len >= 4; // I format (len 4 only when the ASDU is missing: tolerated)
  if ((c1 & 3) === 1) return len === 4; // S format
  return len === 4 && U_FUNCTIONS[c1] !== undefined; // U format
}

function tiles(w: ByteWindow, p: Packet): boolean {
  let o = 0;
  for (let n = 0; n < MAX_APDUS; n++) {
    if (!validApci(w, o)) return false;
    o += 2 + w.u8(o + 1);
    if (o === w.length) return true;
    if (o > w.length) return p.capLen < p.wireLen;
  }
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['apci', 'asdu.commonAddress', 'asdu.typeId', POLL_FIELD],
  keys: {
    attribute: ['iec104.asdu-type', 'iec104.common-address', 'iec104.interrogation', ...POLL_KEYS],
    event: ['clock-sync', 'device-restart', 'iec104-command'],
    role: ['iec104-controlled-station', 'iec104-controlling-station'],
    service: ['iec104'],
  },
} as const satisfies Vocabulary;

export const iec104: AppProtocol = {
  name: 'iec104',
  group: 'ot',
  emits: { iec104: VOCABULARY },
  tcpPorts: [PORT],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (p.ipProto !== 6 || !tiles(w, p)) return false;
    const toServer = p.dstPort === PORT && p.srcPort !== PORT;
    const f = ctx.flowState(p, 'iec104', newFlow);
    if (!toServer) flowMeter(ctx, p, f, 'iec104', 'dst').answer();
    if (f.once.first('roles')) {
      const client = toServer ? 'src' : 'dst';
      const server = toServer ? 'dst' : 'src';
      em.role(ctx, p, { end: client, field: 'apci', role: 'iec104-controlling-station' });
      em.role(ctx, p, { end: server, field: 'apci', role: 'iec104-controlled-station' });
      em.service(ctx, p, { end: server, field: 'apci', transport: 'tcp', port: PORT, name: 'iec104' });
    }
    let o = 0;
    for (let n = 0; n < MAX_APDUS && validApci(w, o); n++) {
      const len = w.u8(o + 1);
      if ((w.u8(o + 2) & 1) === 0 && len >= 10) {
        const type = w.u8(o + 6);
        if (toServer && type >= C_IC_NA_1 && type <= C_RD_NA_1) {
          // Polling is interrogation (general, counter) and read; commands are not. The ASDU's
          // signature: its own bytes (type, cause, address, objects), not the APCI sequence numbers.
          const ms = flowMeter(ctx, p, f, 'iec104', 'src').request(
            signature(w, o + 6, Math.min(len - 4, 16)),
            p.ts,
          );
          if (ms > 0) statePeriod(em, ctx, p, ms, 'dst');
        }
        asdu(w, o + 6, p, ctx, f, toServer);
      }
      o += 2 + len;
    }
    return true;
  },
};

/** ASDU: type id, variable structure qualifier, cause of transmission (2), common address (2, LE). */
function asdu(w: ByteWindow, o: number, p: Packet, ctx: AppContext, f: Iec104Flow, toServer: boolean): void {
  const type = w.u8(o);
  const cot = w.u8(o + 2) & 0x3f;
  const ca = w.u16le(o + 4);
  // The common address names the controlled station (both directions carry it).
  if (ca !== 0xffff && f.once.first('ca:' + ca)) {
    em.attribute(ctx, p, {
      end: toServer ? 'dst' : 'src',
      field: 'asdu.commonAddress',
      key: 'iec104.common-address',
      value: String(ca),
    });
  }
  // The ASDU types in use (monitoring, commands, file transfer) say what the link is for.
  if (f.types.first(String(type))) {
    em.attribute(ctx, p, {
      end: toServer ? 'src' : 'dst',
      field: 'asdu.typeId',
      key: 'iec104.asdu-type',
      value: (toServer ? 'sent ' : 'received ') + type,
    });
  }
  if (!toServer) return;
  if ((type >= 45 && type <= 51) || (type >= 58 && type <= 64)) {
    f.commands++;
    if (REPORT_AT.has(f.commands)) {
      em.event(ctx, p, {
        end: 'src',
        field: 'asdu.typeId',
        event: 'iec104-command',
        facts: { count: f.commands, type, cause: cot, ca },
      });
    }
  } else if (type === 105) {
    em.event(ctx, p, { end: 'src', field: 'asdu.typeId', event: 'device-restart', facts: { ca } });
  } else if (type === 103 && f.once.first('clock')) {
    em.event(ctx, p, { end: 'src', field: 'asdu.typeId', event: 'clock-sync', facts: { ca } });
  } else if ((type === 100 || type === 101) && f.once.first('gi')) {
    em.attribute(ctx, p, {
      end: 'src',
      field: 'asdu.typeId',
      key: 'iec104.interrogation',
      value: type === 100 ? 'general' : 'counter',
    });
  }
}
