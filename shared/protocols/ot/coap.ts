import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';

/**
 * CoAP (RFC 7252, udp/5683): header, token, options. Requests give the URI path a client asks
 * for; link-format answers (RFC 6690, content-format 40, as served by /.well-known/core) list the
 * resources a server offers.
 */

const em = new Emitter<typeof VOCABULARY>('coap');
const PORT = 5683;
const MAX_OPTIONS = 32;
const MAX_PATHS = 32;
const MAX_LINKS = 32;

const OPT_URI_PATH = 11;
const OPT_CONTENT_FORMAT = 12;
const LINK_FORMAT = 40;

interface CoapFlow {
  once: OnceSet;
  paths: number;
}
const newFlow = (): CoapFlow => ({ once: new OnceSet(96), paths: 0 });

interface Parsed {
  code: number;
  path: string;
  format: number;
  payload: number;
}

/** Parse header and options; null when the bytes break a rule of the header or option encoding. */
function parse(w: ByteWindow): Parsed | null {
  if (w.length < 4) return null;
  const b0 = w.u8(0);
  const tkl = b0 & 0x0f;
  const code = w.u8(1);
  if (b0 >> 6 !== 1 || tkl > 8) return null;
  const cls = code >> 5;
  if (cls === 1 || cls === 6 || cls === 7) return null;
  if (code === 0 && (tkl !== 0 || w.length !== 4)) return null; // empty message
  let o = 4 + tkl;
  if (o > w.length) return null;
  let num = 0;
  let path = '';
  let format = -1;
  for (let n = 0; n < MAX_OPTIONS && o < w.length; n++) {
    const b = w.u8(o++);
    if (b === 0xff) return o < w.length ? { code, path, format, payload: o } : null;
    let delta = b >> 4;
    let len = b & 0x0f;
    if (delta === 15 || len === 15) return null;
    if (delta === 13) delta = 13 + w.u8(o++);
    else if (delta === 14) {
      delta = 269 + w.u16(o);
      o += 2;
    }
    if (len === 13) len = 13 + w.u8(o++);
    else if (len === 14) {
      len = 269 + w.u16(o);
      o += 2;
    }
    if (o + len > w.length) return null;
    num += delta;
    if (num === OPT_URI_PATH && path.length < 512) path += '/' + w.utf8(o, len, 255);
    else if (num === OPT_CONTENT_FORMAT) format = len === 0 ? 0 : len === 1 ? w.u8(o) : w.u16(o);
    o += len;
  }
  return { code, path, format, payload: -1 };
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['Uri-Path', 'header', 'well-known-core'],
  keys: {
    attribute: ['coap.request-uri-path', 'coap.resource'],
    role: ['coap-client'],
    service: ['coap'],
  },
} as const satisfies Vocabulary;

export const coap: AppProtocol = {
  name: 'coap',
  group: 'ot',
  emits: { coap: VOCABULARY },
  udpPorts: [PORT],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (p.ipProto !== 17) return false;
    const m = parse(w);
    if (m === null) return false;
    const f = ctx.flowState(p, 'coap', newFlow);
    const request = m.code >= 1 && m.code <= 31;
    if (request) {
      if (f.once.first('roles')) {
        em.role(ctx, p, { end: 'src', field: 'header', role: 'coap-client' });
        em.service(ctx, p, { end: 'dst', field: 'header', transport: 'udp', port: p.dstPort, name: 'coap' });
      }
      if (m.path !== '' && f.paths < MAX_PATHS && f.once.first('path:' + m.path)) {
        f.paths++;
        em.attribute(ctx, p, { end: 'src', field: 'Uri-Path', key: 'coap.request-uri-path', value: m.path });
      }
    } else if (m.format === LINK_FORMAT && m.payload > 0) {
      links(w, m.payload, p, ctx, f);
    }
    return true;
  },
};

/** RFC 6690 link format: `</path>;attr=..,</other>`: the paths a server offers. */
function links(w: ByteWindow, o: number, p: Packet, ctx: AppContext, f: CoapFlow): void {
  const text = w.utf8(o, w.length - o, 4096);
  const re = /<([^>]{1,255})>/g;
  let m: RegExpExecArray | null;
  for (let n = 0; n < MAX_LINKS && (m = re.exec(text)) !== null; n++) {
    if (f.once.first('link:' + m[1]))
      em.attribute(ctx, p, { end: 'src', field: 'well-known-core', key: 'coap.resource', value: m[1]! });
  }
}
