import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { hex } from '../common/hex';
import {
  POLL_FIELD,
  POLL_KEYS,
  PollMeter,
  flowMeter,
  periodText,
  signature,
  statePeriod,
  type MeteredFlow,
} from '../common/polling';
import { OnceSet } from '../common/once';
import { type End } from '../common/refs';
import { PDU_LOST, PDU_READ, PduDirections, type PduFraming } from '../it/pdu-stream';
import { connectionTarget, routesOn, type ConnectionTarget } from './cip-connection-path';
import { CPF } from './enip-cpf';
import { cipDeviceTypeName, cipVendorName } from './registries';

/**
 * EtherNet/IP encapsulation (ODVA Vol. 2) and the CIP messages it carries (Vol. 1): ListIdentity,
 * RegisterSession, explicit messages over SendRRData / SendUnitData with request/response pairing,
 * Identity-object replies, Forward_Open, and administrative services flagged as events. UDP 2222
 * carries class-0/1 I/O as a bare common packet format. On TCP, messages split across segments are
 * collected per direction (pdu-stream.ts), at most ENCAP_CAP bytes of each.
 */

/** Events of CIP services; their severity and wording are in shared/alerts/policy.ts. */
export const EVENTS = [
  'cip-connection-open',
  'device-reset',
  'controller-stop',
  'controller-start',
  'firmware-update',
  'ip-settings-change',
  'link-settings-change',
  'identity-change',
  'cip-write',
] as const;

const em = new Emitter<typeof VOCABULARY>('enip');

const CMD_NOP = 0x0000;
const CMD_LIST_SERVICES = 0x0004;
const CMD_LIST_IDENTITY = 0x0063;
const CMD_LIST_INTERFACES = 0x0064;
const CMD_REGISTER_SESSION = 0x0065;
const CMD_UNREGISTER_SESSION = 0x0066;
const CMD_SEND_RR_DATA = 0x006f;
const CMD_SEND_UNIT_DATA = 0x0070;
const ENCAP_HEADER = 24;
/** Encapsulation lengths above this are not EtherNet/IP (the spec caps a message at 65511 bytes). */
const MAX_ENCAP_LENGTH = 65511;
/** Encapsulated messages decoded per TCP segment (several may share one). */
const MAX_PDUS = 8;
/** Bytes of one TCP message collected across segments: identity replies and CIP requests are far smaller. */
const ENCAP_CAP = 4096;
/** CPF items looked at per message. */
const MAX_ITEMS = 8;
/** Requests remembered per flow while waiting for their replies. */
const MAX_PENDING = 32;
/** Services inside one Multiple_Service_Packet that are looked at. */
const MAX_MULTI = 32;
/** Connection targets (Forward_Open paths) stated per flow: a scanner opens a few per adapter. */
const MAX_TARGETS = 8;

const CLASS_IDENTITY = 0x01;
const CLASS_CONNECTION_MANAGER = 0x06;
const CLASS_FIRMWARE = 0xa1;
const CLASS_TCPIP = 0xf5;
const CLASS_ETHERNET_LINK = 0xf6;

const SVC_GET_ATTRIBUTES_ALL = 0x01;
const SVC_SET_ATTRIBUTES_ALL = 0x02;
const SVC_GET_ATTRIBUTE_LIST = 0x03;
const SVC_RESET = 0x05;
const SVC_START = 0x06;
const SVC_STOP = 0x07;
const SVC_MULTIPLE = 0x0a;
const SVC_GET_ATTRIBUTE_SINGLE = 0x0e;
const SVC_SET_ATTRIBUTE_SINGLE = 0x10;
const SVC_FORWARD_CLOSE = 0x4e;
const SVC_UNCONNECTED_SEND = 0x52;
const SVC_FORWARD_OPEN = 0x54;
const SVC_LARGE_FORWARD_OPEN = 0x5b;

/** The commands read (compared, not a Set: each message is tested up to three times). */
function isCommand(cmd: number): boolean {
  return (
    cmd === CMD_SEND_RR_DATA ||
    cmd === CMD_SEND_UNIT_DATA ||
    cmd === CMD_LIST_IDENTITY ||
    cmd === CMD_REGISTER_SESSION ||
    cmd === CMD_UNREGISTER_SESSION ||
    cmd === CMD_LIST_INTERFACES ||
    cmd === CMD_LIST_SERVICES ||
    cmd === CMD_NOP
  );
}

/**
 * A decoded CIP request: what a reply is about. A class, made once with every field: as an object
 * literal it shared its first hidden class with every literal whose first key is `service` (an
 * event's facts), and a string stored there, or a path segment assigned later, widened the fields of
 * every request and deoptimised the functions that read them.
 */
class CipRequest {
  constructor(
    public service = -1,
    public cls = -1,
    public instance = -1,
    public attribute = -1,
  ) {}
}

/**
 * Requests are parsed into these (the message's own, an Unconnected_Send's embedded one, and one
 * service of a Multiple_Service at a time) and copied only when a reply will be read against them.
 */
const TOP = new CipRequest();
const INNER = new CipRequest();
const SUB = new CipRequest();

/**
 * What a reply needs of its request. Only replies to Identity requests are read, so any other request
 * is kept as one shared record (a Multiple_Service as MULTI, whose reply is split by service); a
 * shared record is only read. Routine requests then allocate nothing.
 */
const OTHER = new CipRequest();
const MULTI = new CipRequest(SVC_MULTIPLE);
const ONE_OTHER: CipRequest[] = [OTHER];
/** A Multiple_Service of n services, none of them an Identity request: MULTI_OTHERS[n]. */
const MULTI_OTHERS: CipRequest[][] = [];
for (let n = 0; n <= MAX_MULTI; n++) MULTI_OTHERS.push([MULTI, ...new Array<CipRequest>(n).fill(OTHER)]);

function kept(r: CipRequest): CipRequest {
  if (r.cls === CLASS_IDENTITY) return new CipRequest(r.service, r.cls, r.instance, r.attribute);
  return r.service === SVC_MULTIPLE ? MULTI : OTHER;
}

interface EnipFlow extends MeteredFlow {
  once: OnceSet;
  /**
   * Requests waiting for their replies, by pairing key (sender context or connection sequence), in a
   * ring of MAX_PENDING slots: the oldest is overwritten. A flow has one or two requests in flight,
   * so a scan beats a Map, which reallocated its table as requests came and went.
   */
  pendingKeys: Float64Array;
  pendingReqs: (CipRequest[] | null)[];
  pendingNext: number;
  /** Slots of the ring that hold a request (a scan stops once it has passed them all). */
  pendingCount: number;
  writes: number;
  /** (service, class) pairs already reported for this flow. */
  objects: OnceSet;
  /** Each TCP direction's message stream, created at the first segment that starts with a message. */
  dirs: PduDirections | null;
  /**
   * Offered already to `once` (so stated, or never to be: the memory is full): the client role, the
   * connected attribute, the firmware event. Later offers would be refused: they are not made.
   */
  saidClient: boolean;
  saidConnected: boolean;
  saidFirmware: boolean;
  /** The I/O producer (UDP port, connection id) last stated. */
  ioPort: number;
  ioConn: number;
  /** Messages that took a short way (connectedMessage's cheap path, explicitMessage), for tests. */
  routine: number;
  /** Whole SendUnitData messages connectedMessage sent straight to cip(), for tests. */
  direct: number;
  /** Each direction's cyclic I/O (UDP 2222 flows only). */
  io: [PollMeter, PollMeter] | null;
  /** Signatures of the Forward_Open paths whose target facts were stated, at most MAX_TARGETS. */
  targets: number[];
}

function newFlow(): EnipFlow {
  return {
    once: new OnceSet(64),
    meter: null,
    io: null,
    pendingKeys: new Float64Array(MAX_PENDING).fill(NO_KEY),
    pendingReqs: new Array<CipRequest[] | null>(MAX_PENDING).fill(null),
    pendingNext: 0,
    pendingCount: 0,
    writes: 0,
    objects: new OnceSet(32),
    dirs: null,
    saidClient: false,
    saidConnected: false,
    saidFirmware: false,
    ioPort: -1,
    ioConn: -1,
    routine: 0,
    direct: 0,
    targets: [],
  };
}

/** Encapsulation framing for TCP: a known command and its length; every message is read. */
const ENCAP_FRAMING: PduFraming = {
  lenBytes: 4,
  peekBytes: ENCAP_HEADER,
  cap: ENCAP_CAP,
  length(w, o) {
    return isCommand(w.u16le(o)) ? ENCAP_HEADER + w.u16le(o + 2) : -1;
  },
  check(w, o) {
    return validHeader(w, o, false) ? PDU_READ : PDU_LOST;
  },
};

function readEncapsulation(w: ByteWindow, len: number, p: Packet, ctx: AppContext, f: EnipFlow): void {
  encapsulation(w, 0, len - ENCAP_HEADER, p, ctx, f);
}

/** No pairing key (a message that cannot be paired), and an empty pending slot. */
const NO_KEY = -1;

/**
 * SendRRData pairs by the 8-byte sender context: its low word and 21 bits of the high one make an
 * exact integer key (senders count up from small numbers or use pointers; two contexts in flight on
 * one flow that differ only above bit 52 would pair wrongly, and a reply is checked against its
 * request's service anyway). Connected messages pair by their 16-bit sequence count, as a negative
 * key below NO_KEY (an offset past 2^53, as before, was not exact: 2^53 + 1 is 2^53, so each odd
 * count took its even neighbour's key).
 */
function contextKey(hi: number, lo: number): number {
  return (hi & 0x1fffff) * 0x100000000 + lo;
}
function seqKey(seq: number): number {
  return -2 - seq;
}

/**
 * The pairing key of the message being read. Keys pass 2^31, and a number that large, passed from
 * one function to the next, was a heap number per message: it travels in this one slot instead.
 */
const msgKey = new Float64Array(1);

/**
 * The slot of `key`, or -1. Keys are unique in the ring (putPending replaces a retried request), so
 * the scan starts at the newest slot: a reply mostly answers the last request. It stops once it has
 * passed every slot in use: a new request (none in flight, or one) looked at all 32 slots, the
 * larger part of cip()'s own time on the benchmark's writes.
 */
function findPending(f: EnipFlow): number {
  const key = msgKey[0];
  const keys = f.pendingKeys;
  let left = f.pendingCount;
  for (let n = 0, i = f.pendingNext; n < MAX_PENDING && left > 0; n++) {
    i = i === 0 ? MAX_PENDING - 1 : i - 1;
    const k = keys[i];
    if (k === key) return i;
    if (k !== NO_KEY) left--;
  }
  return -1;
}

/** Empties slot `i` (a request its reply took, or one left unread). */
function clearPending(f: EnipFlow, i: number): void {
  if (f.pendingKeys[i] !== NO_KEY) f.pendingCount--;
  f.pendingKeys[i] = NO_KEY;
  f.pendingReqs[i] = null;
}

function takePending(f: EnipFlow): CipRequest[] | undefined {
  const i = findPending(f);
  if (i < 0) return undefined;
  const r = f.pendingReqs[i]!;
  clearPending(f, i);
  return r;
}

function putPending(f: EnipFlow, reqs: CipRequest[]): void {
  // A retried request replaces its earlier copy rather than taking a second slot.
  let i = findPending(f);
  if (i < 0) {
    i = f.pendingNext;
    f.pendingNext = (i + 1) % MAX_PENDING;
    // The oldest request is overwritten when the ring is full: the count stays.
    if (f.pendingKeys[i] === NO_KEY) f.pendingCount++;
  }
  f.pendingKeys[i] = msgKey[0]!;
  f.pendingReqs[i] = reqs;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'FirmwareUpdate',
    'Forward_Open',
    'Forward_Open.connectionPath',
    'Forward_Open.ekey.deviceType',
    'Forward_Open.ekey.productCode',
    'Forward_Open.ekey.revision',
    'Forward_Open.ekey.vendorId',
    'Identity.deviceType',
    'Identity.productCode',
    'Identity.productName',
    'Identity.revision',
    'Identity.serialNumber',
    'Identity.vendorId',
    'ListIdentity',
    'ListIdentity.deviceType',
    'ListIdentity.productCode',
    'ListIdentity.productName',
    'ListIdentity.revision',
    'ListIdentity.serialNumber',
    'ListIdentity.state',
    'ListIdentity.vendorId',
    'RegisterSession',
    'Reset',
    'SendUnitData',
    'SetAttribute',
    'Start',
    'Stop',
    'cip.request',
    'encapsulation',
    'io',
    'io.connectionId',
    POLL_FIELD,
  ],
  keys: {
    attribute: [
      'cip.connected',
      'cip.connection-target',
      'cip.ekey.device-type',
      'cip.ekey.device-type-id',
      'cip.ekey.product-code',
      'cip.ekey.revision',
      'cip.ekey.vendor',
      'cip.ekey.vendor-id',
      'cip.io.connection',
      'cip.object-accessed',
      'enip.session',
      'io-cycle',
      ...POLL_KEYS,
    ],
    event: [
      'cip-connection-open',
      'cip-write',
      'controller-start',
      'controller-stop',
      'device-reset',
      'firmware-update',
      'identity-change',
      'ip-settings-change',
      'link-settings-change',
    ],
    identity: [
      'device-type',
      'device-type-id',
      'firmware',
      'product',
      'product-code',
      'serial',
      'state',
      'vendor',
      'vendor-id',
    ],
    role: ['cip-adapter', 'cip-io-producer', 'cip-scanner', 'enip-client', 'enip-discovery', 'enip-server'],
    service: ['enip'],
  },
} as const satisfies Vocabulary;

export const enip: AppProtocol = {
  name: 'enip',
  group: 'ot',
  emits: { enip: VOCABULARY },
  tcpPorts: [44818],
  udpPorts: [44818, 2222],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (
      p.ipProto === 17 &&
      (p.srcPort === 2222 || p.dstPort === 2222) &&
      p.srcPort !== 44818 &&
      p.dstPort !== 44818
    ) {
      return dissectIo(w, p, ctx);
    }
    const starts = validHeader(w, 0, p.ipProto === 6);
    if (p.ipProto === 6) return dissectTcp(w, p, ctx, starts);
    if (!starts) return false;
    inSegment(w, p, ctx, ctx.flowState(p, 'enip', newFlow));
    return true;
  },
};

/**
 * A TCP segment: messages go through the direction's stream, so one split across segments is read
 * whole at its last segment. A segment that does not start with a message is ours only where it goes
 * on from where the direction's framing left off; one cut by the snap length is read as far as it goes.
 */
function dissectTcp(w: ByteWindow, p: Packet, ctx: AppContext, starts: boolean): boolean {
  if (starts && (connectedMessage(w, p, ctx) || explicitMessage(w, p, ctx))) return true;
  let f: EnipFlow | undefined;
  // Without a message at its start, a segment is read only where the direction's framing is known.
  if (!starts) {
    f = ctx.flowState(p, 'enip', newFlow);
    const d = f.dirs?.get(p);
    if (d === undefined || d.lost || d.nextSeq !== p.tcpSeq) return false;
  }
  f ??= ctx.flowState(p, 'enip', newFlow);
  const d = (f.dirs ??= new PduDirections(ENCAP_FRAMING)).get(p);
  if (p.capLen < p.wireLen) {
    d.lose();
    if (starts) inSegment(w, p, ctx, f);
    return starts;
  }
  d.feed(w, p, readEncapsulation, ctx, f);
  return starts || !d.lost;
}

/** Logix Read Tag and Read Tag Fragmented: the bulk of an HMI's polling. */
const SVC_READ_TAG = 0x4c;
const SVC_READ_TAG_FRAGMENTED = 0x52;
/** What a symbolic read leaves pending for its reply (shared: pending requests are only read). */
const READ_TAG: CipRequest[] = [new CipRequest(SVC_READ_TAG, -1, -1, -1)];
const READ_TAG_FRAGMENTED: CipRequest[] = [new CipRequest(SVC_READ_TAG_FRAGMENTED, -1, -1, -1)];

/** The message connectedMessage() or explicitMessage() reads in full (cip() never comes back here). */
const message = new ByteWindow();

/**
 * For the short ways: the segment is one whole message of `cmd`, uncut by the snap length, with
 * status 0 (validHeader has checked the command, the options and the length's bound).
 */
function wholeMessage(w: ByteWindow, p: Packet, cmd: number): boolean {
  return (
    p.capLen >= p.wireLen && w.u16le(0) === cmd && ENCAP_HEADER + w.u16le(2) === w.length && w.u32le(8) === 0
  );
}

/**
 * The flow of a whole message of `len` bytes that a short way reads instead of the stream, or null:
 * the flow must have stated its client role for a request, and its connected messaging too when
 * `connected`, and the direction's framing must be in step. The framing then moves on past the
 * message, as feed() would have moved it.
 */
function stepPast(
  p: Packet,
  ctx: AppContext,
  len: number,
  toServer: boolean,
  connected: boolean,
): EnipFlow | null {
  const f = ctx.flowState(p, 'enip', newFlow);
  if ((connected && !f.saidConnected) || (toServer && !f.saidClient)) return null;
  const s = f.dirs?.get(p);
  if (s === undefined || s.lost || s.collecting || s.skip !== 0 || s.nextSeq !== p.tcpSeq) return null;
  s.nextSeq = (p.tcpSeq + len) >>> 0;
  s.starts++;
  return f;
}

/**
 * A segment that is one whole SendUnitData message (status and options 0, the usual two items:
 * connected address, connected data), once the flow has stated its client role and its connected
 * messaging, on a direction whose framing is in step: read here rather than through the stream, the
 * header checks and the item walk that feed(), encapsulation() and cpfMessage() would spend on it;
 * the direction's framing moves on as feed() would have moved it.
 *
 * The cheap path for routine polling: a symbolic Read Tag (Fragmented) request or a reply to a
 * request that is neither an Identity read nor a Multiple_Service, decoded in full, would state
 * nothing. Only the service code and the pairing are looked at (the request is left pending, the
 * reply takes it, as the full path does). Every other message (Multiple_Service, Get_Attribute_List,
 * writes, resets, stop/start, firmware) goes straight to cip(), decoded in full.
 */
function connectedMessage(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const len = w.length;
  if (!wholeMessage(w, p, CMD_SEND_UNIT_DATA)) return false;
  // Interface handle and timeout, then two CPF items: connected address (4 bytes), connected data.
  const o = ENCAP_HEADER + 6;
  const d = o + 14;
  if (len < d + 4 || w.u16le(o) !== 2) return false;
  if (w.u16le(o + 2) !== CPF.CONNECTED_ADDRESS || w.u16le(o + 4) !== 4) return false;
  if (w.u16le(o + 10) !== CPF.CONNECTED_DATA || d + w.u16le(o + 12) !== len) return false;
  const toServer = p.dstPort === 44818 && p.srcPort !== 44818;
  const fromServer = p.srcPort === 44818 && p.dstPort !== 44818;
  if (!toServer && !fromServer) return false;
  const f = stepPast(p, ctx, len, toServer, true);
  if (f === null) return false;
  if (fromServer) flowMeter(ctx, p, f, 'enip', 'dst').answer();
  msgKey[0] = seqKey(w.u16le(d));
  const svc = w.u8(d + 2);
  if ((svc & 0x80) === 0) {
    // A symbolic path (ANSI extended symbol segment first) names no class: no object to report.
    const words = w.u8(d + 3);
    if (
      toServer &&
      (svc === SVC_READ_TAG || svc === SVC_READ_TAG_FRAGMENTED) &&
      words !== 0 &&
      d + 4 + words * 2 <= len &&
      w.u8(d + 4) === 0x91
    ) {
      putPending(f, svc === SVC_READ_TAG ? READ_TAG : READ_TAG_FRAGMENTED);
      poll(w, d + 2, len, p, ctx, f);
      f.routine++;
      return true;
    }
  } else if (fromServer) {
    const i = findPending(f);
    if (i < 0) {
      f.routine++;
      return true;
    }
    const top = f.pendingReqs[i]![0]!;
    if (top.cls !== CLASS_IDENTITY && top.service !== SVC_MULTIPLE) {
      clearPending(f, i);
      f.routine++;
      return true;
    }
  }
  // Through a window of its own, as feed() hands it over: a read past the message's end (a Reset
  // without its type byte) is the message's short data, not a truncated segment.
  cip(w.sub(message, 0, len), d + 2, len, p, ctx, f, toServer, fromServer);
  f.direct++;
  return true;
}

/**
 * The short way for the bulk of unconnected explicit messaging: a segment that is one whole
 * SendRRData with status 0 and the usual two items (null address, unconnected data), from a client
 * whose role was stated or from its server, on a direction whose framing is in step. Its CIP message
 * goes straight to cip(), decoded in full (every request's facts and events, the pairing, the poll
 * meter), without the stream, header checks and item walk that feed() and encapsulation() would
 * spend on it; the direction's framing moves on as feed() would have moved it.
 */
function explicitMessage(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const len = w.length;
  if (!wholeMessage(w, p, CMD_SEND_RR_DATA)) return false;
  // Interface handle and timeout, then two CPF items: null address, unconnected data.
  const o = ENCAP_HEADER + 6;
  const d = o + 10;
  if (len < d + 2 || w.u16le(o) !== 2) return false;
  if (w.u16le(o + 2) !== CPF.NULL_ADDRESS || w.u16le(o + 4) !== 0) return false;
  if (w.u16le(o + 6) !== CPF.UNCONNECTED_DATA || d + w.u16le(o + 8) !== len) return false;
  const toServer = p.dstPort === 44818 && p.srcPort !== 44818;
  const fromServer = p.srcPort === 44818 && p.dstPort !== 44818;
  if (!toServer && !fromServer) return false;
  const f = stepPast(p, ctx, len, toServer, false);
  if (f === null) return false;
  if (fromServer) flowMeter(ctx, p, f, 'enip', 'dst').answer();
  msgKey[0] = contextKey(w.u32le(16), w.u32le(12));
  // A window of its own, as in connectedMessage(): a short message is not a truncated segment.
  cip(w.sub(message, 0, len), d, len, p, ctx, f, toServer, fromServer);
  f.routine++;
  return true;
}

/** The messages one segment or datagram holds, the last as far as it goes. */
function inSegment(w: ByteWindow, p: Packet, ctx: AppContext, f: EnipFlow): void {
  let off = 0;
  for (let n = 0; n < MAX_PDUS && w.has(off, ENCAP_HEADER); n++) {
    if (n > 0 && !validHeader(w, off, false)) break;
    const len = w.u16le(off + 2);
    encapsulation(w, off, len, p, ctx, f);
    off += ENCAP_HEADER + len;
  }
}

/**
 * The 24-byte encapsulation header must name a known command, carry options 0 and a length that
 * fits (on TCP the first message must start the segment and its length must not exceed it by much:
 * a PDU split over segments is allowed, garbage with a huge length is not).
 */
function validHeader(w: ByteWindow, off: number, first: boolean): boolean {
  if (!w.has(off, ENCAP_HEADER)) return false;
  const cmd = w.u16le(off);
  const len = w.u16le(off + 2);
  if (!isCommand(cmd) || len > MAX_ENCAP_LENGTH) return false;
  if (w.u32le(off + 20) !== 0) return false;
  const status = w.u32le(off + 8);
  if (status > 0x69) return false;
  if (first && off + ENCAP_HEADER + len > w.length + 1460) return false;
  return true;
}

function encapsulation(
  w: ByteWindow,
  off: number,
  len: number,
  p: Packet,
  ctx: AppContext,
  f: EnipFlow,
): void {
  const cmd = w.u16le(off);
  const status = w.u32le(off + 8);
  const body = off + ENCAP_HEADER;
  const end = Math.min(body + len, w.length);
  // Requests go to the well-known port; replies come from it (UDP ListIdentity replies too).
  const fromServer = p.srcPort === 44818 && p.dstPort !== 44818;
  const toServer = p.dstPort === 44818 && p.srcPort !== 44818;
  if (toServer) {
    if (!f.saidClient && f.once.first('role-client')) {
      em.role(ctx, p, { end: 'src', field: 'encapsulation', role: 'enip-client' });
      em.role(ctx, p, { end: 'dst', field: 'encapsulation', role: 'enip-server' });
      em.service(ctx, p, {
        end: 'dst',
        field: 'encapsulation',
        transport: p.ipProto === 6 ? 'tcp' : 'udp',
        port: 44818,
        name: 'enip',
      });
    }
    f.saidClient = true;
  }
  switch (cmd) {
    case CMD_LIST_IDENTITY:
      if (len > 0 && status === 0) listIdentity(w, body, end, p, ctx);
      else if (len === 0 && f.once.first('li-req'))
        em.role(ctx, p, { end: 'src', field: 'ListIdentity', role: 'enip-discovery', peer: null });
      return;
    case CMD_REGISTER_SESSION:
      if (fromServer && status === 0 && f.once.first('session')) {
        em.attribute(ctx, p, {
          end: 'src',
          field: 'RegisterSession',
          key: 'enip.session',
          value: hex(w.u32le(off + 4), 8),
        });
      }
      return;
    case CMD_SEND_RR_DATA:
    case CMD_SEND_UNIT_DATA: {
      if (status !== 0) return;
      if (fromServer) flowMeter(ctx, p, f, 'enip', 'dst').answer();
      // Interface handle (4) and timeout (2) precede the common packet format.
      msgKey[0] = cmd === CMD_SEND_RR_DATA ? contextKey(w.u32le(off + 16), w.u32le(off + 12)) : NO_KEY;
      cpfMessage(w, body + 6, end, p, ctx, f, toServer, fromServer);
      return;
    }
    default:
      return;
  }
}

/** ListIdentity reply: a CPF list whose CIP Identity item is the target's identity. */
function listIdentity(w: ByteWindow, off: number, end: number, p: Packet, ctx: AppContext): void {
  const count = Math.min(w.u16le(off), MAX_ITEMS);
  let o = off + 2;
  for (let i = 0; i < count && o + 4 <= end; i++) {
    const type = w.u16le(o);
    const ilen = w.u16le(o + 2);
    const d = o + 4;
    if (type === CPF.LIST_IDENTITY && d + 34 <= end) {
      // Encapsulation version (2) and a big-endian sockaddr (16) come before the identity.
      identityBody(w, d + 18, Math.min(d + ilen, end), p, ctx, 'ListIdentity');
    }
    o = d + ilen;
  }
}

/**
 * The Identity object's attributes 1-7 (+ state): the layout shared by ListIdentity and
 * Get_Attributes_All on class 1. Emitted about the sender (the device describing itself).
 */
function identityBody(
  w: ByteWindow,
  o: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  field: 'ListIdentity' | 'Identity',
): void {
  if (o + 15 > end) return;
  const vendor = w.u16le(o);
  const devType = w.u16le(o + 2);
  const product = w.u16le(o + 4);
  const major = w.u8(o + 6);
  const minor = w.u8(o + 7);
  const serial = w.u32le(o + 10);
  const nameLen = w.u8(o + 14);
  const nameEnd = Math.min(o + 15 + nameLen, end);
  const name = w.ascii(o + 15, nameEnd - (o + 15), 64);
  const s: End = 'src';
  const F = field === 'Identity' ? IDENTITY_FIELDS : LIST_IDENTITY_FIELDS;
  em.identity(ctx, p, { end: s, field: F.vendorId, attr: 'vendor-id', value: String(vendor) });
  const vname = cipVendorName(vendor);
  if (vname !== null) em.identity(ctx, p, { end: s, field: F.vendorId, attr: 'vendor', value: vname });
  em.identity(ctx, p, {
    end: s,
    field: F.deviceType,
    attr: 'device-type',
    value: cipDeviceTypeName(devType) ?? 'CIP device type ' + devType,
  });
  // The code beside its name, so rules can match the number rather than our wording of it.
  em.identity(ctx, p, {
    end: s,
    field: F.deviceType,
    attr: 'device-type-id',
    value: String(devType),
  });
  em.identity(ctx, p, {
    end: s,
    field: F.productCode,
    attr: 'product-code',
    value: String(product),
  });
  em.identity(ctx, p, { end: s, field: F.revision, attr: 'firmware', value: major + '.' + minor });
  em.identity(ctx, p, { end: s, field: F.serialNumber, attr: 'serial', value: hex(serial, 8) });
  em.identity(ctx, p, { end: s, field: F.productName, attr: 'product', value: name });
  // ListIdentity's reply ends with the device's state; a Get_Attributes_All of the object does not.
  if (field === 'ListIdentity' && o + 15 + nameLen < end) {
    em.identity(ctx, p, {
      end: s,
      field: 'ListIdentity.state',
      attr: 'state',
      value: identityState(w.u8(o + 15 + nameLen)),
    });
  }
}

/** identityBody's field names, written out: a template per fact made a string per reply. */
const IDENTITY_FIELDS = {
  vendorId: 'Identity.vendorId',
  deviceType: 'Identity.deviceType',
  productCode: 'Identity.productCode',
  revision: 'Identity.revision',
  serialNumber: 'Identity.serialNumber',
  productName: 'Identity.productName',
} as const;
const LIST_IDENTITY_FIELDS = {
  vendorId: 'ListIdentity.vendorId',
  deviceType: 'ListIdentity.deviceType',
  productCode: 'ListIdentity.productCode',
  revision: 'ListIdentity.revision',
  serialNumber: 'ListIdentity.serialNumber',
  productName: 'ListIdentity.productName',
} as const;

function identityState(v: number): string {
  switch (v) {
    case 0:
      return 'nonexistent';
    case 1:
      return 'device self testing';
    case 2:
      return 'standby';
    case 3:
      return 'operational';
    case 4:
      return 'major recoverable fault';
    case 5:
      return 'major unrecoverable fault';
    case 255:
      return 'default';
    default:
      return 'state ' + v;
  }
}

/** SendRRData / SendUnitData: CPF address + data items, then the CIP message. */
function cpfMessage(
  w: ByteWindow,
  off: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  f: EnipFlow,
  toServer: boolean,
  fromServer: boolean,
): void {
  // The sender context's key (msgKey), for unconnected data; connected data pairs by its sequence.
  const ctxKey = msgKey[0]!;
  const count = w.u16le(off);
  if (count > MAX_ITEMS) return;
  let o = off + 2;
  let connId = -1;
  for (let i = 0; i < count && o + 4 <= end; i++) {
    const type = w.u16le(o);
    const ilen = w.u16le(o + 2);
    const d = o + 4;
    const dEnd = Math.min(d + ilen, end);
    if (type === CPF.CONNECTED_ADDRESS && ilen === 4) connId = w.u32le(d);
    else if (type === CPF.UNCONNECTED_DATA) {
      msgKey[0] = ctxKey;
      cip(w, d, dEnd, p, ctx, f, toServer, fromServer);
    } else if (type === CPF.CONNECTED_DATA && dEnd - d >= 3) {
      // Connected data: a 16-bit sequence count pairs request and reply on the connection.
      if (connId >= 0) {
        if (!f.saidConnected && f.once.first('connected'))
          em.attribute(ctx, p, { end: 'src', field: 'SendUnitData', key: 'cip.connected', value: 'yes' });
        f.saidConnected = true;
      }
      msgKey[0] = seqKey(w.u16le(d));
      cip(w, d + 2, dEnd, p, ctx, f, toServer, fromServer);
    }
    o = d + ilen;
  }
}

/** One CIP message: a request (service bit 7 clear) or a reply, paired by msgKey. */
function cip(
  w: ByteWindow,
  o: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  f: EnipFlow,
  toServer: boolean,
  fromServer: boolean,
): void {
  if (o + 2 > end) return;
  const svc = w.u8(o);
  if ((svc & 0x80) === 0) {
    if (fromServer) return;
    if (!parseRequest(w, o, end, TOP)) return;
    let r = TOP;
    let rOff = o;
    let rEnd = end;
    if (TOP.service === SVC_UNCONNECTED_SEND && TOP.cls === CLASS_CONNECTION_MANAGER) {
      // The embedded request is what the reply answers.
      if (!unconnectedSendInner(w, o, end, INNER)) return;
      r = INNER;
      rOff = inner.off;
      rEnd = inner.end;
      requestFacts(r, w, rOff, rEnd, p, ctx, f, inner.routed);
    } else {
      requestFacts(r, w, o, end, p, ctx, f);
    }
    let reqs: CipRequest[];
    // Polling is reads (a Multiple_Service of reads too); writes and commands are control.
    let reads: boolean;
    if (r.service === SVC_MULTIPLE) {
      const n = multipleRequests(w, rOff, rEnd, p, ctx, f);
      reads = subs.reads;
      if (subs.identity) {
        // Sized once: pushing onto a one-element literal grew it to room for 17.
        reqs = new Array<CipRequest>(n + 1);
        reqs[0] = MULTI;
        for (let i = 0; i < n; i++) reqs[i + 1] = subs.kept[i]!;
      } else reqs = MULTI_OTHERS[n]!;
    } else {
      reads = isPollRead(r);
      // A one-element literal: pushing to an empty array would reserve room for 17.
      reqs = r.cls === CLASS_IDENTITY ? [kept(r)] : ONE_OTHER;
    }
    if (msgKey[0] !== NO_KEY) putPending(f, reqs);
    if (toServer && reads) poll(w, o, end, p, ctx, f);
    return;
  }
  if (toServer) return;
  const reqs = msgKey[0] === NO_KEY ? undefined : takePending(f);
  if (reqs === undefined) return;
  const top = reqs[0]!;
  if (top.service === SVC_MULTIPLE && (svc & 0x7f) === SVC_MULTIPLE) {
    const r = replyBody(w, o, end);
    if (r === null) return;
    const n = Math.min(w.u16le(r), MAX_MULTI, reqs.length - 1);
    for (let i = 0; i < n; i++) {
      const s = r + w.u16le(r + 2 + 2 * i);
      const e = i + 1 < n ? r + w.u16le(r + 4 + 2 * i) : end;
      if (s < e && e <= end) reply(w, s, e, reqs[i + 1]!, p, ctx);
    }
    return;
  }
  reply(w, o, end, top, p, ctx);
}

/** Service, then a path of `size` 16-bit words: class / instance / attribute logical segments. */
function parseRequest(w: ByteWindow, o: number, end: number, into: CipRequest): boolean {
  const service = w.u8(o) & 0x7f;
  const words = w.u8(o + 1);
  const pEnd = o + 2 + words * 2;
  if (pEnd > end) return false;
  let cls = -1;
  let instance = -1;
  let attribute = -1;
  let i = o + 2;
  for (let n = 0; n < 16 && i < pEnd; n++) {
    const seg = w.u8(i);
    switch (seg) {
      case 0x20:
        cls = w.u8(i + 1);
        i += 2;
        break;
      case 0x21:
        cls = w.u16le(i + 2);
        i += 4;
        break;
      case 0x24:
        instance = w.u8(i + 1);
        i += 2;
        break;
      case 0x25:
        instance = w.u16le(i + 2);
        i += 4;
        break;
      case 0x30:
        attribute = w.u8(i + 1);
        i += 2;
        break;
      case 0x31:
        attribute = w.u16le(i + 2);
        i += 4;
        break;
      default:
        // Symbolic, member or port segments: the class/instance seen so far is what we keep.
        i = pEnd;
    }
  }
  into.service = service;
  into.cls = cls;
  into.instance = instance;
  into.attribute = attribute;
  return true;
}

/**
 * Unconnected_Send: priority/ticks, timeout, embedded message size, embedded message (padded to a
 * word), then the route path's size in words, a reserved byte and the route path. `routed`: the route
 * leaves the receiver (or cannot be read), so the embedded request's target is another device.
 */
/** Where the last unconnectedSendInner found its embedded request (module-level: no object per message). */
const inner = { off: 0, end: 0, routed: false };

function unconnectedSendInner(w: ByteWindow, o: number, end: number, into: CipRequest): boolean {
  const d = o + 2 + w.u8(o + 1) * 2;
  const size = w.u16le(d + 2);
  const s = d + 4;
  const e = Math.min(s + size, end);
  if (e <= s) return false;
  if (!parseRequest(w, s, e, into)) return false;
  const r = s + size + (size & 1);
  const rEnd = r + 2 + w.u8(r) * 2;
  inner.off = s;
  inner.end = e;
  inner.routed = rEnd > end || routesOn(w, r + 2, rEnd);
  return true;
}

/**
 * The services of the last multipleRequests: each kept for its reply, whether one is an Identity
 * request (then the message's pending list is its own), whether all are reads.
 */
const subs = { kept: new Array<CipRequest>(MAX_MULTI).fill(OTHER), identity: false, reads: true };

/** A Multiple_Service's services: their facts stated and each kept in `subs`; returns how many. */
function multipleRequests(
  w: ByteWindow,
  o: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  f: EnipFlow,
): number {
  subs.identity = false;
  subs.reads = true;
  const d = o + 2 + w.u8(o + 1) * 2;
  const n = Math.min(w.u16le(d), MAX_MULTI);
  let i = 0;
  for (; i < n; i++) {
    const s = d + w.u16le(d + 2 + 2 * i);
    const e = i + 1 < n ? d + w.u16le(d + 4 + 2 * i) : end;
    if (s >= e || e > end || !parseRequest(w, s, e, SUB)) break;
    subs.kept[i] = kept(SUB);
    subs.identity ||= SUB.cls === CLASS_IDENTITY;
    subs.reads &&= isPollRead(SUB);
    requestFacts(SUB, w, s, e, p, ctx, f);
  }
  return i;
}

/**
 * Roles and events a request states about its sender (the actor) and its target; `routed` when an
 * Unconnected_Send carried it on past the receiver.
 */
function requestFacts(
  r: CipRequest,
  w: ByteWindow,
  o: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  f: EnipFlow,
  routed = false,
): void {
  const s = r.service;
  // Which objects a client uses on a target says what the target is (0x8e/0x6b: a Logix controller).
  if (r.cls >= 0 && f.objects.first(s * 0x10000 + r.cls)) {
    em.attribute(ctx, p, {
      end: 'dst',
      field: 'cip.request',
      key: 'cip.object-accessed',
      value: 'service ' + hex(s, 2) + ' on ' + cipPath(r),
    });
  }
  if (r.cls === CLASS_CONNECTION_MANAGER && (s === SVC_FORWARD_OPEN || s === SVC_LARGE_FORWARD_OPEN)) {
    if (f.once.first('fwdopen')) {
      em.role(ctx, p, { end: 'src', field: 'Forward_Open', role: 'cip-scanner' });
      em.role(ctx, p, { end: 'dst', field: 'Forward_Open', role: 'cip-adapter' });
      em.event(ctx, p, {
        end: 'src',
        field: 'Forward_Open',
        event: 'cip-connection-open',
        facts: {
          connection: connectionDetail(w, o, end, s),
        },
      });
    }
    const t = connectionTarget(w, o + 2 + w.u8(o + 1) * 2, end, s === SVC_LARGE_FORWARD_OPEN);
    if (t !== null && !routed) targetFacts(t, p, ctx, f);
    return;
  }
  if (r.cls === CLASS_CONNECTION_MANAGER && s === SVC_FORWARD_CLOSE) return;
  if (s === SVC_RESET) {
    em.event(ctx, p, {
      end: 'src',
      field: 'Reset',
      event: 'device-reset',
      facts: {
        type: w.u8(o + 2 + w.u8(o + 1) * 2),
        path: cipPath(r),
      },
    });
    return;
  }
  if (s === SVC_STOP || s === SVC_START) {
    em.event(ctx, p, {
      end: 'src',
      field: s === SVC_STOP ? 'Stop' : 'Start',
      event: s === SVC_STOP ? 'controller-stop' : 'controller-start',
      facts: { path: cipPath(r) },
    });
    return;
  }
  if (r.cls === CLASS_FIRMWARE && s >= 0x4b) {
    if (!f.saidFirmware && f.once.first('firmware')) {
      em.event(ctx, p, {
        end: 'src',
        field: 'FirmwareUpdate',
        event: 'firmware-update',
        facts: {
          service: '0x' + s.toString(16),
          path: cipPath(r),
        },
      });
    }
    f.saidFirmware = true;
    return;
  }
  if (s === SVC_SET_ATTRIBUTE_SINGLE || s === SVC_SET_ATTRIBUTES_ALL) {
    const what =
      r.cls === CLASS_TCPIP
        ? 'ip-settings-change'
        : r.cls === CLASS_ETHERNET_LINK
          ? 'link-settings-change'
          : r.cls === CLASS_IDENTITY
            ? 'identity-change'
            : null;
    if (what !== null) {
      em.event(ctx, p, { end: 'src', field: 'SetAttribute', event: what, facts: { path: cipPath(r) } });
    } else {
      f.writes++;
      if (f.writes === 1 || f.writes === 100 || f.writes === 10000) {
        em.event(ctx, p, {
          end: 'src',
          field: 'SetAttribute',
          event: 'cip-write',
          facts: { count: f.writes, path: cipPath(r) },
        });
      }
    }
  }
}

/**
 * What a Forward_Open's path says about its target, stated about the target (dst) once per path per
 * flow: the electronic key's non-zero fields and what the connection points address. The key is the
 * scanner's configuration of the target (hearsay, weaker than the target's own Identity reply), so
 * its facts are attributes under `cip.ekey.*`, never identity facts. A path with neither key nor
 * connection points (class-3 connections to the message router) states nothing, and so does one
 * routed on to another network (its target is not the receiver).
 */
function targetFacts(t: ConnectionTarget, p: Packet, ctx: AppContext, f: EnipFlow): void {
  const k = t.key;
  const keyed = k !== null && (k.vendor | k.deviceType | k.productCode | k.major | k.minor) !== 0;
  // A path routed past the receiver describes another device, one we cannot name by address here.
  if (t.routed || (!keyed && t.points === null)) return;
  if (f.targets.length >= MAX_TARGETS || f.targets.includes(t.signature)) return;
  f.targets.push(t.signature);
  const cls = 'class ' + t.transportClass;
  em.attribute(ctx, p, {
    end: 'dst',
    field: 'Forward_Open.connectionPath',
    key: 'cip.connection-target',
    value: t.points === null ? cls : cls + ' to ' + t.points,
  });
  if (!keyed) return;
  if (k.vendor !== 0) {
    const field = 'Forward_Open.ekey.vendorId';
    em.attribute(ctx, p, { end: 'dst', field, key: 'cip.ekey.vendor-id', value: String(k.vendor) });
    const name = cipVendorName(k.vendor);
    if (name !== null) em.attribute(ctx, p, { end: 'dst', field, key: 'cip.ekey.vendor', value: name });
  }
  if (k.deviceType !== 0) {
    const field = 'Forward_Open.ekey.deviceType';
    em.attribute(ctx, p, { end: 'dst', field, key: 'cip.ekey.device-type-id', value: String(k.deviceType) });
    em.attribute(ctx, p, {
      end: 'dst',
      field,
      key: 'cip.ekey.device-type',
      value: cipDeviceTypeName(k.deviceType) ?? 'CIP device type ' + k.deviceType,
    });
  }
  if (k.productCode !== 0)
    em.attribute(ctx, p, {
      end: 'dst',
      field: 'Forward_Open.ekey.productCode',
      key: 'cip.ekey.product-code',
      value: String(k.productCode),
    });
  if ((k.major | k.minor) !== 0)
    em.attribute(ctx, p, {
      end: 'dst',
      field: 'Forward_Open.ekey.revision',
      key: 'cip.ekey.revision',
      value: k.major + '.' + k.minor + (k.compatible ? ' or compatible' : ''),
    });
}

function connectionDetail(w: ByteWindow, o: number, end: number, svc: number): string {
  const d = o + 2 + w.u8(o + 1) * 2;
  // Priority/tick, timeout, O->T id, T->O id, serial, vendor, originator serial, multiplier, 3 reserved,
  // then the O->T RPI (us), O->T parameters (2, or 4 when large), T->O RPI.
  if (d + 36 > end) return '';
  const otRpi = w.u32le(d + 22);
  const toRpi = w.u32le(d + 22 + 4 + (svc === SVC_LARGE_FORWARD_OPEN ? 4 : 2));
  return 'O->T RPI ' + otRpi / 1000 + ' ms, T->O RPI ' + toRpi / 1000 + ' ms';
}

function cipPath(r: CipRequest): string {
  let s = 'class 0x' + (r.cls < 0 ? '?' : r.cls.toString(16));
  if (r.instance >= 0) s += ' instance ' + r.instance;
  if (r.attribute >= 0) s += ' attribute ' + r.attribute;
  return s;
}

/** Offset of a reply's data, or null when the reply failed (general status != 0) or is short. */
function replyBody(w: ByteWindow, o: number, end: number): number | null {
  if (o + 4 > end) return null;
  if (w.u8(o + 2) !== 0) return null;
  const d = o + 4 + w.u8(o + 3) * 2;
  return d <= end ? d : null;
}

function reply(w: ByteWindow, o: number, end: number, req: CipRequest, p: Packet, ctx: AppContext): void {
  if ((w.u8(o) & 0x7f) !== req.service) return;
  const d = replyBody(w, o, end);
  if (d === null) return;
  if (req.cls !== CLASS_IDENTITY) return;
  if (req.service === SVC_GET_ATTRIBUTES_ALL && (req.instance === 1 || req.instance < 0)) {
    identityBody(w, d, end, p, ctx, 'Identity');
  } else if (req.service === SVC_GET_ATTRIBUTE_SINGLE && req.instance === 1) {
    identityAttribute(w, d, end, req.attribute, p, ctx);
  } else if (req.service === SVC_GET_ATTRIBUTE_LIST && req.instance === 1) {
    // Count, then per attribute: id, status, value (present when the status is 0).
    const n = Math.min(w.u16le(d), 16);
    let o = d + 2;
    for (let i = 0; i < n && o + 4 <= end; i++) {
      const id = w.u16le(o);
      const status = w.u16le(o + 2);
      o += 4;
      if (status !== 0) continue;
      const size = IDENTITY_ATTR_SIZE[id] ?? (id === 7 ? 1 + w.u8(o) : -1);
      if (size < 0 || o + size > end) return;
      identityAttribute(w, o, o + size, id, p, ctx);
      o += size;
    }
  }
}

/** Fixed sizes of Identity attributes 1-6 (7, the product name, is a short string). */
const IDENTITY_ATTR_SIZE: Record<number, number> = { 1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 4 };

function identityAttribute(
  w: ByteWindow,
  d: number,
  end: number,
  attribute: number,
  p: Packet,
  ctx: AppContext,
): void {
  const s: End = 'src';
  switch (attribute) {
    case 1: {
      const v = w.u16le(d);
      em.identity(ctx, p, { end: s, field: 'Identity.vendorId', attr: 'vendor-id', value: String(v) });
      const n = cipVendorName(v);
      if (n !== null) em.identity(ctx, p, { end: s, field: 'Identity.vendorId', attr: 'vendor', value: n });
      break;
    }
    case 2:
      if (d + 2 <= end) {
        const t = w.u16le(d);
        em.identity(ctx, p, {
          end: s,
          field: 'Identity.deviceType',
          attr: 'device-type',
          value: cipDeviceTypeName(t) ?? 'CIP device type ' + t,
        });
      }
      break;
    case 3:
      if (d + 2 <= end)
        em.identity(ctx, p, {
          end: s,
          field: 'Identity.productCode',
          attr: 'product-code',
          value: String(w.u16le(d)),
        });
      break;
    case 4:
      if (d + 2 <= end)
        em.identity(ctx, p, {
          end: s,
          field: 'Identity.revision',
          attr: 'firmware',
          value: w.u8(d) + '.' + w.u8(d + 1),
        });
      break;
    case 6:
      if (d + 4 <= end)
        em.identity(ctx, p, {
          end: s,
          field: 'Identity.serialNumber',
          attr: 'serial',
          value: hex(w.u32le(d), 8),
        });
      break;
    case 7:
      em.identity(ctx, p, {
        end: s,
        field: 'Identity.productName',
        attr: 'product',
        value: w.ascii(d + 1, Math.min(w.u8(d), end - d - 1), 64),
      });
      break;
    default:
  }
}

/**
 * CIP services that read: what an HMI or SCADA server polls (Get_Attributes_All, Get_Attribute_List,
 * Get_Attribute_Single, and Logix Read Tag and Read Tag Fragmented).
 */
const POLL_READS = new Set([
  SVC_GET_ATTRIBUTES_ALL,
  SVC_GET_ATTRIBUTE_LIST,
  SVC_GET_ATTRIBUTE_SINGLE,
  SVC_READ_TAG,
  SVC_READ_TAG_FRAGMENTED,
]);

/** Module-level, so testing a message's requests makes no closure per message. */
function isPollRead(r: CipRequest): boolean {
  return r.service === SVC_MULTIPLE || POLL_READS.has(r.service);
}

/**
 * An explicit read request, timed for the polling period: its signature is the CIP message (service,
 * path, data) at `o`, without the encapsulation's session and sender context or a connected
 * message's sequence count. Timed per client and device, across sessions and connections.
 */
function poll(w: ByteWindow, o: number, end: number, p: Packet, ctx: AppContext, f: EnipFlow): void {
  const ms = flowMeter(ctx, p, f, 'enip', 'src').request(signature(w, o, Math.min(end - o, 48)), p.ts);
  if (ms > 0) statePeriod(em, ctx, p, ms, 'dst');
}

/** A meter for a producer's own cyclic I/O: producing is the device's answer. */
function answering(): PollMeter {
  const m = new PollMeter();
  m.answer();
  return m;
}

/** UDP 2222: class-0/1 I/O, a CPF list with a sequenced-address item and a connected-data item. */
function dissectIo(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const count = w.u16le(0);
  if (count < 2 || count > 4 || w.length < 2 + 12 + 4) return false;
  if (w.u16le(2) !== CPF.SEQUENCED_ADDRESS || w.u16le(4) !== 8) return false;
  const dataType = w.u16le(14);
  if (dataType !== CPF.CONNECTED_DATA && dataType !== CPF.UNCONNECTED_DATA) return false;
  if (18 + w.u16le(16) > w.length) return false;
  const f = ctx.flowState(p, 'enip', newFlow);
  const conn = w.u32le(6);
  // Each producer's connection repeats at its requested packet interval: the producer's I/O cycle.
  const io = (f.io ??= [answering(), answering()]);
  const up =
    p.ipVersion === 4
      ? p.src4 < p.dst4 || (p.src4 === p.dst4 && p.srcPort < p.dstPort)
      : p.src6 < p.dst6 || (p.src6 === p.dst6 && p.srcPort < p.dstPort);
  const ms = io[up ? 0 : 1].request(conn, p.ts);
  if (ms > 0) em.attribute(ctx, p, { end: 'src', field: POLL_FIELD, key: 'io-cycle', value: periodText(ms) });
  // Cyclic I/O repeats its producer and connection many times a second: offered once per change.
  if (p.srcPort !== f.ioPort || conn !== f.ioConn) {
    if (f.once.first('io:' + p.srcPort + ':' + conn)) {
      em.role(ctx, p, { end: 'src', field: 'io', role: 'cip-io-producer' });
      em.attribute(ctx, p, {
        end: 'src',
        field: 'io.connectionId',
        key: 'cip.io.connection',
        value: hex(conn, 8),
      });
    }
    f.ioPort = p.srcPort;
    f.ioConn = conn;
  }
  return true;
}
