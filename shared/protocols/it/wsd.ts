import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { srcRef } from '../common/refs';
import { cleanText } from '../common/text';
import { Emitter } from '../common/emit';

const em = new Emitter<typeof VOCABULARY>('wsd');

/**
 * WS-Discovery (udp 3702): SOAP over UDP. Hello / ProbeMatches / ResolveMatches describe the sender
 * by Types (dn:NetworkVideoTransmitter, wprt:PrintDeviceType, ...) and Scopes (ONVIF
 * onvif://www.onvif.org/hardware/..., /name/...). Plain bounded string scanning: no XML parser.
 */
const MAX_SCAN = 16384;
const MAX_ITEMS = 32;

const ELEMENTS = new Map<string, RegExp>();

/** The text content of the first element whose local name is `local`, or ''. */
function elementText(doc: string, local: string): string {
  let re = ELEMENTS.get(local);
  if (re === undefined) {
    re = new RegExp('<(?:[A-Za-z0-9_-]+:)?' + local + '(?:\\s[^>]{0,512})?>([^<]{0,4096})<');
    ELEMENTS.set(local, re);
  }
  const m = re.exec(doc);
  return m === null ? '' : m[1]!;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export function dissectWsd(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const doc = w.utf8(0, w.length, MAX_SCAN);
  if (!/<(?:[A-Za-z0-9_-]+:)?Envelope[\s>]/.test(doc.slice(0, 1024)) && !doc.startsWith('<?xml'))
    return false;
  const action = elementText(doc, 'Action');
  if (action === '' && !/Envelope/.test(doc)) return false;
  const me = srcRef(p);
  const kind = action.slice(action.lastIndexOf('/') + 1);
  if (kind === 'Probe' || kind === 'Resolve') {
    em.role(ctx, p, { device: me, field: 'Action', role: 'wsd-client', peer: null });
    return true;
  }
  if (kind !== 'Hello' && kind !== 'ProbeMatches' && kind !== 'ResolveMatches' && kind !== 'Bye') return true;
  const types = cleanText(decodeEntities(elementText(doc, 'Types')), 1024);
  let n = 0;
  for (const t of types.split(/\s+/)) {
    if (t === '' || n++ >= MAX_ITEMS) continue;
    em.attribute(ctx, p, { device: me, field: 'Types', key: 'wsd-type', value: t.slice(t.indexOf(':') + 1) });
  }
  const scopes = cleanText(decodeEntities(elementText(doc, 'Scopes')), 2048);
  n = 0;
  for (const s of scopes.split(/\s+/)) {
    if (s === '' || n++ >= MAX_ITEMS) continue;
    const m = /^onvif:\/\/www\.onvif\.org\/([a-z_]+)\/(.+)$/i.exec(s);
    if (m !== null) {
      let v = m[2]!;
      try {
        v = decodeURIComponent(v);
      } catch {
        // keep the raw value
      }
      const key = m[1]!.toLowerCase();
      const value = cleanText(v, 256);
      if (key === 'hardware')
        em.identity(ctx, p, { device: me, field: 'Scopes.hardware', attr: 'model', value });
      else if (key === 'name')
        em.identity(ctx, p, { device: me, field: 'Scopes.name', attr: 'product', value });
      else if (key === 'location')
        em.identity(ctx, p, { device: me, field: 'Scopes.location', attr: 'location', value });
      em.attribute(ctx, p, { device: me, field: 'Scopes', key: `onvif.${key}`, value });
    } else {
      em.attribute(ctx, p, { device: me, field: 'Scopes', key: 'wsd-scope', value: s });
    }
  }
  const addr = cleanText(elementText(doc, 'Address'), 256);
  const uuid = /urn:uuid:([0-9a-f-]{32,36})/i.exec(addr);
  if (uuid !== null)
    em.identity(ctx, p, {
      device: me,
      field: 'EndpointReference',
      attr: 'uuid',
      value: uuid[1]!.toLowerCase(),
    });
  const xaddrs = cleanText(elementText(doc, 'XAddrs'), 512);
  if (xaddrs !== '') em.attribute(ctx, p, { device: me, field: 'XAddrs', key: 'wsd-xaddrs', value: xaddrs });
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'Action',
    'EndpointReference',
    'Scopes',
    'Scopes.hardware',
    'Scopes.location',
    'Scopes.name',
    'Types',
    'XAddrs',
  ],
  keys: {
    attribute: ['onvif.*', 'wsd-scope', 'wsd-type', 'wsd-xaddrs'],
    identity: ['location', 'model', 'product', 'uuid'],
    role: ['wsd-client'],
  },
} as const satisfies Vocabulary;

export const wsd: AppProtocol = {
  name: 'wsd',
  group: 'it',
  emits: { wsd: VOCABULARY },
  udpPorts: [3702],
  dissect: dissectWsd,
};
