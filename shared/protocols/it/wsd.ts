import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { base, srcRef } from './refs';
import { cleanText } from './text';

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
    ctx.emit({ kind: 'role', role: 'wsd-client', peer: null, ...base(p, me, 'wsd', 'Action') });
    return true;
  }
  if (kind !== 'Hello' && kind !== 'ProbeMatches' && kind !== 'ResolveMatches' && kind !== 'Bye') return true;
  const types = cleanText(decodeEntities(elementText(doc, 'Types')), 1024);
  let n = 0;
  for (const t of types.split(/\s+/)) {
    if (t === '' || n++ >= MAX_ITEMS) continue;
    ctx.emit({
      kind: 'attribute',
      key: 'wsd-type',
      value: t.slice(t.indexOf(':') + 1),
      ...base(p, me, 'wsd', 'Types'),
    });
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
        ctx.emit({ kind: 'identity', attr: 'model', value, ...base(p, me, 'wsd', 'Scopes.hardware') });
      else if (key === 'name')
        ctx.emit({ kind: 'identity', attr: 'product', value, ...base(p, me, 'wsd', 'Scopes.name') });
      else if (key === 'location')
        ctx.emit({ kind: 'identity', attr: 'location', value, ...base(p, me, 'wsd', 'Scopes.location') });
      ctx.emit({ kind: 'attribute', key: 'onvif.' + key, value, ...base(p, me, 'wsd', 'Scopes') });
    } else {
      ctx.emit({ kind: 'attribute', key: 'wsd-scope', value: s, ...base(p, me, 'wsd', 'Scopes') });
    }
  }
  const addr = cleanText(elementText(doc, 'Address'), 256);
  const uuid = /urn:uuid:([0-9a-f-]{32,36})/i.exec(addr);
  if (uuid !== null)
    ctx.emit({
      kind: 'identity',
      attr: 'uuid',
      value: uuid[1]!.toLowerCase(),
      ...base(p, me, 'wsd', 'EndpointReference'),
    });
  const xaddrs = cleanText(elementText(doc, 'XAddrs'), 512);
  if (xaddrs !== '')
    ctx.emit({ kind: 'attribute', key: 'wsd-xaddrs', value: xaddrs, ...base(p, me, 'wsd', 'XAddrs') });
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY: Vocabulary = {
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
};

export const wsd: AppProtocol = {
  name: 'wsd',
  group: 'it',
  emits: { wsd: VOCABULARY },
  udpPorts: [3702],
  dissect: dissectWsd,
};
