import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { readTlv } from './ber';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';
import { COTP_DT, parseTpkt, type Tpkt } from './tpkt';

/**
 * ISO 9506 MMS (IEC 61850-8-1 client/server) over TPKT/COTP/ISO session/presentation on tcp/102.
 * Port 102 belongs to S7comm's entry; S7comm returns false for anything without its protocol id, and
 * this heuristic then takes ISO-session traffic. Extracted: client/server roles and the Identify
 * response (vendor, model, revision) of the server.
 */

const em = new Emitter<typeof VOCABULARY>('mms');
const PORT = 102;

const MMS_CONFIRMED_REQUEST = 0xa0;
const MMS_CONFIRMED_RESPONSE = 0xa1;
const MMS_INITIATE_REQUEST = 0xa8;
const MMS_INITIATE_RESPONSE = 0xa9;
/** Confirmed service [2] identify: in the response, a SEQUENCE of vendor [0], model [1], revision [2]. */
const IDENTIFY = 0xa2;

interface MmsFlow {
  once: OnceSet;
}
const newFlow = (): MmsFlow => ({ once: new OnceSet(32) });

/**
 * Where the MMS PDU starts in a COTP DT payload, or -1: session Give-Tokens + Data-Transfer SPDUs
 * (01 00 01 00), then presentation fully-encoded user data (61 / 30 / 02 01 id / a0 MMS).
 */
function mmsOffset(w: ByteWindow, d: number, end: number): number {
  if (w.u8(d) !== 0x01 || w.u8(d + 1) !== 0x00 || w.u8(d + 2) !== 0x01 || w.u8(d + 3) !== 0x00) return -1;
  const ud = readTlv(w, d + 4, end);
  if (ud === null || ud.tag !== 0x61) return -1;
  const pdv = readTlv(w, ud.at, ud.at + ud.len);
  if (pdv === null || pdv.tag !== 0x30) return -1;
  let o = pdv.at;
  const pEnd = pdv.at + pdv.len;
  for (let n = 0; n < 4 && o < pEnd; n++) {
    const t = readTlv(w, o, pEnd);
    if (t === null) return -1;
    if (t.tag === 0xa0) return t.at;
    o = t.at + t.len;
  }
  return -1;
}

function session(w: ByteWindow, t: Tpkt): boolean {
  if (t.cotpType !== COTP_DT) return false;
  const s = w.u8(t.data);
  // Give-Tokens/Data-Transfer, Connect (CN 0x0d) or Accept (AC 0x0e) SPDUs.
  return (s === 0x01 && w.u8(t.data + 1) === 0x00) || s === 0x0d || s === 0x0e;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['Identify.modelName', 'Identify.revision', 'Identify.vendorName', 'pdu', 'session'],
  keys: {
    attribute: ['mms.client', 'mms.server'],
    identity: ['firmware', 'model', 'vendor'],
    role: ['mms-client', 'mms-server'],
    service: ['mms'],
  },
} as const satisfies Vocabulary;

export const mms: AppProtocol = {
  name: 'mms',
  group: 'ot',
  emits: { mms: VOCABULARY },

  heuristic(w: ByteWindow, p: Packet): boolean {
    if (p.ipProto !== 6 || (p.srcPort !== PORT && p.dstPort !== PORT)) return false;
    const t: Tpkt = { length: 0, cotpType: 0, data: 0 };
    return parseTpkt(w, 0, t) !== null && session(w, t);
  },

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    const t: Tpkt = { length: 0, cotpType: 0, data: 0 };
    if (p.ipProto !== 6 || parseTpkt(w, 0, t) === null) return false;
    if (t.cotpType !== COTP_DT) return true; // connection setup on a pinned MMS flow
    if (!session(w, t)) return false;
    const end = Math.min(t.length, w.length);
    const f = ctx.flowState(p, 'mms', newFlow);
    const toServer = p.dstPort === PORT && p.srcPort !== PORT;
    if (toServer && f.once.first('roles')) {
      em.role(ctx, p, { end: 'src', field: 'session', role: 'mms-client' });
      em.role(ctx, p, { end: 'dst', field: 'session', role: 'mms-server' });
      em.service(ctx, p, { end: 'dst', field: 'session', transport: 'tcp', port: PORT, name: 'mms' });
    }
    const m = mmsOffset(w, t.data, end);
    if (m < 0) return true;
    const pdu = readTlv(w, m, end);
    if (pdu === null) return true;
    if (pdu.tag === MMS_CONFIRMED_RESPONSE && !toServer)
      confirmedResponse(w, pdu.at, pdu.at + pdu.len, p, ctx);
    else if ((pdu.tag === MMS_INITIATE_REQUEST || pdu.tag === MMS_CONFIRMED_REQUEST) && f.once.first('req')) {
      em.attribute(ctx, p, {
        end: 'src',
        field: 'pdu',
        key: 'mms.client',
        value: pdu.tag === MMS_INITIATE_REQUEST ? 'initiate' : 'confirmed-request',
      });
    } else if (pdu.tag === MMS_INITIATE_RESPONSE && f.once.first('init-resp')) {
      em.attribute(ctx, p, { end: 'src', field: 'pdu', key: 'mms.server', value: 'initiate-response' });
    }
    return true;
  },
};

/** Confirmed-ResponsePDU: invokeID, then the service response; Identify carries the server's identity. */
function confirmedResponse(w: ByteWindow, o: number, end: number, p: Packet, ctx: AppContext): void {
  const id = readTlv(w, o, end);
  if (id === null || id.tag !== 0x02) return;
  const svc = readTlv(w, id.at + id.len, end);
  if (svc === null || svc.tag !== IDENTIFY) return;
  let i = svc.at;
  const sEnd = svc.at + svc.len;
  for (let n = 0; n < 4 && i < sEnd; n++) {
    const t = readTlv(w, i, sEnd);
    if (t === null) return;
    const v = w.ascii(t.at, t.len, 255);
    if (t.tag === 0x80)
      em.identity(ctx, p, { end: 'src', field: 'Identify.vendorName', attr: 'vendor', value: v });
    else if (t.tag === 0x81)
      em.identity(ctx, p, { end: 'src', field: 'Identify.modelName', attr: 'model', value: v });
    else if (t.tag === 0x82)
      em.identity(ctx, p, { end: 'src', field: 'Identify.revision', attr: 'firmware', value: v });
    i = t.at + t.len;
  }
}
