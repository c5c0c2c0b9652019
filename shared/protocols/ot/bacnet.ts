import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { DeviceRef, IdentityAttribute } from '../../model/observation';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter, type About, type FieldOf, type KeyOf } from '../common/emit';
import { POLL_FIELD, POLL_KEYS, pairMeter, signature, statePeriod } from '../common/polling';
import { OnceSet } from '../common/once';
import { nameOf, values } from '../common/values';
import { bacnetVendorName } from './registries';

/**
 * BACnet/IP (ASHRAE 135 Annex J + clauses 6, 20, 21): BVLC, NPDU, APDU. I-Am (instance, vendor,
 * max APDU, segmentation), Who-Is, and ReadProperty / ReadPropertyMultiple acknowledgements that
 * carry the device object's identity properties; writes, reinitialize and communication control as
 * events.
 */

/** Events of confirmed services; their severity and wording are in shared/alerts/policy.ts. */
export const EVENTS = ['bacnet-write', 'device-restart', 'communication-control', 'file-write'] as const;

const em = new Emitter<typeof VOCABULARY>('bacnet');
const PORT = 47808;
const OBJECT_DEVICE = 8;
const REPORT_AT = new Set([1, 10, 100, 1000, 10000]);

/** Device-object properties worth keeping, and what they say. */
const PROPERTIES: Record<number, Property> = {
  121: property('vendor-name', 'vendor'),
  70: property('model-name', 'model'),
  44: property('firmware-revision', 'firmware'),
  12: property('application-software-version', 'software'),
  77: property('object-name', 'station-name'),
  58: property('location', 'location'),
  28: property('description', 'description'),
  120: property('vendor-identifier', 'vendor-id'),
};

/** A device property: what it says, and its field in each acknowledgement (made once, not per value). */
interface Property {
  attr: Attr;
  rp: Field;
  rpm: Field;
}

function property(name: string, attr: Attr): Property {
  return { attr, rp: `ReadProperty-ACK.${name}`, rpm: `ReadPropertyMultiple-ACK.${name}` };
}

/** I-Am's segmentation-supported enumeration (clause 21, BACnetSegmentation). */
const SEGMENTATION = values({ 0: 'both', 1: 'transmit', 2: 'receive', 3: 'none' });

/** Confirmed services a supervisor polls with (clause 15: ReadProperty, ReadPropertyMultiple, ReadRange). */
const SVC_READ_PROPERTY = 12;
const SVC_READ_PROPERTY_MULTIPLE = 14;
const SVC_READ_RANGE = 26;

interface BacnetFlow {
  once: OnceSet;
  writes: number;
  /** The client and server roles were offered to `once` (so stated, or never to be: it is full). */
  saidClient: boolean;
}
const newFlow = (): BacnetFlow => ({ once: new OnceSet(64), writes: 0, saidClient: false });

/** One decoded tag header. */
class Tag {
  num = 0;
  context = false;
  /** Content length (or, for application booleans, the value); -1 for opening, -2 for closing tags. */
  len = 0;
  /** Header size in bytes. */
  hdr = 0;
}

/**
 * The tag readTag decoded last: one record, overwritten by the next call (a reader takes what it
 * needs before reading on), so walking a message allocates nothing.
 */
const tag = new Tag();

/** The tag header at `o` into `tag`, or null when it does not fit before `end`. */
function readTag(w: ByteWindow, o: number, end: number): Tag | null {
  if (o >= end) return null;
  const b = w.u8(o);
  let i = o + 1;
  let num = b >> 4;
  if (num === 15) num = w.u8(i++);
  const lvt = b & 7;
  const context = (b & 8) !== 0;
  let len = lvt;
  if (context && lvt === 6) len = -1;
  else if (context && lvt === 7) len = -2;
  else if (lvt === 5) {
    len = w.u8(i++);
    if (len === 254) {
      len = w.u16(i);
      i += 2;
    } else if (len === 255) {
      len = w.u32(i);
      i += 4;
    }
  }
  if (i > end || (len > 0 && i + len > end)) return null;
  tag.num = num;
  tag.context = context;
  tag.len = len;
  tag.hdr = i - o;
  return tag;
}

function unsigned(w: ByteWindow, o: number, len: number): number {
  let v = 0;
  for (let i = 0; i < len && i < 4; i++) v = v * 256 + w.u8(o + i);
  return v;
}

/** A CharacterString's content: a charset byte, then the text (UTF-8, UCS-2 BE or Latin-1). */
function charString(w: ByteWindow, o: number, len: number): string {
  if (len < 1) return '';
  const cs = w.u8(o);
  const n = Math.min(len - 1, 512);
  if (cs === 4) {
    let s = '';
    for (let i = 0; i + 1 < n; i += 2) s += String.fromCharCode(w.u16(o + 1 + i));
    return s;
  }
  if (cs === 5) return w.ascii(o + 1, n, 512);
  return w.utf8(o + 1, n, 512);
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  // Properties read back, and any field of a frame routed for another network's device.
  fields: [
    'ReadProperty-ACK.*',
    'ReadPropertyMultiple-ACK.*',
    '*(routed)',
    'AtomicWriteFile',
    'DeviceCommunicationControl',
    'I-Am',
    'I-Am.deviceInstance',
    'I-Am.maxApdu',
    'I-Am.segmentation',
    'I-Am.vendorId',
    'ReadProperty-ACK.application-software-version',
    'ReadProperty-ACK.firmware-revision',
    'ReadProperty-ACK.location',
    'ReadProperty-ACK.model-name',
    'ReadProperty-ACK.object-name',
    'ReadProperty-ACK.vendor-identifier',
    'ReadProperty-ACK.vendor-name',
    'ReinitializeDevice',
    'Who-Is',
    'WriteProperty',
    'confirmed-request',
    POLL_FIELD,
  ],
  keys: {
    attribute: ['bacnet.max-apdu', 'bacnet.segmentation', ...POLL_KEYS],
    event: ['bacnet-write', 'communication-control', 'device-restart', 'file-write'],
    identity: [
      'description',
      'firmware',
      'instance',
      'location',
      'model',
      'software',
      'station-name',
      'vendor',
      'vendor-id',
    ],
    role: ['bacnet-client', 'bacnet-device', 'bacnet-server', 'bacnet-who-is-sender'],
  },
} as const satisfies Vocabulary;

export const bacnet: AppProtocol = {
  name: 'bacnet',
  group: 'ot',
  emits: { bacnet: VOCABULARY },
  // Writes and device-control requests are counted per packet, repeats included.
  everyPacket: true,
  udpPorts: [PORT],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (w.u8(0) !== 0x81 || w.u16(2) !== w.length || w.length < 4) return false;
    const fn = w.u8(1);
    let npdu: number;
    let origin: DeviceRef | null = null;
    if (fn === 0x0a || fn === 0x0b || fn === 0x09) npdu = 4;
    else if (fn === 0x04) {
      // Forwarded-NPDU: the original sender's B/IP address (IPv4 + port) precedes the NPDU.
      npdu = 10;
      origin = { mac: null, ip: w.u8(4) + '.' + w.u8(5) + '.' + w.u8(6) + '.' + w.u8(7) };
    } else if (fn <= 0x0c)
      return true; // BVLC management (BDT, FDT, register foreign device): nothing to keep.
    else return false;
    if (w.u8(npdu) !== 0x01) return false;
    const ctl = w.u8(npdu + 1);
    let o = npdu + 2;
    let routed = false;
    if (ctl & 0x20) o += 3 + w.u8(o + 2);
    if (ctl & 0x08) {
      routed = true;
      o += 3 + w.u8(o + 2);
    }
    if (ctl & 0x20) o += 1; // hop count
    if (o > w.length) return false;
    if (ctl & 0x80) return true; // network layer message
    const f = ctx.flowState(p, 'bacnet', newFlow);
    apdu(w, o, p, ctx, f, origin, routed);
    return true;
  },
};

function apdu(
  w: ByteWindow,
  o: number,
  p: Packet,
  ctx: AppContext,
  f: BacnetFlow,
  origin: DeviceRef | null,
  routed: boolean,
): void {
  const end = w.length;
  const type = w.u8(o) >> 4;
  if (type === 1) {
    const svc = w.u8(o + 1);
    if (svc === 0) iAm(w, o + 2, end, { p, ctx, origin, routed }, f);
    else if (svc === 8 && f.once.first('whois'))
      em.role(ctx, p, {
        role: 'bacnet-who-is-sender',
        peer: null,
        ...about({ p, ctx, origin, routed }, 'Who-Is'),
      });
    return;
  }
  if (type === 0) {
    const seg = (w.u8(o) & 0x08) !== 0;
    const svc = w.u8(o + (seg ? 5 : 3));
    if (
      !routed &&
      (svc === SVC_READ_PROPERTY || svc === SVC_READ_PROPERTY_MULTIPLE || svc === SVC_READ_RANGE)
    ) {
      // Polling is reads: a read's signature is its service and arguments (object, property), not the invoke id.
      // The pair is looked up per packet (not flowMeter): both ends use 47808, and one flow may carry polls both ways.
      const ms = pairMeter(ctx, p, 'bacnet', 'src').request(signature(w, o + (seg ? 5 : 3), 24), p.ts);
      if (ms > 0) statePeriod(em, ctx, p, ms, 'dst');
    }
    if (svc === 15 || svc === 16) {
      f.writes++;
      if (REPORT_AT.has(f.writes)) {
        em.event(ctx, p, {
          end: 'src',
          field: 'WriteProperty',
          event: 'bacnet-write',
          facts: { count: f.writes },
        });
      }
    } else if (svc === 20)
      em.event(ctx, p, { end: 'src', field: 'ReinitializeDevice', event: 'device-restart' });
    else if (svc === 17) {
      em.event(ctx, p, { end: 'src', field: 'DeviceCommunicationControl', event: 'communication-control' });
    } else if (svc === 7 && f.once.first('awf')) {
      em.event(ctx, p, { end: 'src', field: 'AtomicWriteFile', event: 'file-write' });
    }
    if (!f.saidClient && f.once.first('client')) {
      em.role(ctx, p, { end: 'src', field: 'confirmed-request', role: 'bacnet-client' });
      em.role(ctx, p, { end: 'dst', field: 'confirmed-request', role: 'bacnet-server' });
    }
    f.saidClient = true;
    return;
  }
  // A simple or complex ACK, an error or a reject: only a server sends them, to its client.
  if ((type === 2 || type === 3 || type === 5 || type === 6) && !routed)
    pairMeter(ctx, p, 'bacnet', 'dst').answer();
  if (type === 3) {
    const b = w.u8(o);
    const seg = (b & 0x08) !== 0;
    if (seg && w.u8(o + 2) !== 0) return; // later segments have no service header
    const h = o + (seg ? 4 : 2);
    const svc = w.u8(h);
    // Its Source is made only for a property worth stating: most acknowledgements state nothing.
    if (svc === 12) readPropertyAck(w, h + 1, end, p, ctx, origin, routed);
    else if (svc === 14) readPropertyMultipleAck(w, h + 1, end, p, ctx, origin, routed);
  }
}

/**
 * Who a BACnet fact is about: the IP sender, or the original sender of a forwarded NPDU. A message
 * routed from another BACnet network (SNET present) is still attributed to its IP sender, and its
 * identity fields say so.
 */
type Field = FieldOf<typeof VOCABULARY>;
type Attr = KeyOf<typeof VOCABULARY, 'identity'> & IdentityAttribute;

interface Source {
  p: Packet;
  ctx: AppContext;
  origin: DeviceRef | null;
  routed: boolean;
}

function about<F extends Field>(s: Source, field: F): About<F> {
  return s.origin === null ? { end: 'src', field } : { device: s.origin, field };
}

function identity(s: Source, field: Field, attr: Attr, value: string): void {
  em.identity(s.ctx, s.p, { attr, value, ...about(s, s.routed ? (`${field}(routed)` as const) : field) });
}

/** I-Am: device object id, max APDU length accepted, segmentation supported, vendor id. */
function iAm(w: ByteWindow, o: number, end: number, S: Source, f: BacnetFlow): void {
  let t: Tag | null;
  if ((t = readTag(w, o, end)) === null || t.context || t.num !== 12 || t.len !== 4) return;
  const oid = w.u32(o + t.hdr);
  if (oid >>> 22 !== OBJECT_DEVICE) return;
  const instance = oid & 0x3fffff;
  o += t.hdr + 4;
  if ((t = readTag(w, o, end)) === null || t.num !== 2) return;
  const maxApdu = unsigned(w, o + t.hdr, t.len);
  o += t.hdr + t.len;
  if ((t = readTag(w, o, end)) === null || t.num !== 9) return;
  const segmentation = unsigned(w, o + t.hdr, t.len);
  o += t.hdr + t.len;
  if ((t = readTag(w, o, end)) === null || t.num !== 2) return;
  const vendor = unsigned(w, o + t.hdr, t.len);
  if (f.once.first('iam:' + instance + ':' + vendor)) {
    const { p, ctx } = S;
    em.role(ctx, p, { role: 'bacnet-device', peer: null, ...about(S, 'I-Am') });
    identity(S, 'I-Am.deviceInstance', 'instance', String(instance));
    identity(S, 'I-Am.vendorId', 'vendor-id', String(vendor));
    const name = bacnetVendorName(vendor);
    if (name !== null) identity(S, 'I-Am.vendorId', 'vendor', name);
    em.attribute(ctx, p, { key: 'bacnet.max-apdu', value: String(maxApdu), ...about(S, 'I-Am.maxApdu') });
    em.attribute(ctx, p, {
      key: 'bacnet.segmentation',
      value: nameOf(SEGMENTATION, segmentation),
      ...about(S, 'I-Am.segmentation'),
    });
  }
}

/** ReadProperty-ACK: [0] object id, [1] property, optional [2] index, [3] { value }. */
function readPropertyAck(
  w: ByteWindow,
  o: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  origin: DeviceRef | null,
  routed: boolean,
): void {
  let t: Tag | null;
  if ((t = readTag(w, o, end)) === null || !t.context || t.num !== 0 || t.len !== 4) return;
  const oid = w.u32(o + t.hdr);
  o += t.hdr + 4;
  if ((t = readTag(w, o, end)) === null || !t.context || t.num !== 1 || t.len < 1) return;
  const prop = unsigned(w, o + t.hdr, t.len);
  o += t.hdr + t.len;
  if ((t = readTag(w, o, end)) === null) return;
  if (t.context && t.num === 2 && t.len >= 0) {
    o += t.hdr + t.len;
    if ((t = readTag(w, o, end)) === null) return;
  }
  if (!t.context || t.num !== 3 || t.len !== -1) return;
  propertyValue(w, o + t.hdr, end, oid, prop, 'ReadProperty-ACK', p, ctx, origin, routed);
}

/** ReadPropertyMultiple-ACK: per object, [0] id and [1] { [2] property, [3] index?, [4] {value} | [5] {error} }. */
function readPropertyMultipleAck(
  w: ByteWindow,
  o: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  origin: DeviceRef | null,
  routed: boolean,
): void {
  let t: Tag | null;
  let oid = -1;
  let prop = -1;
  for (let n = 0; n < 256 && o < end; n++) {
    if ((t = readTag(w, o, end)) === null) return;
    if (t.context && t.num === 0 && t.len === 4) {
      oid = w.u32(o + t.hdr);
      o += t.hdr + 4;
    } else if (t.context && t.num === 2 && t.len > 0) {
      prop = unsigned(w, o + t.hdr, t.len);
      o += t.hdr + t.len;
    } else if (t.context && t.num === 4 && t.len === -1) {
      // propertyValue reads tags of its own: the header's size is taken first.
      const v = o + t.hdr;
      propertyValue(w, v, end, oid, prop, 'ReadPropertyMultiple-ACK', p, ctx, origin, routed);
      o = skipConstructed(w, v, end, 4);
      if (o < 0) return;
    } else if (t.context && t.num === 5 && t.len === -1) {
      o = skipConstructed(w, o + t.hdr, end, 5);
      if (o < 0) return;
    } else if (t.len === -1 || t.len === -2) o += t.hdr;
    else o += t.hdr + t.len;
  }
}

/** Skip to just past the closing tag `num` at the same depth; -1 when it never closes. */
function skipConstructed(w: ByteWindow, o: number, end: number, num: number): number {
  let t: Tag | null;
  let depth = 1;
  for (let n = 0; n < 1024 && o < end; n++) {
    if ((t = readTag(w, o, end)) === null) return -1;
    if (t.len === -1) depth++;
    else if (t.len === -2) {
      depth--;
      if (depth === 0) return t.num === num ? o + t.hdr : -1;
    }
    o += t.hdr + (t.len > 0 && !(t.num === 1 && !t.context) ? t.len : 0);
  }
  return -1;
}

function propertyValue(
  w: ByteWindow,
  o: number,
  end: number,
  oid: number,
  prop: number,
  field: 'ReadProperty-ACK' | 'ReadPropertyMultiple-ACK',
  p: Packet,
  ctx: AppContext,
  origin: DeviceRef | null,
  routed: boolean,
): void {
  if (oid < 0 || oid >>> 22 !== OBJECT_DEVICE) return;
  const what = PROPERTIES[prop];
  if (what === undefined) return;
  let t: Tag | null;
  if ((t = readTag(w, o, end)) === null || t.context || t.len < 0) return;
  let value: string;
  if (t.num === 7) value = charString(w, o + t.hdr, t.len);
  else if (t.num === 2) value = String(unsigned(w, o + t.hdr, t.len));
  else return;
  const S: Source = { p, ctx, origin, routed };
  const name = field === 'ReadProperty-ACK' ? what.rp : what.rpm;
  identity(S, name, what.attr, value);
  if (prop === 120) {
    const v = bacnetVendorName(Number(value));
    if (v !== null) identity(S, name, 'vendor', v);
  }
}
