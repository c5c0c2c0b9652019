import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { hex } from '../common/hex';
import {
  POLL_FIELD,
  POLL_KEYS,
  flowMeter,
  signature,
  statePeriod,
  type MeteredFlow,
} from '../common/polling';
import { OnceSet } from '../common/once';
import { PDU_LOST, PDU_READ, PDU_SKIP, PduDirections, type PduFraming } from '../it/pdu-stream';
import { StreamBuf } from '../it/stream';
import { COTP_CR, COTP_DT, cotpTsaps, cotpType, parseTpkt, tpktLength, type Tpkt } from './tpkt';

/**
 * Siemens S7comm (protocol id 0x32) and S7comm-plus (0x72) over TPKT/COTP on tcp/102. Anything else
 * on port 102 (MMS, plain ISO transport) returns false so the MMS heuristic can take it.
 * Extracted: setup communication, SZL answers 0x0011 (module identification), 0x001C (component
 * identification), 0x0424 (CPU mode), and block download/upload, PLC stop and start as events.
 * TPKTs split across TCP segments are collected (pdu-stream.ts); SZL answers fragmented at the
 * userdata level are reassembled per data-unit reference and decoded whole at their last fragment.
 */

/** Events of S7 jobs; their severity and wording are in shared/alerts/policy.ts. */
export const EVENTS = [
  's7-write',
  'program-download',
  'program-upload',
  'plc-start',
  'block-insert',
  'block-delete',
  'plc-control',
  'plc-stop',
  'plc-mode-change',
] as const;

const em = new Emitter<typeof VOCABULARY>('s7comm');
const PORT = 102;
const REPORT_AT = new Set([1, 10, 100, 1000, 10000]);

const ROSCTR_JOB = 1;
/** Job function Read Var: what HMIs and SCADA poll with. */
const FN_READ_VAR = 0x04;
const ROSCTR_ACK = 2;
const ROSCTR_ACK_DATA = 3;
const ROSCTR_USERDATA = 7;

/** An SZL answer arriving in userdata fragments (one data-unit reference), collected until the last. */
interface Frag {
  ref: number;
  buf: StreamBuf;
  /** `tick` of the flow when the last fragment came. */
  age: number;
  /** Over the cap or the shared budget: only the prefix collected so far is decoded. */
  broken: boolean;
}

interface S7Flow extends MeteredFlow {
  once: OnceSet;
  writes: number;
  tsaps: string;
  /** A COTP DT carried S7comm (the flow is ours) / carried something else (MMS: never ours). */
  s7: boolean;
  other: boolean;
  dirs: PduDirections | null;
  frags: Frag[];
  /** Counts fragmented answers seen, to age out those never completed. */
  tick: number;
  /** The data-unit reference of an answer given up on: its tail is not decoded as a new answer. */
  droppedRef: number;
}

const newFlow = (): S7Flow => ({
  once: new OnceSet(96),
  writes: 0,
  meter: null,
  tsaps: '',
  s7: false,
  other: false,
  dirs: null,
  frags: [],
  tick: 0,
  droppedRef: -1,
});

/** Fragmented answers in flight per flow, bytes per answer, and fragments an answer may wait. */
const MAX_FRAGS = 4;
const FRAG_CAP = 16 << 10;
const FRAG_AGE = 16;

/**
 * TPKTs on tcp/102, collected across TCP segments when split: connection requests (the TSAPs) and
 * S7comm / S7comm-plus data are read, anything else (MMS on a shared port) is stepped over.
 */
const S7_FRAMING: PduFraming = {
  lenBytes: 4,
  peekBytes: 8,
  cap: 65535,
  length: tpktLength,
  check(w, o, len) {
    const type = cotpType(w, o, len);
    if (type < 0) return PDU_LOST;
    if (type === COTP_CR) return PDU_READ;
    if (type !== COTP_DT || len < 8) return PDU_SKIP;
    const id = w.u8(o + 7);
    return id === 0x32 || id === 0x72 ? PDU_READ : PDU_SKIP;
  },
};

const head: Tpkt = { length: 0, cotpType: 0, data: 0 };
const pdu: Tpkt = { length: 0, cotpType: 0, data: 0 };
const fragView = new ByteWindow();
const fragPart = new ByteWindow();

/** The COTP user data is S7comm or S7comm-plus: protocol id plus a plausible header. */
function isS7(w: ByteWindow, d: number): boolean {
  const id = w.u8(d);
  if (id === 0x32) {
    const r = w.u8(d + 1);
    return (
      (r === ROSCTR_JOB || r === ROSCTR_ACK || r === ROSCTR_ACK_DATA || r === ROSCTR_USERDATA) &&
      w.u16(d + 2) === 0
    );
  }
  if (id === 0x72) {
    const v = w.u8(d + 1);
    return v === 1 || v === 2 || v === 3 || v === 0xfe;
  }
  return false;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'ModeTransition',
    'PIService',
    'PLCStop',
    'RequestDownload',
    'SZL',
    'SZL0x0011.basicHardware',
    'SZL0x0011.firmware',
    'SZL0x0011.firmwareExtension',
    'SZL0x0011.module',
    'SZL0x001C.copyright',
    'SZL0x001C.cpuType',
    'SZL0x001C.location',
    'SZL0x001C.moduleName',
    'SZL0x001C.plantId',
    'SZL0x001C.plcName',
    'SZL0x001C.serialNumber',
    'SZL0x0424.mode',
    'SetupCommunication.pduLength',
    'StartUpload',
    'WriteVar',
    'cotp.tsap',
    'header.version',
    POLL_FIELD,
    's7comm',
    's7comm-plus',
  ],
  keys: {
    attribute: [
      's7.basic-hardware',
      's7.copyright',
      's7.firmware-extension',
      's7.module-name',
      's7.pdu-length',
      's7.plant-id',
      's7.szl-answered',
      's7.tsap',
      's7comm-plus.version',
      ...POLL_KEYS,
    ],
    event: [
      'block-delete',
      'block-insert',
      'plc-control',
      'plc-mode-change',
      'plc-start',
      'plc-stop',
      'program-download',
      'program-upload',
      's7-write',
    ],
    identity: [
      'firmware',
      'hardware',
      'location',
      'model',
      'product',
      'serial',
      'state',
      'station-name',
      'vendor',
    ],
    role: ['s7-client', 's7-programmer', 's7-server', 's7plus-client', 's7plus-server'],
    service: ['s7comm', 's7comm-plus'],
  },
} as const satisfies Vocabulary;

export const s7comm: AppProtocol = {
  name: 's7comm',
  group: 'ot',
  emits: { s7comm: VOCABULARY },
  tcpPorts: [PORT],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (p.ipProto !== 6) return false;
    const f = ctx.flowState(p, 's7comm', newFlow);
    if (f.other) return false;
    f.dirs ??= new PduDirections(S7_FRAMING);
    const d = f.dirs.get(p);
    if (!f.s7 && !d.collecting) {
      // Until S7 data is seen, a segment must start with TPKT/COTP; other user data is not ours.
      const t = parseTpkt(w, 0, head);
      if (t === null) return false;
      if (t.cotpType === COTP_DT && w.has(t.data, 4) && !isS7(w, t.data)) {
        f.other = true;
        return false;
      }
    }
    d.feed(w, p, readTpkt, ctx, f);
    return f.s7;
  },
};

/** One whole TPKT (CR, or COTP DT carrying S7comm / S7comm-plus). */
function readTpkt(w: ByteWindow, _len: number, p: Packet, ctx: AppContext, f: S7Flow): void {
  const t = parseTpkt(w, 0, pdu);
  if (t === null) return;
  if (t.cotpType === COTP_CR) {
    const ts = cotpTsaps(w, 0, t);
    f.tsaps = ts.calling + '/' + ts.called;
    return;
  }
  if (t.cotpType !== COTP_DT || !isS7(w, t.data)) return;
  f.s7 = true;
  const toServer = p.dstPort === PORT && p.srcPort !== PORT;
  const fromServer = p.srcPort === PORT && p.dstPort !== PORT;
  if (w.u8(t.data) === 0x32) s7(w, t.data, w.length, p, ctx, f, toServer, fromServer);
  else s7plus(w, t.data, p, ctx, f, toServer);
}

function roles(
  p: Packet,
  ctx: AppContext,
  f: S7Flow,
  toServer: boolean,
  proto: 's7comm' | 's7comm-plus',
): void {
  if (!toServer || !f.once.first('roles:' + proto)) return;
  em.role(ctx, p, {
    end: 'src',
    field: proto,
    role: proto === 's7comm-plus' ? 's7plus-client' : 's7-client',
  });
  em.role(ctx, p, {
    end: 'dst',
    field: proto,
    role: proto === 's7comm-plus' ? 's7plus-server' : 's7-server',
  });
  em.service(ctx, p, { end: 'dst', field: proto, transport: 'tcp', port: PORT, name: proto });
  if (f.tsaps !== '')
    em.attribute(ctx, p, { end: 'src', field: 'cotp.tsap', key: 's7.tsap', value: f.tsaps });
}

function s7(
  w: ByteWindow,
  d: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  f: S7Flow,
  toServer: boolean,
  fromServer: boolean,
): void {
  const rosctr = w.u8(d + 1);
  const paramLen = w.u16(d + 6);
  const dataLen = w.u16(d + 8);
  const par = d + (rosctr === ROSCTR_ACK || rosctr === ROSCTR_ACK_DATA ? 12 : 10);
  const data = par + paramLen;
  if (par > end) return;
  roles(p, ctx, f, toServer, 's7comm');
  if (fromServer) flowMeter(ctx, p, f, 's7comm', 'dst').answer();
  const fn = w.u8(par);
  if (rosctr === ROSCTR_JOB && toServer) {
    if (fn === FN_READ_VAR) {
      // Polling is Read Var: its signature is its parameters (the items), not the PDU reference.
      const ms = flowMeter(ctx, p, f, 's7comm', 'src').request(
        signature(w, par, Math.min(paramLen, 64)),
        p.ts,
      );
      if (ms > 0) statePeriod(em, ctx, p, ms, 'dst');
    }
    job(w, fn, par, Math.min(par + paramLen, end), p, ctx, f);
  } else if (rosctr === ROSCTR_ACK_DATA && fromServer && fn === 0xf0 && f.once.first('pdu')) {
    em.attribute(ctx, p, {
      end: 'src',
      field: 'SetupCommunication.pduLength',
      key: 's7.pdu-length',
      value: String(w.u16(par + 6)),
    });
  } else if (rosctr === ROSCTR_USERDATA)
    userdata(w, par, paramLen, data, Math.min(data + dataLen, end), p, ctx, f);
}

function job(
  w: ByteWindow,
  fn: number,
  par: number,
  pEnd: number,
  p: Packet,
  ctx: AppContext,
  f: S7Flow,
): void {
  switch (fn) {
    case 0x05:
      f.writes++;
      if (REPORT_AT.has(f.writes))
        em.event(ctx, p, { end: 'src', field: 'WriteVar', event: 's7-write', facts: { count: f.writes } });
      return;
    case 0x1a:
      em.role(ctx, p, { end: 'src', field: 'RequestDownload', role: 's7-programmer' });
      em.event(ctx, p, {
        end: 'src',
        field: 'RequestDownload',
        event: 'program-download',
        facts: { file: fileName(w, par + 8, pEnd) },
      });
      return;
    case 0x1d:
      if (f.once.first('upload')) {
        em.role(ctx, p, { end: 'src', field: 'StartUpload', role: 's7-programmer' });
        em.event(ctx, p, {
          end: 'src',
          field: 'StartUpload',
          event: 'program-upload',
          facts: { file: fileName(w, par + 8, pEnd) },
        });
      }
      return;
    case 0x28: {
      // PI service: 7 unknown bytes, parameter block length + block, then the service name.
      const blk = w.u16(par + 8);
      const nameAt = par + 10 + blk;
      const name = w.ascii(nameAt + 1, Math.min(w.u8(nameAt), pEnd - nameAt - 1), 32);
      const ev =
        name === 'P_PROGRAM'
          ? 'plc-start'
          : name === '_INSE'
            ? 'block-insert'
            : name === '_DELE'
              ? 'block-delete'
              : 'plc-control';
      em.event(ctx, p, {
        end: 'src',
        field: 'PIService',
        event: ev,
        facts: { service: name || '(unnamed)' },
      });
      return;
    }
    case 0x29:
      em.event(ctx, p, { end: 'src', field: 'PLCStop', event: 'plc-stop' });
      return;
    default:
  }
}

/** Download/upload parameters end in a length-prefixed file name ("_0A00001P": block type, number). */
function fileName(w: ByteWindow, o: number, end: number): string {
  const len = w.u8(o);
  if (len === 0 || o + 1 + len > end) return '';
  return w.ascii(o + 1, len, 32);
}

/** Userdata: a parameter head 00 01 12, then method, type/group, subfunction; SZL in group 4. */
function userdata(
  w: ByteWindow,
  par: number,
  paramLen: number,
  data: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  f: S7Flow,
): void {
  if (paramLen < 8 || w.u16(par) !== 0x0001 || w.u8(par + 2) !== 0x12) return;
  const typeGroup = w.u8(par + 5);
  const sub = w.u8(par + 6);
  const isResponse = typeGroup >> 4 === 8;
  const group = typeGroup & 0x0f;
  // A data-unit reference marks an answer that may come in fragments ("last data unit" = no): only
  // the first starts with the SZL header, the others carry the rest. Decoded whole at the last.
  if (isResponse && paramLen >= 12 && w.u8(par + 8) !== 0) {
    if (group === 4 && sub === 1) szlFragment(w, data, end, w.u8(par + 8), w.u8(par + 9) !== 0, p, ctx, f);
    return;
  }
  if (group === 4 && sub === 1 && isResponse && w.u8(data) === 0xff) szl(w, data + 4, end, p, ctx, f);
  else if (group === 1 && !isResponse)
    em.event(ctx, p, {
      end: 'src',
      field: 'ModeTransition',
      event: 'plc-mode-change',
      facts: { subfunction: sub },
    });
}

/** One fragment of an SZL answer: return code, transport size, length, then its share of the answer. */
function szlFragment(
  w: ByteWindow,
  data: number,
  end: number,
  ref: number,
  more: boolean,
  p: Packet,
  ctx: AppContext,
  f: S7Flow,
): void {
  const s = data + 4;
  const e = Math.min(s + w.u16(data + 2), end);
  const tick = ++f.tick;
  let fr: Frag | undefined;
  for (let i = f.frags.length - 1; i >= 0; i--) {
    const x = f.frags[i]!;
    if (x.ref === ref) fr = x;
    else if (tick - x.age > FRAG_AGE) {
      f.droppedRef = x.ref;
      f.frags.splice(i, 1);
    }
  }
  if (fr === undefined) {
    // The tail of an answer given up on would read as a bogus SZL header.
    if (ref === f.droppedRef) {
      if (!more) f.droppedRef = -1;
      return;
    }
    if (w.u8(data) !== 0xff || s > e) return;
    if (!more) return szl(w, s, e, p, ctx, f);
    if (f.frags.length >= MAX_FRAGS) f.droppedRef = f.frags.shift()!.ref;
    fr = { ref, buf: new StreamBuf(FRAG_CAP), age: tick, broken: false };
    f.frags.push(fr);
  }
  fr.age = tick;
  if (!fr.broken && s < e && !fr.buf.append(w.sub(fragPart, s, e - s))) fr.broken = true;
  if (more) return;
  f.frags.splice(f.frags.indexOf(fr), 1);
  const v = fr.buf.view(fragView);
  szl(v, 0, v.length, p, ctx, f);
}

const RECORD_CAP = 64;

function szl(w: ByteWindow, o: number, end: number, p: Packet, ctx: AppContext, f: S7Flow): void {
  const id = w.u16(o);
  const recLen = w.u16(o + 4);
  const count = Math.min(w.u16(o + 6), RECORD_CAP);
  if (f.once.first('szl:' + id))
    em.attribute(ctx, p, { end: 'src', field: 'SZL', key: 's7.szl-answered', value: hex(id, 4) });
  let r = o + 8;
  for (let i = 0; i < count && recLen > 0 && r + recLen <= end; i++, r += recLen) {
    if ((id & 0xff) === 0x11 && recLen >= 28) moduleIdent(w, r, p, ctx);
    else if (id === 0x001c && recLen >= 34) componentIdent(w, r, p, ctx);
    else if (id === 0x0424 && recLen >= 4) cpuMode(w, r, p, ctx);
  }
}

/** SZL 0x0011 record: index, order number (20), module type, Ausbg, Ausbe. */
function moduleIdent(w: ByteWindow, r: number, p: Packet, ctx: AppContext): void {
  const index = w.u16(r);
  const mlfb = w.ascii(r + 2, 20).trim();
  const ausbg = w.u16(r + 24);
  const ausbe = w.u16(r + 26);
  if (index === 0x0001) {
    em.identity(ctx, p, { end: 'src', field: 'SZL0x0011.module', attr: 'model', value: mlfb });
    em.identity(ctx, p, { end: 'src', field: 'SZL0x0011.module', attr: 'hardware', value: String(ausbg) });
    em.identity(ctx, p, { end: 'src', field: 'SZL0x0011.module', attr: 'vendor', value: 'Siemens' });
  } else if (index === 0x0006) {
    em.attribute(ctx, p, {
      end: 'src',
      field: 'SZL0x0011.basicHardware',
      key: 's7.basic-hardware',
      value: mlfb + ' ' + ausbg,
    });
  } else if (index === 0x0007) {
    // Firmware: Ausbg = letter (V) + major, Ausbe = minor, patch.
    const letter = String.fromCharCode(ausbg >> 8);
    if (/[A-Z]/.test(letter)) {
      em.identity(ctx, p, {
        end: 'src',
        field: 'SZL0x0011.firmware',
        attr: 'firmware',
        value: letter + (ausbg & 0xff) + '.' + (ausbe >> 8) + '.' + (ausbe & 0xff),
      });
    }
  } else if (index === 0x0081 && mlfb !== '') {
    const letter = String.fromCharCode(ausbg >> 8);
    em.attribute(ctx, p, {
      end: 'src',
      field: 'SZL0x0011.firmwareExtension',
      key: 's7.firmware-extension',
      value: mlfb + ' ' + letter + (ausbg & 0xff) + '.' + (ausbe >> 8) + '.' + (ausbe & 0xff),
    });
  }
}

/** SZL 0x001C record: index, then 32 bytes of text (or vendor/profile ids for index 9). */
function componentIdent(w: ByteWindow, r: number, p: Packet, ctx: AppContext): void {
  const index = w.u16(r);
  const text = w
    .ascii(r + 2, 32)
    .replace(/\0.*$/s, '')
    .trim();
  switch (index) {
    case 1:
      em.identity(ctx, p, { end: 'src', field: 'SZL0x001C.plcName', attr: 'station-name', value: text });
      return;
    case 2:
      em.attribute(ctx, p, { end: 'src', field: 'SZL0x001C.moduleName', key: 's7.module-name', value: text });
      return;
    case 3:
      em.attribute(ctx, p, { end: 'src', field: 'SZL0x001C.plantId', key: 's7.plant-id', value: text });
      return;
    case 4:
      em.attribute(ctx, p, { end: 'src', field: 'SZL0x001C.copyright', key: 's7.copyright', value: text });
      return;
    case 5:
      em.identity(ctx, p, { end: 'src', field: 'SZL0x001C.serialNumber', attr: 'serial', value: text });
      return;
    case 7:
      em.identity(ctx, p, { end: 'src', field: 'SZL0x001C.cpuType', attr: 'product', value: text });
      return;
    case 0x0b:
      em.identity(ctx, p, { end: 'src', field: 'SZL0x001C.location', attr: 'location', value: text });
      return;
    default:
  }
}

const MODES: Record<number, string> = {
  0: 'stop',
  1: 'stop',
  2: 'stop',
  3: 'stop',
  4: 'stop',
  5: 'startup',
  6: 'startup',
  7: 'startup',
  8: 'run',
  9: 'run',
  10: 'hold',
  13: 'defect',
};

/** SZL 0x0424 record: event id (2), ae, bzu-id (low nibble: the mode the CPU is in / was asked for). */
function cpuMode(w: ByteWindow, r: number, p: Packet, ctx: AppContext): void {
  const mode = w.u8(r + 3) & 0x0f;
  em.identity(ctx, p, {
    end: 'src',
    field: 'SZL0x0424.mode',
    attr: 'state',
    value: MODES[mode] ?? 'mode ' + mode,
  });
}

/** S7comm-plus: protocol id, version, data length, then opcode (0x31 request, 0x32 response). */
function s7plus(w: ByteWindow, d: number, p: Packet, ctx: AppContext, f: S7Flow, toServer: boolean): void {
  roles(p, ctx, f, toServer, 's7comm-plus');
  const version = w.u8(d + 1);
  if (f.once.first('s7plus-version')) {
    em.attribute(ctx, p, {
      end: toServer ? 'src' : 'dst',
      field: 'header.version',
      key: 's7comm-plus.version',
      value: version === 0xfe ? 'keep-alive' : 'V' + version,
    });
  }
}
