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
import { PDU_LOST, PDU_READ, PduDirections, type PduFraming } from '../it/pdu-stream';

/**
 * Modbus/TCP (Modbus Application Protocol v1.1b3 + Modbus Messaging on TCP/IP v1.0b): MBAP checked
 * before anything is believed, roles by direction, Read Device Identification (43/14) replies,
 * exceptions, writes counted per flow, and Schneider UMAS (function 90) flagged as programming.
 * ADUs split across TCP segments are collected per direction (pdu-stream.ts, at most one ADU of 260
 * bytes held); a segment cut by the snap length is read as far as it goes.
 */

/** Events of Modbus and UMAS requests; their severity and wording are in shared/alerts/policy.ts. */
export const EVENTS = [
  'modbus-exception',
  'modbus-write',
  'device-restart',
  'programming',
  'plc-reservation',
  'program-download',
  'program-upload',
  'plc-start',
  'plc-stop',
] as const;
type ModbusEvent = (typeof EVENTS)[number];

const em = new Emitter<typeof VOCABULARY>('modbus');
const PORT = 502;
const MBAP = 7;
/** MBAP length counts the unit id and the PDU: at most 1 + 253. */
const MAX_LENGTH = 254;
const MAX_ADUS = 16;
const WRITE_FUNCTIONS = new Set([5, 6, 15, 16, 22, 23]);
/** Write counts at which a running total is reported (sparse, not one event per packet). */
const REPORT_AT = new Set([1, 10, 100, 1000, 10000, 100000]);

const OBJECT_NAMES = [
  'VendorName',
  'ProductCode',
  'MajorMinorRevision',
  'VendorUrl',
  'ProductName',
  'ModelName',
  'UserApplicationName',
];

/** UMAS sub-functions that change the PLC (Schneider's Unity/EcoStruxure engineering protocol). */
const UMAS_ACTIONS: Record<number, [ModbusEvent, string]> = {
  0x10: ['plc-reservation', 'take PLC reservation'],
  0x30: ['program-download', 'initiate download'],
  0x31: ['program-download', 'download block'],
  0x32: ['program-download', 'end download'],
  0x33: ['program-upload', 'initiate upload'],
  0x34: ['program-upload', 'upload block'],
  0x35: ['program-upload', 'end upload'],
  0x40: ['plc-start', 'start PLC'],
  0x41: ['plc-stop', 'stop PLC'],
};

interface ModbusFlow extends MeteredFlow {
  once: OnceSet;
  writes: number;
  exceptions: number;
  /** Each direction's ADU stream, created at the first segment that starts with ADUs. */
  dirs: PduDirections | null;
  /** The direction of the segment being fed (the stream's reader needs it). */
  toServer: boolean;
  fromServer: boolean;
  /** The client and server MACs whose roles were last stated, and the unit id last stated, and by whom. */
  clientMac: number;
  serverMac: number;
  unit: number;
  unitMac: number;
  /** Reads that took the cheap path (routineRead), for tests and the curious. */
  routine: number;
}

const newFlow = (): ModbusFlow => ({
  once: new OnceSet(64),
  writes: 0,
  exceptions: 0,
  dirs: null,
  toServer: false,
  fromServer: false,
  clientMac: NaN,
  serverMac: NaN,
  unit: -1,
  unitMac: NaN,
  routine: 0,
  meter: null,
});

/** Routine polling: read coils, discrete inputs, holding registers, input registers. */
const FC_READ_FIRST = 1;
const FC_READ_LAST = 4;
const FC_READ_WRITE_MULTIPLE = 23;

/**
 * The cheap path for routine polling. A segment that is one whole read request or reply, between
 * ends whose roles (and the replying unit's id) the flow has stated, would only repeat them: only its
 * function code is looked at, and the direction's framing moves on as feed() would have moved it.
 * Anything else (writes, exceptions, diagnostics, device identification, UMAS) is decoded in full.
 */
function routineRead(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  if (w.length < MBAP + 1 || w.length > 6 + MAX_LENGTH || p.capLen < p.wireLen) return false;
  const fc = w.u8(MBAP);
  if (fc < FC_READ_FIRST || fc > FC_READ_LAST || w.u16(2) !== 0 || 6 + w.u16(4) !== w.length) return false;
  const toServer = p.dstPort === PORT && p.srcPort !== PORT;
  const fromServer = p.srcPort === PORT && p.dstPort !== PORT;
  const f = ctx.flowState(p, 'modbus', newFlow);
  if (toServer) {
    if (p.srcMac !== f.clientMac || p.dstMac !== f.serverMac) return false;
  } else if (!fromServer || p.dstMac !== f.clientMac || p.srcMac !== f.serverMac) return false;
  if (fromServer && (w.u8(6) !== f.unit || p.srcMac !== f.unitMac)) return false;
  const d = f.dirs?.get(p);
  if (d === undefined || d.lost || d.collecting || d.skip !== 0 || d.nextSeq !== p.tcpSeq) return false;
  d.nextSeq = (p.tcpSeq + w.length) >>> 0;
  d.starts++;
  f.routine++;
  if (toServer) poll(w, 0, p, ctx, f);
  else flowMeter(ctx, p, f, 'modbus', 'dst').answer();
  return true;
}

/**
 * Polling is reads (coils, inputs, registers; read/write multiple): a read's signature is its unit,
 * function, address and quantity (no transaction id). Timed per master and device, across connections.
 */
function poll(w: ByteWindow, off: number, p: Packet, ctx: AppContext, f: ModbusFlow): void {
  const fc = w.u8(off + 7);
  if ((fc < FC_READ_FIRST || fc > FC_READ_LAST) && fc !== FC_READ_WRITE_MULTIPLE) return;
  const ms = flowMeter(ctx, p, f, 'modbus', 'src').request(signature(w, off + 6, 6), p.ts);
  if (ms > 0) statePeriod(em, ctx, p, ms, 'dst');
}

/** MBAP framing for the ADU stream: every ADU is read (all are small). */
const MBAP_FRAMING: PduFraming = {
  lenBytes: 6,
  peekBytes: MBAP + 1,
  cap: 6 + MAX_LENGTH,
  length(w, o) {
    const len = w.u16(o + 4);
    return w.u16(o + 2) === 0 && len >= 2 && len <= MAX_LENGTH ? 6 + len : -1;
  },
  check(w, o) {
    return validAdu(w, o) ? PDU_READ : PDU_LOST;
  },
};

function readAdu(w: ByteWindow, len: number, p: Packet, ctx: AppContext, f: ModbusFlow): void {
  roles(p, ctx, f, f.toServer, f.fromServer);
  adu(w, 0, len < w.length ? len : w.length, p, ctx, f, f.toServer, f.fromServer);
}

/** One ADU header is sane: protocol id 0, a length that holds a unit id and a function code. */
function validAdu(w: ByteWindow, off: number): boolean {
  if (!w.has(off, MBAP + 1)) return false;
  const len = w.u16(off + 4);
  if (w.u16(off + 2) !== 0 || len < 2 || len > MAX_LENGTH) return false;
  const fc = w.u8(off + 7);
  if (fc === 0) return false;
  // An exception reply carries one exception code between 1 and 11 (some servers pad it).
  if (fc >= 0x80)
    return len >= 3 && len <= 8 && (!w.has(off + 8, 1) || (w.u8(off + 8) >= 1 && w.u8(off + 8) <= 11));
  return true;
}

/**
 * The ADUs must tile the segment (the last one may run on into the next segment, or be cut by the
 * snap length): non-Modbus traffic on port 502 almost never does. Where the ADUs that run to the end
 * of the segment start (the segment's length when the last one ends there), or -1.
 */
function tiles(w: ByteWindow): number {
  let off = 0;
  for (let n = 0; n < MAX_ADUS; n++) {
    // After whole ADUs, the start of the next one's header: at least its transaction and protocol
    // ids, and what of it is there must hold (fewer bytes go through a stream already in sync).
    if (off > 0 && !w.has(off, MBAP + 1)) return w.has(off, 4) && headerStart(w, off) ? off : -1;
    if (!validAdu(w, off)) return -1;
    const next = off + 6 + w.u16(off + 4);
    if (next === w.length) return next;
    if (next > w.length) return off;
    off = next;
  }
  return -1;
}

/** The first bytes of an MBAP header (fewer than its 8) that are there: protocol id 0, a sane length. */
function headerStart(w: ByteWindow, off: number): boolean {
  if (w.has(off, 4) && w.u16(off + 2) !== 0) return false;
  if (w.has(off, 6) && (w.u16(off + 4) < 2 || w.u16(off + 4) > MAX_LENGTH)) return false;
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'ReadDeviceId.*',
    'ReadDeviceId.MajorMinorRevision',
    'ReadDeviceId.ProductCode',
    'ReadDeviceId.VendorName',
    'exception',
    'function',
    'mbap',
    'mbap.unitId',
    POLL_FIELD,
    'umas',
  ],
  keys: {
    attribute: [
      'modbus.object-*',
      'modbus.read-device-identification',
      'modbus.unit-id',
      'modbus.vendor-url',
      ...POLL_KEYS,
    ],
    event: [
      'device-restart',
      'modbus-exception',
      'modbus-write',
      'plc-reservation',
      'plc-start',
      'plc-stop',
      'program-download',
      'program-upload',
      'programming',
    ],
    identity: ['firmware', 'model', 'product', 'product-code', 'software', 'vendor'],
    role: ['modbus-client', 'modbus-server', 'modbus-umas-engineering'],
    service: ['modbus'],
  },
} as const satisfies Vocabulary;

export const modbus: AppProtocol = {
  name: 'modbus',
  group: 'ot',
  emits: { modbus: VOCABULARY },
  tcpPorts: [PORT],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (p.ipProto !== 6) return false;
    if (routineRead(w, p, ctx)) return true;
    const last = tiles(w);
    const truncated = p.capLen < p.wireLen;
    // ADUs that tile the segment (the last perhaps cut by the snap length), or whole ADUs and then one
    // that runs on into the next segment, say Modbus. A lone ADU running on past its segment is only
    // collected until its rest arrives: a length that lies is not believed on its own.
    const whole = last === w.length || (truncated && last >= 0);
    const runsOn = !whole && last > 0;
    // Otherwise the segment is read only where the direction's framing is known (its last segment
    // ended on an ADU boundary or inside one): it must go on where that left off.
    let inSync = false;
    if (!whole && !runsOn) {
      const dirs = ctx.flowState(p, 'modbus', newFlow).dirs;
      const d = dirs?.get(p);
      inSync = d !== undefined && !d.lost && d.nextSeq === p.tcpSeq;
      if (!inSync && last !== 0) return false;
    }
    const toServer = p.dstPort === PORT && p.srcPort !== PORT;
    const fromServer = p.srcPort === PORT && p.dstPort !== PORT;
    const f = ctx.flowState(p, 'modbus', newFlow);
    if (whole || runsOn) roles(p, ctx, f, toServer, fromServer);
    const d = (f.dirs ??= new PduDirections(MBAP_FRAMING)).get(p);
    if (truncated) {
      // Cut by the snap length: the stream cannot follow; read the ADUs this segment holds.
      d.lose();
      if (whole) inSegment(w, p, ctx, f, toServer, fromServer);
      return whole;
    }
    f.toServer = toServer;
    f.fromServer = fromServer;
    d.feed(w, p, readAdu, ctx, f);
    return whole || runsOn || (inSync && !d.lost);
  },
};

function roles(p: Packet, ctx: AppContext, f: ModbusFlow, toServer: boolean, fromServer: boolean): void {
  // Keyed by the MAC pair too: one flow can be seen through several MACs (routers, VRRP, fuzzed
  // captures). Either direction names both ends.
  if (toServer || fromServer) {
    const clientMac = toServer ? p.srcMac : p.dstMac;
    const serverMac = toServer ? p.dstMac : p.srcMac;
    // The pair last offered is refused when offered again: no key string per ADU for it.
    if (clientMac === f.clientMac && serverMac === f.serverMac) return;
    const client = toServer ? 'src' : 'dst';
    const server = toServer ? 'dst' : 'src';
    const stated = f.once.first('roles:' + clientMac + '>' + serverMac);
    // Said now or before (or the memory is full, and it never will be): routine reads may skip this.
    f.clientMac = clientMac;
    f.serverMac = serverMac;
    if (stated) {
      em.role(ctx, p, { end: client, field: 'mbap', role: 'modbus-client' });
      em.role(ctx, p, { end: server, field: 'mbap', role: 'modbus-server' });
      em.service(ctx, p, { end: server, field: 'mbap', transport: 'tcp', port: PORT, name: 'modbus' });
    }
  }
}

/** The ADUs of one segment, the last as far as the capture kept it. */
function inSegment(
  w: ByteWindow,
  p: Packet,
  ctx: AppContext,
  f: ModbusFlow,
  toServer: boolean,
  fromServer: boolean,
): void {
  let off = 0;
  for (let n = 0; n < MAX_ADUS && off < w.length; n++) {
    const len = w.u16(off + 4);
    const end = Math.min(off + 6 + len, w.length);
    adu(w, off, end, p, ctx, f, toServer, fromServer);
    off += 6 + len;
  }
}

function adu(
  w: ByteWindow,
  off: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  f: ModbusFlow,
  toServer: boolean,
  fromServer: boolean,
): void {
  const unit = w.u8(off + 6);
  const fc = w.u8(off + 7);
  const d = off + 8;
  if (fromServer) {
    flowMeter(ctx, p, f, 'modbus', 'dst').answer();
    // As with roles: the unit last offered by this end would be refused again.
    if ((unit !== f.unit || p.srcMac !== f.unitMac) && f.once.first('unit:' + unit + ':' + p.srcMac))
      em.attribute(ctx, p, { end: 'src', field: 'mbap.unitId', key: 'modbus.unit-id', value: String(unit) });
    f.unit = unit;
    f.unitMac = p.srcMac;
  }
  if (fc >= 0x80) {
    if (fromServer) {
      f.exceptions++;
      const code = w.u8(d);
      if (f.once.first('exc:' + (fc & 0x7f) + ':' + code)) {
        em.event(ctx, p, {
          end: 'src',
          field: 'exception',
          event: 'modbus-exception',
          facts: { function: fc & 0x7f, code },
        });
      }
    }
    return;
  }
  if (toServer) {
    poll(w, off, p, ctx, f);
    if (WRITE_FUNCTIONS.has(fc)) {
      f.writes++;
      if (REPORT_AT.has(f.writes)) {
        em.event(ctx, p, {
          end: 'src',
          field: 'function',
          event: 'modbus-write',
          facts: { count: f.writes, function: fc, unit },
        });
      }
    } else if (fc === 8 && w.u16(d) === 1) {
      em.event(ctx, p, { end: 'src', field: 'function', event: 'device-restart', facts: { unit } });
    } else if (fc === 43 && f.once.first('devid-req')) {
      em.attribute(ctx, p, {
        end: 'src',
        field: 'function',
        key: 'modbus.read-device-identification',
        value: 'request sent (MEI type ' + w.u8(d) + ')',
      });
    }
  }
  if (fc === 90) umas(w, d, end, p, ctx, f, toServer);
  if (fc === 43 && fromServer && w.u8(d) === 14) deviceIdentification(w, d, end, p, ctx);
}

/** 43/14 reply: MEI type, read code, conformity, more-follows, next id, object count, objects. */
function deviceIdentification(w: ByteWindow, d: number, end: number, p: Packet, ctx: AppContext): void {
  const count = w.u8(d + 5);
  let o = d + 6;
  for (let i = 0; i < count && i < 256 && o + 2 <= end; i++) {
    const id = w.u8(o);
    const len = w.u8(o + 1);
    const vEnd = Math.min(o + 2 + len, end);
    const value = w.ascii(o + 2, vEnd - (o + 2), 245);
    const field = `ReadDeviceId.${OBJECT_NAMES[id] ?? 'object' + id}` as const;
    switch (id) {
      case 0:
        em.identity(ctx, p, { end: 'src', field, attr: 'vendor', value });
        break;
      case 1:
        em.identity(ctx, p, { end: 'src', field, attr: 'product-code', value });
        break;
      case 2:
        em.identity(ctx, p, { end: 'src', field, attr: 'firmware', value });
        break;
      case 3:
        em.attribute(ctx, p, { end: 'src', field, key: 'modbus.vendor-url', value });
        break;
      case 4:
        em.identity(ctx, p, { end: 'src', field, attr: 'product', value });
        break;
      case 5:
        em.identity(ctx, p, { end: 'src', field, attr: 'model', value });
        break;
      case 6:
        em.identity(ctx, p, { end: 'src', field, attr: 'software', value });
        break;
      default:
        em.attribute(ctx, p, { end: 'src', field, key: `modbus.object-${id}`, value });
    }
    o += 2 + len;
  }
}

/** UMAS rides in function 90: session byte, then a sub-function code. */
function umas(
  w: ByteWindow,
  d: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  f: ModbusFlow,
  toServer: boolean,
): void {
  if (!toServer || d + 2 > end) return;
  if (f.once.first('umas')) {
    em.role(ctx, p, { end: 'src', field: 'umas', role: 'modbus-umas-engineering' });
    em.event(ctx, p, { end: 'src', field: 'umas', event: 'programming' });
  }
  const sub = w.u8(d + 1);
  const action = UMAS_ACTIONS[sub];
  if (action !== undefined && f.once.first('umas:' + sub)) {
    em.event(ctx, p, { end: 'src', field: 'umas', event: action[0], facts: { subfunction: action[1] } });
  }
}
